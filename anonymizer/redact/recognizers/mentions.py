"""Who speaks and who is mentioned in group chats: ``@``-mentions (@团长小蔡, @Cici) and the
speaker label opening a line (Cici：, 可可妈：, 1902-何：, 米兰-小雪：).  In group chats these
are people's names or nicknames; a label that is a role or the group itself is left."""

from __future__ import annotations

import re

from anonymizer.redact.base import PLAIN, Recognizer, han
from anonymizer.redact.recognizers.names import (
    COMPOUND_SURNAMES,
    GIVEN,
    NOT_NAMES,
    ROLES,
    SURNAMES,
    _surname_at,
)

_MENTION = re.compile(r"@([^\s@：:，,。！!？?、]{1,20})")
_NOT_MENTIONED = ("所有人", "全体", "全体成员", "all", "All", "ALL", "everyone")
# A speaker label: at a line start, up to 10 characters before a colon, emoji allowed.
# A tag a chat export puts before the speaker ([群聊] 冷月：, 【家庭群】可可妈：) is skipped.
_SPEAKER = re.compile(r"(?:\[[^\]\n]{1,8}\] ?|【[^】\n]{1,8}】 ?)?(?P<unit>[0-9A-Za-z]{1,4}-|[\u4e00-\u9fff]{1,4}-)?(?P<who>[^\s：:，,。|\[\]{}\"]{1,10}?)"
                      r"[\U0001F300-\U0001FAFF\u2600-\u27BF]*[：:](?![0-9/])")
# Labels that are not people: form fields, roles alone, the platform's own voices.
_NOT_SPEAKERS = frozenset((
    "坐席", "客服", "客户", "回复", "答复", "答", "问", "备注", "处理", "结果", "原因", "内容", "时间", "日期", "地址",
    "电话", "手机", "姓名", "主题", "附件", "说明", "情况", "诉求", "要求", "结论", "意见", "系统", "机器人", "群公告",
    "公告", "通知", "提醒", "物业", "物业客服", "管理员", "群主", "小助手", "助手", "Tel", "Name", "Addr", "Email",
    "Re", "RE", "Fw", "FW", "To", "From", "Subject", "Note", "PS", "http", "https", "证件", "卡号", "金额", "状态",
    "正文", "车主", "摘要", "标题", "原文", "译文", "签名", "落款", "附言", "留言", "用户", "本人", "户主", "家属",
))
_ROLE_ONLY = re.compile(r"^(?:团长|群主|管理员|网格员|客服|坐席|医生|护士|老师|业务员|组长|书记|主任|物业)$")


class _Mentions(Recognizer):
    kind, placeholder, priority, order = "NAME", "〔姓名〕", PLAIN, 1

    def find(self, text, ctx):
        if "@" in text:
            for m in _MENTION.finditer(text):
                who = m.group(1)
                if who not in _NOT_MENTIONED and not who.startswith(_NOT_MENTIONED) and "." not in who:
                    yield m.start(1), m.end(1), "NAME"
        if "：" in text or ":" in text:
            for line_start in _line_starts(text):
                m = _SPEAKER.match(text, line_start)
                if m is None:
                    continue
                who = m.group("who")
                if who in _NOT_SPEAKERS or _ROLE_ONLY.match(who) or any(c.isdigit() for c in who):
                    continue
                if _person_like(who, prefixed=m.group("unit") is not None):
                    role = _role_prefix(who)  # 团长小蔡: the role stays
                    yield m.start("who") + (len(role) if role else 0), m.end("who"), "NAME"


def _line_starts(text: str):
    """Starts of the lines that have a colon within their first 16 characters."""
    p = 0
    while p != -1:
        head = text[p:p + 16]
        if "：" in head or ":" in head:
            yield p
        p = text.find("\n", p)
        if p != -1:
            p += 1


# A field label (投诉人, 车主, 回访) is not a speaker.  A speaker's label is a surname and a title
# (秦书记, 骆哥, 欧阳姐), 小/老/阿 and a character (小邹, 老翁, 阿英), a child's name and 妈/爸
# (可可妈), anything after a unit prefix (米兰-小雪, 1902-何), or a capitalised word (Cici, May).
_TITLES = ("书记", "主任", "老师", "经理", "医生", "护士", "师傅", "阿姨", "姐", "哥", "总", "叔", "婶", "嫂", "伯",
           "工", "老", "局", "队", "团长", "组长", "站长", "所长", "村长", "主管")
_ENGLISH_FIELDS = frozenset((
    "Passport", "Mobile", "Phone", "Add", "Address", "Fax", "Web", "Website", "Company", "Title", "Dept", "Date",
    "Time", "Subject", "Dear", "Hi", "Hello", "Remark", "Status", "Result", "Amount", "Total", "Bank", "Account",
    "Card", "Gender", "Age", "Sex", "Nationality", "Mr", "Ms", "Mrs", "Attn", "Cc", "Bcc", "Sent", "Ref", "No",
    "Tel", "Name", "Addr", "Email", "Note", "Notes", "Re", "To", "From", "Type", "Level", "Code", "Error", "Warning",
    "Info", "Debug", "Source", "Target", "Message", "Reply", "Answer", "Question", "Policy", "Claim", "Case",
    "Product", "Plan", "Premium", "Hospital", "Diagnosis", "Insurer", "Relationship", "Birthday", "Occupation",
    "Remarks", "Signature", "Insured", "Applicant", "Beneficiary", "Agent", "Branch", "Mobile", "Landline",
))


# Roles, and the two parties of a service call, before a speaker's name (客户柯：, 坐席小吴：).
_ROLES_BY_LENGTH = tuple(sorted(set(ROLES) | {"客户", "用户"}, key=len, reverse=True))


def _role_prefix(who: str) -> str | None:
    """The role a speaker's label starts with (团长 in 团长小蔡), if a name follows it."""
    if not who.startswith(_ROLES_BY_LENGTH):
        return None
    return next((r for r in _ROLES_BY_LENGTH if who.startswith(r) and len(who) > len(r)), None)


def _person_like(who: str, prefixed: bool) -> bool:
    if who.isascii():
        return who[:1].isupper() and who[1:].islower() and 2 <= len(who) <= 10 and who not in _ENGLISH_FIELDS
    if not all(han(c) for c in who) or len(who) > 4:
        return False
    if prefixed:
        return True
    role = _role_prefix(who)
    if role:
        return _person_like(who[len(role):], prefixed=False) or _surname_at(who, len(role)) > 0
    if who[0] in "小老阿" and len(who) == 2 and who not in NOT_NAMES:
        return True
    head = 2 if who[:2] in COMPOUND_SURNAMES else 1
    if (who[:head] in COMPOUND_SURNAMES or who[0] in SURNAMES) and who[head:] in _TITLES:
        return True
    if 2 <= len(who) <= 3 and who[0] in SURNAMES and all(c in GIVEN or c in "小老胖" for c in who[1:]) \
            and who[:2] not in NOT_NAMES:
        return True  # 胡小胖, 葛建平
    return len(who) >= 3 and who.endswith(("妈", "爸", "妈妈", "爸爸", "奶奶", "爷爷"))


RECOGNIZER = _Mentions()
