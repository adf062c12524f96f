"""Names of China's ethnic minorities and other transliterated names: two parts joined by
a middle dot (阿依古丽·吐尔逊, 买买提·艾力), or a word built from the name parts common in
Uyghur, Tibetan, Mongolian and Kazakh names (扎西顿珠, 巴特尔, 卓玛), none of which the
surname-and-given-name rules can see."""

from __future__ import annotations

import re

from anonymizer.redact.base import PLAIN, Recognizer, alternation

# Name parts (each a word of its own in the name): Uyghur and Kazakh, Tibetan, Mongolian.
PARTS = frozenset((
    "买买提", "阿依古丽", "古丽", "古丽娜尔", "娜尔", "吐尔逊", "艾力", "艾买提", "阿不都", "阿卜杜", "热依拉", "热孜",
    "努尔", "迪丽", "迪丽娜", "帕提古丽", "帕丽旦", "伊力", "哈木", "依明", "肉孜", "阿孜古丽", "热合曼", "吐尔洪",
    "艾则孜", "穆罕默德", "阿里木", "麦麦提", "玉苏甫", "艾尼", "库尔班", "阿布都", "阿依", "米娜", "加娜尔",
    "扎西", "卓玛", "次仁", "顿珠", "央金", "拉姆", "平措", "格桑", "多吉", "措姆", "尼玛", "达瓦", "旺堆", "德吉",
    "索朗", "白玛", "洛桑", "旦增", "普布", "次旦", "强巴", "曲珍", "央宗", "益西", "贡布", "边巴", "群培", "拉巴",
    "巴特尔", "其其格", "乌兰", "苏日娜", "额尔敦", "巴雅尔", "宝音", "斯琴", "那日苏", "图雅", "孟和", "敖登",
    "朝鲁", "阿古拉", "布和", "格日勒", "哈斯", "吉日嘎拉", "乌力吉", "萨仁", "高娃", "娜仁", "巴图",
))
_PARTS_RE = re.compile(alternation(PARTS))
_PARTS_AT_END = re.compile("(?:" + alternation(w[::-1] for w in PARTS) + ")")  # parts, read backwards
# Characters that end the word before a transliterated name (我是买买提·艾力, 叫阿依古丽·吐尔逊).
_BEFORE_NAME = frozenset("是叫的了和与及给为在我你他她人：:，,、 ")
_DOTS = "·•・"
_GREETINGS = ("扎西德勒",)  # Tibetan for "good luck", not a name

_NOT_DOTTED = ("惠锡", "医惠", "保", "城", "市", "区", "医院", "公司")


class _MinorityNames(Recognizer):
    kind, placeholder, priority, order = "NAME", "〔姓名〕", PLAIN, 1

    def find(self, text, ctx):
        if "·" in text or "•" in text or "・" in text:
            yield from _dotted(text)
        start = end = -1
        for m in _PARTS_RE.finditer(text):
            if text.startswith(_GREETINGS, m.start()):
                continue
            if m.start() != end:  # parts written together are one name (扎西 + 顿珠)
                if end > 0:
                    yield start, end, "NAME"
                start = m.start()
            end = m.end()
        if end > 0:
            yield start, end, "NAME"


def _dotted(text: str):
    """Two parts joined by a middle dot: a known part or up to four characters on each side,
    not over the word before (是, 叫, 的…) or after."""
    for i, c in enumerate(text):
        if c not in _DOTS or not i:
            continue
        back = _PARTS_AT_END.match(text[i - 1::-1] if i else "")
        start = i - len(back.group()) if back else i
        if not back:
            while start > 0 and i - start < 4 and "\u4e00" <= text[start - 1] <= "\u9fff" \
                    and text[start - 1] not in _BEFORE_NAME:
                start -= 1
        fwd = _PARTS_RE.match(text, i + 1)
        end = fwd.end() if fwd else i + 1
        if not fwd:
            while end < len(text) and end - i <= 4 and "\u4e00" <= text[end] <= "\u9fff":
                end += 1
        if i - start >= 2 and end - i > 2 and not any(w in text[start:end] for w in _NOT_DOTTED):
            yield start, end, "NAME"


RECOGNIZER = _MinorityNames()
