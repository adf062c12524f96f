"""Addresses: anchored on their detail (…路12号, …花园3栋, …村5组, 1栋1203, 3-402 where a
home is meant) and extended left over the administrative part (province, city, district
from ``seeds/regions.csv``; …街道/…镇); an estate named after a district or after 住在 /
地址 (新吴区春潮花园) without a number too.  A city or a district alone, a hospital or a
road without a number is left alone."""

from __future__ import annotations

import re

from anonymizer.redact.base import PLAIN, Recognizer, han
from anonymizer.redact.places import REGION_NAMES

# Address detail: a road and its number, a compound and its building, a village and its group;
# then more detail (building, unit, room, a compound after the road number).
_ROAD = "路(?:[东南西北中]段)?|街|大道|大街|巷|弄|胡同"
_COMPOUND = "小区|花园|新村|家园|公寓|苑|园|新城|城|府|湾|广场|大厦|一号|里|村|社区|名筑"
_TAIL = (r"(?:[ ]?(?:[0-9]+(?:号楼|号|弄|栋|幢|座|单元|室|楼|层|组|户)|-[0-9]+|[A-Za-z]座|(?<=单元)[0-9]{2,5}(?![0-9])"
         r"|[\u4e00-\u9fff]{1,6}?(?:" + _COMPOUND + r")(?=[ ]?[0-9])))*")
_ADDRESS = re.compile(
    r"(?:" + _ROAD + r")[ ]?[0-9]+(?:-[0-9]+)?[ ]?(?:号|弄|巷)" + _TAIL
    + r"|(?:" + _COMPOUND + r")[ ]?[0-9]+(?:号楼|栋|幢|座|号|-[0-9]+)" + _TAIL
    + r"|(?P<village>村)(?:[0-9]+|[一二三四五六七八九十]{1,3})组" + _TAIL
)
# The last character of an anchor and the number after it: the anchors are matched only
# where one of these stands (the alternation itself has no prefix the engine can skip to).
_ADDRESS_HINT = re.compile(r"[路街道巷弄同区园村城府湾场厦里苑寓号筑段][ ]?[0-9]|村[一二三四五六七八九十]")
_ADDR_STOP = frozenset("至到在住址是为寄往从于的与及或收、，,。；;：:（）()【】[]《》!！?？ \t\n")
_ADMIN_SUFFIX = ("街道", "镇", "乡")
_COMPOUND_STOP = _ADDR_STOP | frozenset("家")  # 女儿家春潮花园11-601: the daughter's home, not the estate's name


def _region_before(text: str, q: int) -> int:
    """Length of a region name (无锡市, 梁溪区) ending at ``q``, or 0."""
    if q < 2 or text[q - 1] not in "省市区县州旗盟":
        return 0
    names = REGION_NAMES
    for length in _REGION_LENGTHS:
        if length <= q and text[q - length:q] in names and not text.startswith("街道", q - length - 1):
            return length  # (梅村街道县前街: not 道县)
    return 0


_REGION_LENGTHS = sorted({len(n) for n in REGION_NAMES if 2 <= len(n) <= 15}, reverse=True)


def _address_start(text: str, anchor: int, village: bool, named: bool = False) -> int:
    """Where the address whose detail keyword starts at ``anchor`` begins (``named``: the
    name of the road or compound is already included)."""
    p = anchor
    limit = 0 if named else 6 if village else 5
    stops = _ADDR_STOP if village else _COMPOUND_STOP
    # the name of the road, compound or village: back to a stop, a region name or 街道/镇
    while p > 0 and anchor - p < limit:
        c = text[p - 1]
        if not han(c) or c in stops or _region_before(text, p) or (
                anchor - p >= 1 and text.endswith(_ADMIN_SUFFIX, 0, p)):
            break
        p -= 1
    # the administrative part: region names, then 街道/镇/乡 names, a space allowed before the detail
    while p > 0:
        q = p - 1 if text[p - 1] == " " and p >= 2 and han(text[p - 2]) else p
        length = _region_before(text, q)
        if length:
            p = q - length
            continue
        if text.endswith(_ADMIN_SUFFIX, 0, q):
            s = q - (2 if text.startswith("街道", q - 2) else 1)
            k = s
            while k > 0 and s - k < 4 and han(text[k - 1]) and text[k - 1] not in _ADDR_STOP \
                    and not _region_before(text, k):
                k -= 1
            if s - k >= 2 or s - k == 1 and _region_before(text, k):
                p = k  # 东港镇, or 安镇 after 锡山区
                continue
        break
    return p

# An estate or a village without a number, after a district or town, or after a word that
# introduces an address: 新吴区春潮花园, 住在蠡湖家园.
_ESTATE_SUFFIX = re.compile("花园|小区|新村|家园|公寓|苑|新城|名邸|公馆|社区|山庄|嘉园|佳园|花苑|雅居|村|府|城")
_ADDRESS_WORDS = ("住在", "住址", "地址", "家住", "寄到", "寄往", "寄至", "居住在", "搬到", "搬去", "现住", "户籍",
                  "住", "Addr", "addr", "Address", "address")
_NOT_HOME_AFTER = ("医院", "公司", "银行", "支行", "门诊", "卫生", "中心", "居委", "村委", "委员会", "党委", "办事处",
                   "服务", "管委会", "派出所", "学校", "小学", "中学", "幼儿园", "超市", "营业")
_NOT_ESTATE = frozenset("的这那哪个是了在和与及我你他她们家里不进出来去到过看回要会能就还也都")
# Building, unit and room without a compound before them: 1栋1203, 2幢301室, 3栋2单元502.
_BUILDING = re.compile(
    r"[0-9](?<![0-9A-Za-z][0-9])[0-9]{0,2}[ ]?(?:栋|幢|号楼|座)[ ]?(?:[0-9]{1,2}[ ]?单元[ ]?)?[0-9]{2,5}(?:[ ]?室)?(?![0-9])"
)
# 3-402, 12-2-1503: a home after an address word or before 室; a building (up to 50) and a room
# (three or four digits, not a round hundred) anywhere, since no other number is written so.
_DASHED = re.compile(r"[0-9](?<![0-9A-Za-z./:-][0-9])[0-9]{0,2}-(?:[0-9]{1,2}-)?[0-9]{3,4}(?![0-9./:-])(?:室)?")
_DASHED_CONTEXT = ("住", "地址", "寄", "家", "小区", "花园", "苑", "新村", "栋", "幢", "楼", "门牌", "Addr", "addr")


_UNIT_AFTER = frozenset("元块万岁天个人次号月年分秒%份箱斤件只")


def _room_like(number: str) -> bool:
    parts = number.rstrip("室").split("-")
    return int(parts[0]) <= 50 and len(parts[-1]) in (3, 4) and not parts[-1].endswith("00")


def _after_address_word(text: str, p: int) -> bool:
    q = p
    while q > 0 and text[q - 1] in "：: ":
        q -= 1
    return text.endswith(_ADDRESS_WORDS, 0, q)


# More detail after an address: a part of the estate (三区, 二期), buildings, units, rooms
# (17号楼3单元402室, 18-301, 5-2-1801, B-16), a hamlet and its number after a village (黄土塘38号).
_MORE = re.compile(
    r"[ ]?(?:[一二三四五六七八九十东南西北A-Z]{1,2}|[0-9]{1,2})(?:区|期)(?![\u4e00-\u9fff]{0,1}(?:医院|政府))"
    r"|[ ]?[A-Za-z]?[0-9]{1,4}(?:号楼|号|栋|幢|座|单元|室|楼|层|组|户)"
    r"|[一二三四五六七八九十]{1,3}(?:单元|组|号楼)"
    r"|[A-Z]座"
    r"|(?<=公寓|大厦)[0-9]{3,5}(?![0-9])"
    r"|(?<=[号])[\u4e00-\u9fff]{2,12}?(?:宿舍|公寓|大厦|商务楼|写字楼|大楼|广场|中心|产业园|科技园)(?=[ ]?[A-Za-z0-9])"
    r"|(?<=[号])[\u4e00-\u9fff]{2,10}?(?=[0-9]{1,4}(?:号楼|栋|幢|座|楼|单元|室))"
    r"|[ ]?[A-Za-z]?[0-9]{1,4}(?:-[0-9]{1,4}){1,2}(?![0-9])"
    r"|[A-Za-z]-[0-9]{1,4}(?![0-9])"
    r"|(?<=[号栋幢元座])[0-9]{2,5}(?![0-9])"
    r"|(?<=村)[\u4e00-\u9fff]{1,4}(?=[0-9]{1,4}号)"
)


def _extended(text: str, end: int) -> int:
    while (m := _MORE.match(text, end)) and m.end() > end:
        end = m.end()
    return end


class _Address(Recognizer):
    kind, placeholder, priority = "ADDRESS", "〔地址〕", PLAIN

    def find(self, text, ctx):
        for start, end, kind in self._found(text):
            yield start, _extended(text, end), kind

    def _found(self, text):
        done = 0
        for h in _ADDRESS_HINT.finditer(text):
            for pos in range(max(done, h.start() - 3), h.start() + 1):
                m = _ADDRESS.match(text, pos)
                if m:
                    yield _address_start(text, m.start(), m.group("village") is not None), m.end(), "ADDRESS"
                    done = m.end()
                    break
        for m in _BUILDING.finditer(text):
            yield m.start(), m.end(), "ADDRESS"
        if "-" in text:
            for m in _DASHED.finditer(text):
                if m.end() < len(text) and text[m.end()] in _UNIT_AFTER:
                    continue  # 500-1000元, 3-5天: a range
                before = text[max(0, m.start() - 10):m.start()]
                if text.startswith("室", m.end() - 1) or any(w in before for w in _DASHED_CONTEXT) \
                        or _room_like(m.group()):
                    yield m.start(), m.end(), "ADDRESS"
        if "街道" in text or "镇" in text or "乡" in text:
            for m in _AFTER_ADMIN.finditer(text):
                if not any(w in m.group(1) for w in _NOT_HOME_AFTER):
                    yield _address_start(text, m.start(1), False, named=True), m.end(), "ADDRESS"
        yield from _estates(text)
        yield from _named_estates(text)
        if _ENGLISH_GATE.search(text) and _ENGLISH_HINT.search(text):
            for m in _ENGLISH.finditer(text):
                yield m.start(), m.end(), "ADDRESS"


# A place named right after its subdistrict or town, with a number: 崇安寺街道后西溪38号, 太湖街道金色江南3期.
_AFTER_ADMIN = re.compile(r"(?:街道|镇|乡)([\u4e00-\u9fff]{2,6}?)[ ]?[0-9]{1,4}(?:-[0-9]+)?(?:号楼|号|期|栋|幢|座)")


_ESTATE_ANCHOR_CHARS = "省市区县州旗盟道镇乡住址寄搬户迁"


def _estates(text: str):
    """Estates named after a region (新吴区春潮花园) or after an address word (住在蠡湖家园)."""
    for m in _ESTATE_SUFFIX.finditer(text):
        end = m.end()
        if end < len(text) and text.startswith(_NOT_HOME_AFTER, end):
            continue
        before = text[max(0, m.start() - 12):m.start()]
        if not any(c in before for c in _ESTATE_ANCHOR_CHARS) and "ddr" not in before:
            continue  # no region, 街道/镇 or 住/地址 close enough to anchor it
        for st in range(m.start() - 1, max(-1, m.start() - 9), -1):
            c = text[st]
            if not han(c) or c in _NOT_ESTATE or c in _ADDR_STOP:
                break
            region = _region_before(text, st) or text.endswith(_ADMIN_SUFFIX, 0, st)
            if m.start() - st >= 2 and (region or _after_address_word(text, st)):
                yield (_address_start(text, st, False) if region else st), end, "ADDRESS"
                break


# An estate named on its own (春潮花园业主群, 住广益佳苑): a name of two to six characters ending in
# a word only estates end in, standing at a word boundary.
_NAMED_ESTATE = re.compile(
    "(?:花园|家园|新村|公寓|华府|名筑|名邸|公馆|山庄|嘉园|佳园|雅苑|花苑|世纪城|国际社区|香樟园|小区)")
_BOUNDARY_BEFORE = frozenset("住在是到的了去从回和与及、，,。；;：:！!？?（(【[“\"' \t\n")


def _named_estates(text: str):
    for m in _NAMED_ESTATE.finditer(text):
        end = m.end()
        if end < len(text) and text.startswith(_NOT_HOME_AFTER, end):
            continue
        for st in range(m.start() - 1, max(-1, m.start() - 7), -1):
            c = text[st]
            if not han(c) or c in _NOT_ESTATE or c in _ADDR_STOP:
                break
            if m.start() - st >= 2 and (st == 0 or text[st - 1] in _BOUNDARY_BEFORE or not han(text[st - 1])):
                yield st, end, "ADDRESS"
                break


# English-written addresses: Rm 1502, Bldg 7, …; No. 7 Xinzhou Road, …; 88 Jinshi Road, …
_ENGLISH_GATE = re.compile("R(?:m|oom|oad|d)|Flat|Unit|Apt|No|Street|St|Lane|Avenue|Ave")  # literal first
_ENGLISH_HINT = re.compile(r"(?:Rm|Room|Flat|Unit|Apt|No)\.? ?[0-9]|[0-9] [A-Z][a-z]+ (?:Road|Rd|Street|St|Lane|Avenue)")
_EN_PART = r"(?:[A-Z][A-Za-z.]*(?: [A-Z][A-Za-z.]*)*|[0-9]{1,6}|[\u4e00-\u9fff]{2,12})"
_ENGLISH = re.compile(
    r"(?:(?:Rm|Room|Flat|Unit|Apt)\.? ?[0-9A-Z-]+|No\.? ?[0-9]{1,5}(?![0-9])|[0-9]{1,5} [A-Z][a-z]+(?: [A-Z][a-z]+)* (?:Road|Rd|Street|St|Lane|Avenue|Ave)\.?)"
    r"(?:,? " + _EN_PART + r")+"
)

RECOGNIZER = _Address()
