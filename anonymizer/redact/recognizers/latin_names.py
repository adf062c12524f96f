"""Names in Latin script: pinyin written in capitals or title case (LIU MEIQI, Zou Jianxin),
and any capitalised name after a word that introduces one (my name is Kevin Shen,
英文名Emily, 投保人Kevin Shen, Name: TSANG Ka Wai)."""

from __future__ import annotations

import re

from anonymizer.redact.base import PLAIN, Recognizer, alternation

# Pinyin syllables without tones: a word made only of them, in a run of two or three such
# words whose first or last is a surname, is taken for a Chinese name.
_INITIALS = ["b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch", "sh", "r", "z", "c", "s", "y", "w"]
_FINALS = ["a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "ong", "i", "ia", "ie", "iao", "iu", "ian", "in", "iang", "ing", "iong", "u", "ua", "uo", "uai", "ui", "uan", "un", "uang", "ue", "ve", "v", "er"]
SYLLABLES = frozenset([f for f in _FINALS] + [i + f for i in _INITIALS for f in _FINALS])
SURNAMES = frozenset(["an", "ai", "ao", "bai", "ban", "bao", "bei", "bi", "bian", "bo", "bu", "cang", "cen", "chai", "chao", "che", "chi", "chu", "dai", "dang", "di", "diao", "dou", "e", "fei", "gai", "gan", "geng", "gong", "gou", "guan", "gui", "hai", "hang", "hua", "huai", "huan", "hui", "huo", "jian", "jiao", "jie", "jing", "ju", "kan", "ke", "kou", "kuang", "lai", "lan", "lang", "lao", "le", "leng", "lian", "liao", "ling", "lou", "luan", "mai", "man", "mei", "mi", "miao", "min", "ming", "mou", "mu", "na", "nan", "nie", "ning", "nong", "ou", "pang", "pei", "pi", "ping", "pu", "qiang", "qu", "quan", "que", "ran", "rao", "rong", "ru", "ruan", "rui", "sang", "sha", "shan", "shang", "she", "sheng", "shu", "shuai", "shui", "si", "su", "sui", "suo", "tai", "teng", "tong", "tu", "wan", "weng", "xi", "xian", "xiang", "xin", "xing", "xiong", "xuan", "xun", "yin", "ying", "yong", "you", "yue", "yun", "zang", "zha", "zhai", "zhan", "zhen", "zhi", "zhuang", "zhuo", "zong", "zu", "zuo"]) | frozenset(["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong", "yuan", "pan", "yu", "jiang", "cai", "jia", "ding", "wei", "xue", "ye", "yan", "lu", "shen", "qin", "qiu", "jin", "shi", "cui", "zou", "shao", "fan", "fang", "kong", "meng", "du", "tan", "lv", "lyu", "yao", "lei", "long", "hou", "duan", "hao", "qian", "tang", "yi", "chang", "kang", "zhong", "jiang", "wen", "ouyang", "sima", "zhuge", "situ", "shangguan", "mo", "bai", "qi", "qiao", "gu", "ren", "fu", "cheng", "mao", "xia", "hong", "ni", "niu", "ge", "tsang", "chan", "wong", "cheung", "leung", "lau", "ng", "ho", "lam", "lee", "chow", "chiu", "kwok", "yip", "tse", "tsui", "fung"])
_WORD = r"(?:[A-Z][a-z]{1,10}|[A-Z]{2,12})"
_RUN = re.compile(rf"[A-Z](?<![A-Za-z][A-Z])(?:[a-z]{{1,10}}|[A-Z]{{1,11}})(?:[ ·-]{_WORD}){{1,2}}(?![A-Za-z])")
_ENGLISH_INTRODUCERS = ("my name is", "My name is", "name is", "I am", "I'm", "Name", "NAME", "name", "insured",
                        "applicant", "holder", "contact", "patient", "Mr", "Mr.", "Mrs", "Mrs.", "Ms", "Ms.", "Miss",
                        "Dr", "Dr.", "colleague", "client", "customer", "employee", "member", "Dear", "Attn", "cc",
                        "by")
_SIGN_OFFS = ("Best", "Regards", "Thanks", "Sincerely", "Cheers")
_CHINESE_INTRODUCERS = ("英文名", "英文名字", "中文名", "护照名", "拼音", "投保人", "被保人", "被保险人", "客户", "联系人",
                        "团长", "开发", "同事", "经理", "老板", "英文", "我是", "我叫", "叫", "太太", "先生", "老公",
                        "老婆", "女儿", "儿子", "丈夫", "妻子", "名字", "姓名", "名叫", "实名", "本名")
# One trie of every introducer first (the engine skips to their first characters); what each
# kind needs around it (no letter before an English one, a separator after it) is checked in code.
_INTRODUCED = re.compile(
    f"(?P<intro>{alternation(_ENGLISH_INTRODUCERS + _SIGN_OFFS + _CHINESE_INTRODUCERS)})"
    r"(?P<sep>(?:是|叫|为)?[,，\s:=\"'：]{0,3})"
    r"(?P<name>[A-Z][A-Za-z]{1,15}(?:\.?[ ·-][A-Z][A-Za-z]{0,15}\.?){0,3})(?![A-Za-z0-9])"
)


def _introduced(text: str, m: re.Match) -> bool:
    intro, sep = m.group("intro"), m.group("sep")
    sep = sep.replace("，", ",")
    if not intro.isascii():
        return "," not in sep
    if m.start() and text[m.start() - 1].isascii() and text[m.start() - 1].isalpha():
        return False
    sep = sep.strip(" \t\n")
    return bool(m.group("sep")) and (intro in _SIGN_OFFS or "," not in sep)
# An English given name before a pinyin surname: Kevin Shen, Oliver Zhang.
_WESTERN = re.compile(r"([A-Z](?<![A-Za-z][A-Z])[a-z]{2,10}) (?:" + alternation(w.capitalize() for w in SURNAMES)
                      + r")(?![A-Za-z])")
_HINT = re.compile("[A-Z][A-Za-z]")
_PLACES = frozenset(("Hong Kong", "Macau Li", "Taipei Lin", "Hui Xi", "Yi Hui"))
_NOT_RUNS = frozenset(("Hui Xi Bao", "HUI XI BAO", "Yi Hui Xi Cheng", "Guo Lian", "GUO LIAN", "Ping An", "PING AN",
                       "Wu Xi", "WU XI", "Jiang Su", "JIANG SU", "Xin Wu", "Liang Xi", "Bin Hu", "Hui Shan", "Xi Shan"))
_NOT_NAMES = frozenset(("VALID", "THRU", "PDF", "OCR", "CSV", "JSON", "ID", "OK", "NO", "CT", "MRI", "ICU", "VIP",
                        "APP", "BANK", "CARD", "CHINA", "UNION", "PAY", "VISA", "WeChat", "Wuxi", "WUXI", "Jiangsu",
                        "Rm", "Bldg", "Road", "Rd", "Street", "St", "District", "Passport", "Tel", "Email", "Addr", "HR",
                        "IT", "CEO", "CFO", "Customer", "Service", "Sir", "Madam", "Team", "All", "Colleagues", "QQ", "SMS", "PIN", "ATM", "POS", "TEL", "PS", "NB", "OTC", "DRG"))


def _pinyin_word(word: str) -> bool:
    """``word`` splits into pinyin syllables (greedy from the longest)."""
    w = word.lower()
    i = 0
    while i < len(w):
        for size in range(min(6, len(w) - i), 0, -1):
            if w[i:i + size] in SYLLABLES and (i + size == len(w) or w[i + size] not in "aeiouv"
                                               or w[i:i + size + 1] not in SYLLABLES):
                i += size
                break
        else:
            return False
    return True


class _LatinNames(Recognizer):
    kind, placeholder, priority, order = "NAME", "〔姓名〕", PLAIN, 1

    def find(self, text, ctx):
        if not _HINT.search(text):
            return
        for m in _INTRODUCED.finditer(text):
            if not _introduced(text, m):
                continue
            name = m.group("name")
            words = re.split(r"[ ·-]", name)
            if words[0] in _NOT_NAMES:
                continue
            while words and words[-1] in _NOT_NAMES:
                words.pop()
            if words:
                yield m.start("name"), m.start("name") + len(" ".join(words)), "NAME"
        for m in _RUN.finditer(text):
            words = re.split(r"[ ·-]", m.group())
            if any(w in _NOT_NAMES for w in words) or m.group() in _NOT_RUNS or not all(_pinyin_word(w) for w in words):
                continue
            if words[0].lower() in SURNAMES or words[-1].lower() in SURNAMES:
                yield m.start(), m.end(), "NAME"
        for m in _WESTERN.finditer(text):
            if m.group(1) not in _NOT_NAMES and m.group() not in _PLACES:
                yield m.start(), m.end(), "NAME"


RECOGNIZER = _LatinNames()
