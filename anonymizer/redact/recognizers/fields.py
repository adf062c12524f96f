"""Values of labelled fields in copied forms, tables and JSON: the label says what the value
is (姓名, 持卡人, 住院号, si_card, "name"), wherever the value stands: after the label
(``"name":"沈浩"``, ``applicant=章宇航``, ``| 住院号 | ZY2025117342 |``) or in the label's
column of a pipe or comma table (``|殷志强|本人|3202…|A02345678|``)."""

from __future__ import annotations

import re

from anonymizer.redact.base import PLAIN, Recognizer, digits_of, han
from anonymizer.redact.recognizers.resident_id import valid_id

# label (lower case) -> kind; one definition for every shape of field.
LABELS = {
    **dict.fromkeys(("姓名", "名字", "户名", "持卡人", "被访人", "联系人", "投保人", "被保人", "被保险人", "出险人",
                     "领款人", "收件人", "申请人", "患者", "病人", "经办人", "受理人", "业务员", "代办人",
                     "name", "insured", "holder", "applicant", "contact", "patient", "payee", "姓 名", "客户",
                     "客户姓名", "被保险人姓名", "投保人姓名", "联系人姓名", "经办人姓名"), "NAME"),
    **dict.fromkeys(("手机", "手机号", "手机号码", "电话", "联系电话", "联系方式", "tel", "mobile", "phone",
                     "座机", "固话"), "PHONE"),
    **dict.fromkeys(("身份证", "身份证号", "身份证号码", "证件号", "证件号码", "公民身份号码", "id_card", "id_no",
                     "idcard", "id_number", "证件"), "ID_OR_DOCUMENT"),
    **dict.fromkeys(("医保卡号", "社保卡号", "医保卡", "社保卡", "si_card", "社保号", "医保号", "医保编号",
                     "社会保障卡号", "市民卡号"), "SOCIAL_SECURITY"),
    **dict.fromkeys(("住院号", "门诊号", "病案号", "病历号", "就诊卡号", "inpatient_no", "outpatient_no", "mrn",
                     "record_no"), "MEDICAL_NO"),
    **dict.fromkeys(("微信号", "微信", "wechat", "wx", "wechat_id"), "WECHAT"),
    **dict.fromkeys(("地址", "住址", "家庭住址", "通讯地址", "联系地址", "收件地址", "邮寄地址", "addr", "address",
                     "小区"), "ADDRESS"),
    **dict.fromkeys(("银行卡", "银行卡号", "卡号", "账号", "领款账户", "收款账户", "银行账号", "bank_card", "card_no",
                     "account"), "CARD"),
    **dict.fromkeys(("车牌", "车牌号", "plate"), "PLATE"),
    **dict.fromkeys(("护照", "台胞证", "回乡证", "通行证", "港澳通行证", "证件号码", "护照号", "passport"),
                    "ID_OR_DOCUMENT"),
    **dict.fromkeys(("邮箱", "email", "e-mail"), "EMAIL"),
    # labels of columns that hold no personal data: they make a row a header, nothing more
    **dict.fromkeys(("关系", "与户主关系", "与本人关系", "性别", "年龄", "备注", "序号", "状态", "日期", "金额", "产品",
                     "科室", "医院", "诊断", "民族", "职业", "relation", "gender", "age", "remark", "status", "date",
                     "amount", "product"), "OTHER"),
}
_JSON = re.compile(r"\"([A-Za-z_\u4e00-\u9fff]{2,16})\"\s*:\s*\"([^\"\n]{1,60})\"")
_KEY_EQ = re.compile(r"(?<![A-Za-z_])([A-Za-z_]{2,16})=([^\s,;&，。；、）)|]{1,40})")
# A value in a name's column that is an organisation or a relation, not a person.
_NOT_PERSON_ENDS = ("科", "医院", "公司", "本人", "女儿", "儿子", "母亲", "父亲", "银行", "支行", "分行", "中心", "药房",
                    "诊所", "大学", "学校", "集团", "部", "处", "局", "所", "站", "店", "社区", "委员会", "街道", "员",
                    "人", "号", "码", "户", "生", "群", "型", "期", "称", "态")
_EMPTY = frozenset(("", "—", "-", "无", "/", "空", "null", "None", "N/A", "未填", "不详", "未留名", "匿名", "未提供", "未填写"))


_RELATION_AFTER = re.compile("(?:母亲|父亲|妻子|丈夫|儿子|女儿|本人|配偶|子女|之母|之父)(?=$|[^\u4e00-\u9fff])")


def _value_kind(label_kind: str, value: str) -> str | None:
    """The kind of ``value`` in a field labelled ``label_kind``, or None (not personal data)."""
    v = value.strip()
    if label_kind == "OTHER" or v in _EMPTY or "〔" in v:
        return None
    digits = digits_of(v)
    if label_kind == "NAME":
        ok = (2 <= len(v) <= 12 and all(han(c) or c in "·•" for c in v)) or re.fullmatch(
            r"[A-Z][A-Za-z]+(?: [A-Z][A-Za-z]+){0,3}", v) is not None
        return "NAME" if ok and not v.endswith(_NOT_PERSON_ENDS) else None
    if label_kind == "PHONE":
        if not digits.isdigit() or len(digits) < 7 or digits.startswith(("400", "800", "95")):
            return None  # a hotline, not a person's phone
        national = digits[4:] if digits.startswith("0086") else digits.removeprefix("86")
        return "MOBILE" if len(national) == 11 and national[0] == "1" else "LANDLINE"
    if label_kind == "ID_OR_DOCUMENT":
        if valid_id(v):
            return "ID"
        if re.fullmatch(r"[A-Za-z]{0,3}[0-9A-Za-z]{6,14}", v) and sum(c.isdigit() for c in v) >= 6:
            return "DOCUMENT"
        return None
    if label_kind in ("SOCIAL_SECURITY", "MEDICAL_NO", "PLATE"):
        return label_kind if sum(c.isdigit() for c in v) >= 4 and len(v) <= 24 else None
    if label_kind == "CARD":
        return "CARD" if digits.isdigit() and 12 <= len(digits) <= 19 else None
    if label_kind == "WECHAT":
        return "WECHAT" if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{5,19}", v) else None
    if label_kind == "ADDRESS":
        return "ADDRESS" if len(v) >= 4 and any(han(c) for c in v) else None
    return "EMAIL" if label_kind == "EMAIL" and "@" in v else None


# Keys of exported records (insuredName, payeePhone, certNo, wxId…): what the key contains.
_KEY_PARTS = (("name", "NAME"), ("holder", "NAME"), ("assignee", "NAME"), ("operator", "NAME"), ("owner", "NAME"),
              ("agent", "NAME"), ("handler", "NAME"), ("reviewer", "NAME"), ("payee", "NAME"), ("phone", "PHONE"),
              ("mobile", "PHONE"), ("tel", "PHONE"), ("addr", "ADDRESS"), ("cert", "ID_OR_DOCUMENT"),
              ("idno", "ID_OR_DOCUMENT"), ("idcard", "ID_OR_DOCUMENT"), ("wx", "WECHAT"), ("wechat", "WECHAT"),
              ("plate", "PLATE"), ("mrn", "MEDICAL_NO"), ("inpatient", "MEDICAL_NO"), ("sicard", "SOCIAL_SECURITY"),
              ("bankaccount", "CARD"), ("cardno", "CARD"), ("email", "EMAIL"), ("mail", "EMAIL"))
_KEY_EXACT = frozenset(("by",))


def _value_span(label_kind: str, text: str, a: int, b: int) -> tuple[int, int, str] | None:
    """The personal data in the value ``text[a:b]`` of a field labelled ``label_kind``: a name
    without the relation written after it (潘晓东母亲), or the whole value."""
    if label_kind == "NAME" and (m := _RELATION_AFTER.search(text, a, b)) and m.start() - a >= 2:
        b = m.start()
    kind = _value_kind(label_kind, text[a:b])
    return (a, b, kind) if kind else None


def _label(cell: str) -> str | None:
    key = cell.strip().strip("：:").lower()
    found = LABELS.get(key)
    if found or not key.isascii() or len(key) < 2:
        return found
    if key in _KEY_EXACT:
        return "NAME"
    flat = key.replace("_", "").replace("-", "")
    if flat.startswith(("bank", "product", "hospital", "file", "user", "nick", "company", "org", "dept", "plan")):
        return None
    return next((kind for part, kind in _KEY_PARTS if part in flat), None)


def _cells(line: str, sep: str) -> list[tuple[int, int]]:
    """(start, end) of each cell of ``line`` split on ``sep``, stripped of spaces."""
    out, p = [], 0
    for part in line.split(sep):
        a, b = p, p + len(part)
        while a < b and line[a] in " \t":
            a += 1
        while b > a and line[b - 1] in " \t":
            b -= 1
        if b - a >= 2 and line[a] in "\"'" and line[b - 1] == line[a]:
            a, b = a + 1, b - 1  # a quoted cell: "承雨萱"
        out.append((a, b))
        p += len(part) + 1
    return out


def _tables(text: str):
    """Cells under a header that names their column, and a value right of a label cell."""
    offset = 0
    columns: dict[int, str] = {}
    sep = ""
    for line in text.split("\n"):
        this = ("|" if line.count("|") >= 2 else "\t" if "\t" in line
                else "," if line.count(",") >= 2 and "，" not in line else "")
        if not this:
            columns, sep = {}, ""
            offset += len(line) + 1
            continue
        cells = _cells(line, this)
        kinds = {i: _label(line[a:b]) for i, (a, b) in enumerate(cells)}
        header = {i: k for i, k in kinds.items() if k}
        if len(header) >= 2:
            columns, sep = header, this  # a header row
        elif this == sep and columns:
            for i, kind in columns.items():
                if i < len(cells):
                    a, b = cells[i]
                    found = _value_span(kind, line, a, b)
                    if found:
                        yield offset + found[0], offset + found[1], found[2]
        # a label cell followed by its value: | 住院号 | ZY2025117342 |
        for i, (a, b) in enumerate(cells[:-1]):
            kind = kinds[i]
            if kind and len(header) < 2:
                va, vb = cells[i + 1]
                found = _value_span(kind, line, va, vb)
                if found:
                    yield offset + found[0], offset + found[1], found[2]
        offset += len(line) + 1


class _Fields(Recognizer):
    kind, placeholder, priority, order = "", "", PLAIN, 0  # several kinds: each has its own recogniser too

    def find(self, text, ctx):
        if '"' in text and ":" in text:
            for m in _JSON.finditer(text):
                kind = _label(m.group(1))
                found = kind and _value_span(kind, text, m.start(2), m.end(2))
                if found:
                    yield found
        if "=" in text:
            for m in _KEY_EQ.finditer(text):
                kind = _label(m.group(1))
                found = kind and _value_span(kind, text, m.start(2), m.end(2))
                if found:
                    yield found
        if "|" in text or "," in text or "\t" in text:
            yield from _tables(text)


RECOGNIZER = _Fields()
