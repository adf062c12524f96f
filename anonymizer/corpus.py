"""A labelled corpus of service notes for measuring ``anonymizer.redact`` honestly.

``pipelines.generate`` writes notes from a dozen templates and the detector was
tuned on them, so measuring it there flatters it.  This corpus is written the
way call-centre staff and customers really type: staff shorthand (``客户来电，
称…已告知``), customers' own messages in the WeChat account (``你好 我是…``),
complaints, lists of family members, identifiers in every shape (spaced,
dashed, ``+86``/``0086``, lower-case ``x``, full-width digits), addresses at
several levels of detail, names with and without courtesy cues, and
*distractors* that look like personal data but are not: order and transaction
numbers, amounts, dates and times, product and hospital names, 18-digit numbers
with a wrong check digit, policy and claim numbers, hotlines, verification codes,
places on their own, and common words that begin with a surname character
(高血压, 周一, 马上, 方便, 金额…) put right after the words that introduce a person.

Every note carries the truth: the personal data in it (kind, text and offsets),
the distractors in it (which must survive redaction), and the known names of the
account's own people (policyholder, spouse, children, parents, group contact),
exactly what ``anonymizer.pseudonymise`` passes to ``redact``.

Deterministic: note ``i`` of ``labelled_notes(n, seed)`` comes from its own
``random.Random`` seeded with ``(seed, i)`` and dates count back from the fixed
reference date 2026-11-20, so the same call gives the same notes on any day and
``labelled_notes(3000)`` is a prefix of ``labelled_notes(10000)``.

What overlaps with the detector (so what the numbers mean):

* Surnames are sampled from Faker's zh_CN list (by population weight, and 13%
  uniformly so rare surnames appear) plus compound and modern surnames listed
  here.  The detector has its own surname list (百家姓 and common modern
  surnames), which is *not* Faker's: Faker surnames missing from it (区, 由, 植,
  海, 原…) and 独孤 (in no 百家姓) test names outside its dictionary.
* Given names come half from Faker's given-name lists and half from characters
  listed here.  The detector has its own list of given-name characters; it
  covers all of these but Faker's 想, which it treats as a verb.
* The look-alike words and phrases (WORD_TRAPS, PHRASE_TRAPS) were written by
  the same author as the detector's word lists, and the detector was tuned on
  this corpus (seeds 1-3; the test's seed 0 was read for its misses), a *development*
  corpus: harder and more varied than the generator's notes, not a blind test.
"""

from __future__ import annotations

import csv
import random
import string
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

from core.idnumbers import luhn_check_digit, make_resident_id
from core.layout import PROJECT

REFERENCE_DATE = date(2026, 11, 20)
KINDS = ("NAME", "ID", "DOCUMENT", "MOBILE", "EMAIL", "CARD", "ADDRESS", "OPENID", "MEDICAL_NO")
CATEGORIES = ("customer_service", "consultation", "complaint", "customer_message")


class LabelledEntity(NamedTuple):
    """A span of a note: ``note.text[start:end] == text``."""

    kind: str  # one of KINDS for personal data; a distractor category otherwise
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class LabelledNote:
    """One note and the truth about it."""

    text: str
    entities: tuple[LabelledEntity, ...]  # personal data that must be redacted, in text order
    known_names: tuple[str, ...]  # the account's own people, as passed to ``redact``
    distractors: tuple[LabelledEntity, ...] = ()  # look-alikes that must survive verbatim
    category: str = "customer_service"  # one of CATEGORIES
    template: int = -1  # index of the template, for error analysis


# -- vocabulary ----------------------------------------------------------------------------------

# Compound and modern surnames the corpus adds to Faker's list (独孤 is in no 百家姓 edition).
EXTRA_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
                  "长孙", "宇文", "司徒", "夏侯", "端木", "南宫", "西门", "独孤", "肖", "付", "闫")
GIVEN_CHARS = (
    "子梓涵浩宇轩欣怡思雨泽晨嘉俊文博睿诗琪萱杰佳婧瑶璐雯婷倩蕾妍彤悦然凯毅楠航霖昊晟翔阳磊鹏"
    "程远志德荣福贵祥根生发林森秀兰凤英珍芬琴霞红艳丽敏静洁燕梅芳玲娟惠淑桂美春秋冬雪月云晓亚"
    "忠勇军兵伟强刚斌辉峰波涛亮超健康宁乐书若沐依诺一可心语梦雅馨逸铭鑫钰琳锦卫永振兴耀明光天"
    "金安平正东海家中国建新立成华"
)
CUES = ("先生", "女士", "小姐", "老师", "阿姨", "师傅", "经理", "大爷", "大妈", "同学", "医生", "主任",
        "总", "姐", "哥", "老板", "护士", "律师", "叔叔", "奶奶", "爷爷", "太太")
CUE_WEIGHTS = (30, 30, 8, 6, 5, 4, 4, 2, 2, 2, 2, 2, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1)
MOBILE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "147", "150",
                   "151", "152", "153", "155", "156", "157", "158", "159", "162", "165", "166", "167",
                   "170", "171", "172", "173", "175", "176", "177", "178", "180", "181", "182", "183",
                   "184", "185", "186", "187", "188", "189", "190", "191", "192", "193", "195", "196",
                   "197", "198", "199")
CARD_BINS = ("622202", "622848", "621700", "622588", "621483", "622609", "623668", "621226", "622700",
             "436742", "622260", "625965", "518710", "356833", "621661", "622908", "628288")
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "139.com", "sina.com", "sina.cn", "foxmail.com",
                 "outlook.com", "gmail.com", "hotmail.com", "yeah.net", "aliyun.com", "sohu.com",
                 "wxrmyy.com.cn", "jiangnan.edu.cn", "wuxi.gov.cn", "vip.163.com", "icloud.com")
PINYIN_SURNAMES = ("zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu",
                   "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo", "ouyang", "xie", "shen")
PINYIN_GIVEN = ("wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong", "yan",
                "jie", "juan", "tao", "ming", "chao", "xiu", "xia", "ping", "gang", "hua", "hao", "yu",
                "xin", "yi", "zi", "han", "xuan", "chen", "rui", "jia", "ting", "qi", "lin", "feng")
ENGLISH_HANDLES = ("sunny", "tom", "lucy", "kevin", "amy", "jack", "coco", "leo", "vivian", "alex",
                   "cathy", "david", "echo", "eric", "grace", "ivy", "jason", "lily", "mike", "nancy")
WUXI_DISTRICTS = ("梁溪区", "滨湖区", "新吴区", "锡山区", "惠山区", "江阴市", "宜兴市")
OTHER_PLACES = (("江苏省", "苏州市", "姑苏区"), ("江苏省", "常州市", "武进区"), ("上海市", "", "浦东新区"),
                ("浙江省", "杭州市", "西湖区"), ("安徽省", "合肥市", "蜀山区"), ("江苏省", "南京市", "鼓楼区"),
                ("河南省", "信阳市", "浉河区"), ("四川省", "成都市", "武侯区"), ("广西壮族自治区", "南宁市", "青秀区"))
SUBDISTRICTS = ("堰桥街道", "华庄街道", "东港镇", "丁蜀镇", "玉祁街道", "太湖街道", "广益街道", "硕放街道",
                "梅村街道", "洛社镇", "周铁镇", "钱桥街道", "蠡园街道", "旺庄街道", "徐霞客镇")
ROADS = ("中山路", "人民中路", "解放西路", "学前街", "太湖大道", "梁溪路", "湖滨路", "金城路", "锡沪路",
         "惠山大道", "蠡湖大道", "清扬路", "新华路", "长江路", "县前街", "五爱路", "通扬北路", "运河东路",
         "江海西路", "凤宾路", "广瑞路", "青祁路", "震泽路", "高浪东路", "建筑路", "南长街", "北大街",
         "崇宁路", "槐古巷", "小娄巷", "定胜河弄", "兴源北路", "天山路", "春丰路", "吴都路", "杨巷")
COMPOUNDS = ("金城花园", "清扬新村", "湖滨家园", "太湖明珠小区", "蠡湖香樟园", "万科城市花园", "融创玉兰花园",
             "春潮花园", "广益佳苑", "梁溪新村", "尚锦城", "世茂首府", "山水城", "蓝湾一号", "风雷新村",
             "五河新村", "塘南新村", "锡惠公寓", "芦庄小区", "大成巷小区", "华侨新城", "金科世界城")
VILLAGES = ("陆区村", "前洲村", "杨市村", "新桥村", "胡埭村", "张泾村", "周庄村", "东亭村")
HOSPITALS = ("无锡市人民医院", "无锡市第二人民医院", "江南大学附属医院", "无锡市儿童医院", "无锡市中医医院",
             "宜兴市人民医院", "江阴市人民医院", "无锡市第五人民医院", "无锡市精神卫生中心", "复旦大学附属中山医院",
             "上海交通大学医学院附属瑞金医院", "无锡市惠山区人民医院")
OFFICES = ("梁溪区医保中心", "无锡市医疗保障局", "新吴区政务服务中心", "无锡市民中心", "滨湖区社保所",
           "中山路营业厅", "人民中路网点", "解放西路那个网点")
PLACES = ("无锡市", "梁溪区", "江苏省", "无锡", "江阴市", "新吴区", "滨湖区", "上海", "宜兴", "惠山区", "锡山区",
          "苏州", "常州", "南京")
PRODUCTS = ("惠锡保2026", "医惠锡城", "惠锡保", "医惠锡城·惠锡保2027", "惠锡保2027", "惠锡保升级版",
            "惠锡保基础版", "2026年度惠锡保", "惠锡保（2025）")
BANKS = ("工商银行", "农业银行", "建设银行", "招商银行", "中国银行", "交通银行", "江苏银行", "无锡农商行")
CONDITIONS = ("高血压", "糖尿病", "冠心病", "慢性肾病", "恶性肿瘤", "慢阻肺", "脑卒中", "甲状腺结节",
              "乳腺结节", "高血脂", "痛风", "哮喘")
COMPANIES = ("无锡某科技有限公司", "江南电缆厂", "锡山区某街道办", "无锡市第一中学", "新吴区某社区",
             "梁溪区幸福社区居委会", "某物流公司无锡分公司")
# Words beginning with a surname character, each in the place where an unknown name would go.
# (prefix, word, suffix): the word must survive redaction.
WORD_TRAPS = (
    ("客户", "周一", "再来电"), ("客户", "马上", "到柜台"), ("客户", "方便", "时回电"), ("客户", "白天", "不方便接电话"),
    ("被保人", "高血压", "十年，问能否理赔"), ("被保人", "高血压", "，问能否投保"), ("是", "常州", "的客户"),
    ("代缴", "金额", "不对"), ("联系人", "方便", "的话请回电"), ("客户", "钱款", "已退回"), ("代", "江南", "片区客户咨询"),
    ("收件人", "马上", "就到"), ("投保人", "黄金", "周期间不在无锡"), ("客户", "文件", "已收到"), ("是", "周一", "扣的款"),
    ("客户", "高龄", "，已告知可以投保"), ("患者", "高血脂", "多年"), ("客户", "常年", "在外地"), ("是", "金额", "不对"),
    ("客户", "包括", "本人共3人"), ("是", "常规", "流程"), ("代", "孙子", "问投保"), ("是", "江阴", "的"),
    ("客户", "于是", "挂断"), ("投保人", "全家", "都买了"), ("客户", "任何", "时间都可以"), ("客户", "关于", "免赔额有疑问"),
    ("被保人", "安全", "到家后回电"), ("是", "华为", "手机"), ("客户", "明天", "再来"),
    ("客户", "时间", "不方便"), ("客户", "程序", "打不开"), ("家属", "马上", "过来"), ("经办人", "周末", "休息"),
    ("是", "方便", "面厂的团单"), ("客户", "余额", "不足"), ("被保人", "万一", "复发怎么办"), ("是", "王府井", "那家店"),
    ("客户", "宁可", "不买"), ("客户", "齐全", "材料已提交"), ("申请人", "石膏", "固定中"), ("代", "花费", "太多"),
    ("是", "黄山", "旅游期间受伤"), ("客户", "童年", "有哮喘史"), ("客户", "路上", "，稍后回电"), ("客户", "温州", "户籍"),
    ("是", "钟点", "工"), ("客户", "成功", "投保"), ("是", "周二", "下午"), ("客户", "向来", "按时缴费"),
)
# Phrases around cues, introducers and numbers that are not personal data: (prefix, distractor, suffix).
PHRASE_TRAPS = (
    ("", "这位先生", "来电咨询"), ("", "该女士", "表示理解"), ("客户称", "其先生", "已住院"), ("", "她先生", "也要投保"),
    ("", "值班医生", "说需要住院"), ("孩子的", "班主任", "通知要交"), ("已转", "客户经理", "跟进"),
    ("", "家庭医生", "签约后可以报销"), ("保单", "先生效", "后扣款"), ("", "对方", "表示会再联系"),
    ("快递放在", "小区门口", "了"), ("24", "小时内", "回电"), ("", "老年人", "也可以投保"), ("免赔额", "小于2万", "的部分"),
    ("在", "门诊3号楼", "缴费"), ("请到", "3号窗口", "办理"), ("医院", "南门", "停车场"), ("客户是", "老师", "，白天上课"),
    ("", "主治医生", "建议手术"), ("", "护士站", "电话打不通"), ("", "代理人", "说可以退保"), ("", "代扣", "失败"),
    ("被保人是", "高风险", "人群吗"), ("是", "单位", "统一投保"), ("是", "孙女", "投保"), ("客户", "明白", "了"),
    ("客户", "江苏", "户籍"), ("客户", "金卡", "会员"), ("客户", "向我们", "反映"), ("", "客户方", "要求退款"),
    ("联系人", "同上", ""), ("收件人", "本人", ""), ("客户于", "今日", "来电"), ("投保人", "年龄", "超过"),
    ("被保人", "常住", "无锡"), ("客户", "车祸", "受伤"), ("是", "严重", "的吗"), ("客户", "应该", "是误操作"),
    ("报案号", "6225012026112000173", ""), ("工单号", "5180" + "2026112000123", ""), ("家住", "江阴", ""),
    ("我是", "惠锡保", "的用户"), ("找", "客服", "没人理"), ("", "王者荣耀", "充值"), ("和", "平安", "保险比"),
    ("", "黄金周", "期间"), ("", "马路", "对面的网点"), ("代", "缴", "费用"), ("", "老客户", "续保"),
    ("", "小程序", "打不开"), ("", "小孩", "能买吗"), ("", "老人", "能买吗"), ("", "高先生效", "吗"),
)
TRAP_WORDS_ALONE = ("高血压", "黄金", "白天", "方便", "金额", "文件", "江南", "周一", "马上", "常州", "钱款", "王府井",
                    "高龄", "余额", "时间", "全家", "安全", "万一", "周末", "明天", "成功", "石膏", "周三", "程序")


# -- the people ----------------------------------------------------------------------------------

class _Person(NamedTuple):
    name: str
    surname: str
    male: bool
    birth: date
    region: str


@lru_cache(maxsize=1)
def _faker_lists() -> tuple[list[str], list[float], list[str], list[str]]:
    """Faker's surnames with *cumulative* weights, and its given names."""
    from faker.providers.person.zh_CN import Provider

    return (list(Provider.last_names), list(accumulate(Provider.last_names.values())),
            list(Provider.first_names_male), list(Provider.first_names_female))


@lru_cache(maxsize=1)
def _region_codes() -> tuple[tuple[str, ...], tuple[str, ...]]:

    rows = list(csv.DictReader(PROJECT.seed("regions").open(encoding="utf-8")))
    districts = [r for r in rows if r["region_level"] == "district"]
    wuxi = tuple(r["region_code"] for r in districts if r["city_code"] == "320200")
    other = tuple(r["region_code"] for r in districts if r["city_code"] != "320200")
    return wuxi, other


class _Maker:
    """Everything one note needs, drawn from one seeded RNG."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng
        self.used: set[str] = set()

    # names
    def surname(self) -> str:
        r = self.r
        names, cum_weights, _, _ = _faker_lists()
        u = r.random()
        if u < 0.80:
            return r.choices(names, cum_weights=cum_weights)[0]
        if u < 0.93:
            return r.choice(names)
        return r.choice(EXTRA_SURNAMES)

    def given(self, male: bool) -> str:
        r = self.r
        _, _, male_names, female_names = _faker_lists()
        if r.random() < 0.5:
            g = r.choice(male_names if male else female_names)
            if len(g) == 1 and r.random() < 0.6:
                g += r.choice(GIVEN_CHARS)
            return g
        return "".join(r.choice(GIVEN_CHARS) for _ in range(r.choice((1, 2, 2, 2))))

    def person(self, age: int, male: bool, surname: str | None = None) -> _Person:
        r = self.r
        for _ in range(50):
            sn = surname or self.surname()
            name = sn + self.given(male)
            # distinct people, and no name inside another (王芳 / 王芳芳)
            if not any(name in u or u in name for u in self.used):
                break
        self.used.add(name)
        birth = REFERENCE_DATE - timedelta(days=int(age * 365.25) + r.randrange(365))
        wuxi, other = _region_codes()
        region = r.choice(wuxi) if r.random() < 0.8 else r.choice(other)
        return _Person(name, sn, male, birth, region)


class _Family(NamedTuple):
    holder: _Person
    spouse: _Person | None
    children: tuple[_Person, ...]
    father: _Person | None
    mother: _Person | None
    contact: _Person | None

    def people(self) -> list[_Person]:
        return [p for p in (self.holder, self.spouse, *self.children, self.father, self.mother, self.contact) if p]


def _family(m: _Maker) -> _Family:
    r = m.r
    age = r.randrange(24, 80)
    male = r.random() < 0.5
    holder = m.person(age, male)
    spouse = m.person(max(22, age + r.randrange(-5, 6)), not male) if r.random() < 0.7 else None
    father_surname = holder.surname if male or spouse is None else spouse.surname
    kids = []
    if age < 65:
        for _ in range(r.choice((0, 1, 1, 2))):
            kids.append(m.person(r.randrange(0, max(1, age - 22)), r.random() < 0.5,
                                 father_surname if r.random() < 0.85 else None))
    father = m.person(age + r.randrange(24, 34), True, holder.surname) if age < 60 and r.random() < 0.5 else None
    mother = m.person(age + r.randrange(22, 32), False) if age < 60 and r.random() < 0.5 else None
    contact = m.person(r.randrange(25, 60), r.random() < 0.5) if r.random() < 0.15 else None
    return _Family(holder, spouse, tuple(kids), father, mother, contact)


# -- identifiers in the shapes people type -------------------------------------------------------

_FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def _id_number(p: _Person, r: random.Random) -> str:
    seq = r.randrange(500) * 2 + (1 if p.male else 0)
    return make_resident_id(p.region, p.birth, seq)


def _id_form(idn: str, r: random.Random) -> str:
    u = r.random()
    if u < 0.40:
        return idn
    if u < 0.55:
        return f"{idn[:6]} {idn[6:14]} {idn[14:]}"
    if u < 0.65:
        return f"{idn[:6]}-{idn[6:14]}-{idn[14:]}"
    if u < 0.72:
        return " ".join(idn[i:i + 4] for i in range(0, 18, 4))
    if u < 0.80:
        return f"{idn[:3]} {idn[3:6]} {idn[6:10]} {idn[10:14]} {idn[14:]}"
    if u < 0.85:
        return idn.translate(_FULL_WIDTH)
    if idn.endswith("X"):
        return idn.lower()
    return f"{idn[:6]} {idn[6:]}"


def _mobile_number(r: random.Random) -> str:
    return r.choice(MOBILE_PREFIXES) + f"{r.randrange(10**8):08d}"


def _mobile_form(mob: str, r: random.Random) -> str:
    a, b, c = mob[:3], mob[3:7], mob[7:]
    forms = (
        (mob, 30), (f"{a} {b} {c}", 10), (f"{a}-{b}-{c}", 8), (f"+86 {a} {b} {c}", 5), (f"+86{mob}", 4),
        (f"+86-{mob}", 3), (f"+86 {mob}", 4), (f"0086-{a}-{b}-{c}", 3), (f"0086{mob}", 3), (f"0086 {mob}", 2),
        (f"{a}{b} {c}", 4), (f"{a} {b}{c}", 3), (f"{a}-{b}{c}", 2), (f"{a} {b} {c}".translate(_FULL_WIDTH), 2),
        (mob.translate(_FULL_WIDTH), 3), (f"+86 {a}-{b}-{c}", 2), (f"{a}.{b}.{c}", 1),
    )
    return r.choices([f for f, _ in forms], [w for _, w in forms])[0]


def _card_number(r: random.Random) -> str:
    body = r.choice(CARD_BINS)
    length = r.choice((16, 16, 16, 19, 19, 17, 18))
    body += "".join(str(r.randrange(10)) for _ in range(length - 1 - len(body)))
    return body + luhn_check_digit(body)


def _card_form(card: str, r: random.Random) -> str:
    u = r.random()
    if u < 0.45:
        return card
    if u < 0.85:
        return " ".join(card[i:i + 4] for i in range(0, len(card), 4))
    if u < 0.93:
        return "-".join(card[i:i + 4] for i in range(0, len(card), 4))
    return card.translate(_FULL_WIDTH)


def _email(r: random.Random) -> str:
    u = r.random()
    if u < 0.30:
        user = str(r.randrange(10**4, 10**10))  # QQ number
    elif u < 0.65:
        sep = r.choice(("", "", ".", "_", "-"))
        user = r.choice(PINYIN_SURNAMES) + sep + r.choice(PINYIN_GIVEN)
        if r.random() < 0.5:
            user += str(r.choice((r.randrange(1950, 2015), r.randrange(1, 999))))
    elif u < 0.85:
        user = r.choice(ENGLISH_HANDLES) + r.choice(("", "_", ".")) + r.choice(PINYIN_SURNAMES)
        if r.random() < 0.3:
            user += "+hxb"
    else:
        user = r.choice(PINYIN_SURNAMES)[0] + r.choice(PINYIN_GIVEN) + str(r.randrange(100, 99999))
    mail = f"{user}@{r.choice(EMAIL_DOMAINS)}"
    if r.random() < 0.08:
        mail = mail.upper()
    elif r.random() < 0.05:
        mail = mail.replace("@", "＠")
    return mail


def _openid(r: random.Random) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "o" + "".join(r.choices(string.ascii_letters, k=3)) + "".join(r.choices(alphabet, k=24))


def _document(r: random.Random) -> str:
    u = r.random()
    digits = "".join(str(r.randrange(10)) for _ in range(8))
    if u < 0.4:
        return "E" + digits  # passport
    if u < 0.7:
        return r.choice("CHM") + digits  # 港澳通行证
    if u < 0.85:
        return "G" + digits  # old passport
    return r.choice("EK") + digits


def _address(r: random.Random) -> str:
    local = r.random() < 0.85
    if local:
        province, city, district = "江苏省", "无锡市", r.choice(WUXI_DISTRICTS)
    else:
        province, city, district = r.choice(OTHER_PLACES)
    # how much of the administrative part people type
    level = r.choices((3, 2, 1, 0), (0.25, 0.35, 0.3, 0.1))[0]
    admin = {3: province + city + district, 2: (city or province) + district, 1: district, 0: ""}[level]
    if admin and r.random() < 0.15:
        admin += r.choice(SUBDISTRICTS)
    n, b, u, room = r.randrange(1, 1200), r.randrange(1, 40), r.randrange(1, 6), r.randrange(101, 2802)
    road, compound = r.choice(ROADS), r.choice(COMPOUNDS)
    shape = r.randrange(9)
    if shape == 0:
        detail = f"{road}{n}号"
    elif shape == 1:
        detail = f"{road}{n}号{b}{r.choice(('栋', '幢', '号楼'))}{room}室"
    elif shape == 2:
        detail = f"{road}{n}号{b}栋{u}单元{room}室"
    elif shape == 3:
        detail = f"{compound}{b}栋{u}单元{room}" + ("室" if r.random() < 0.7 else "")
    elif shape == 4:
        detail = f"{compound}{b}-{u}-{room}"
    elif shape == 5:
        detail = f"{road}{n}弄{b}号{room}室"
    elif shape == 6:
        detail = f"{road}{n}号{compound}{b}幢{room}室"
    elif shape == 7:
        detail = f"{compound}{b}号{room}室"
    else:
        town = r.choice(("洛社镇", "东港镇", "丁蜀镇", "周铁镇", "阳山镇", "璜土镇"))
        detail = f"{town}{r.choice(VILLAGES)}{r.randrange(1, 20)}组{r.randrange(1, 120)}号"
        for sub in SUBDISTRICTS:
            admin = admin.removesuffix(sub)  # a village is in a town, not in a 街道
    if admin and r.random() < 0.15:
        return admin + " " + detail  # people put a space between the parts
    return admin + detail


# -- distractors ---------------------------------------------------------------------------------

def _day(r: random.Random) -> date:
    return REFERENCE_DATE - timedelta(days=r.randrange(0, 700))


def _date_text(r: random.Random) -> str:
    d = _day(r)
    return r.choice((f"{d:%Y-%m-%d}", f"{d.year}年{d.month}月{d.day}日", f"{d.month}月{d.day}号",
                     f"{d:%Y/%m/%d}", f"{d:%Y.%m.%d}", f"{d:%Y%m%d}", f"{d.month}月{d.day}日"))


def _time_text(r: random.Random) -> str:
    return r.choice((f"{r.randrange(8, 21)}:{r.choice(('00', '15', '30', '45'))}", f"下午{r.randrange(1, 6)}点",
                     f"上午{r.choice('九十')}点半", "9:00-17:00", f"{r.randrange(8, 21)}点{r.randrange(1, 59)}分",
                     "今天下午", "明天上午", f"{r.randrange(1, 12)}点前"))


def _amount(r: random.Random) -> str:
    yuan = r.choice((99, 199, 129, 139, 9900, 19900, 1280, 35000, 4567, 20000))
    return r.choice((f"¥{yuan}.00", f"{yuan}元", f"￥{yuan:,}.50", f"{yuan}.00元", f"{r.randrange(1, 50)}万元",
                     f"RMB {yuan}", f"{yuan}块"))


def _order(r: random.Random) -> str:
    d = _day(r)
    u = r.random()
    if u < 0.4:
        return f"{d:%Y%m%d}{r.randrange(10**6):06d}"  # 14 digits
    if u < 0.6:
        return f"42000{r.randrange(10**4):04d}{d:%Y%m%d}{r.randrange(10**10):010d}"  # WeChat Pay, 27+
    if u < 0.8:
        return f"HXB{d:%Y%m%d}{r.randrange(10**7):07d}"
    return f"{d:%Y%m%d}{r.randrange(10**10):010d}"  # 18 digits starting with a year


def _bad_id(r: random.Random) -> str:
    wuxi, other = _region_codes()
    birth = date(r.randrange(1940, 2020), r.randrange(1, 13), r.randrange(1, 29))
    good = make_resident_id(r.choice(wuxi + other), birth, r.randrange(1000))
    wrong = r.choice([c for c in "0123456789X" if c != good[-1]])
    return good[:-1] + wrong


def _policy(r: random.Random) -> str:
    d = _day(r)
    return r.choice((f"HXB{d.year}{r.randrange(10**9):09d}", f"P{d:%Y%m%d}{r.randrange(10**6):06d}",
                     f"LP{d:%Y%m%d}{r.randrange(10**4):04d}", f"HXB{d.year}-{r.randrange(10**6):06d}",
                     f"GZ{d.year}{r.randrange(10**5):05d}"))


def _hotline(r: random.Random) -> str:
    return r.choice(("400-820-5678", "4008205678", "95588", "95519", "12345", "0510-12345",
                     "400 656 1199", "96166"))


# -- templates -----------------------------------------------------------------------------------

# Slots: {holder} {spouse} {child} {father} {mother} {contact} {kin} {kin2} {given}: the account's
# people (known names); {stranger} {stranger2}: unknown names; {mr}: surname + courtesy cue;
# {namecue}: unknown full name followed by a cue; {nick}: 老/小 + surname; {mobile} {mobile2} {id}
# {id2} {doc} {email} {card} {openid} {addr}: identifiers; {order} {amount} {date} {date2} {time}
# {product} {hospital} {office} {badid} {policy} {place} {hotline} {code} {last4} {workno} {age}
# {count} {condition} {bank} {company} {trap} {word}: distractors.
TEMPLATES: tuple[tuple[str, str], ...] = (
    # customer service: staff shorthand
    ("customer_service", "客户{holder}来电咨询{product}理赔流程，联系电话{mobile}。"),
    ("customer_service", "{holder}来电反映{date}扣款{amount}未出保单，订单号{order}，已提交核查。"),
    ("customer_service", "来电人：{stranger}（{holder}的同事），代为咨询团单事宜，手机{mobile}"),
    ("customer_service", "投保人{holder}，被保人{child}，身份证{id}，反映小程序提示证件号不正确，核实为系统校验问题，已报障。"),
    ("customer_service", "客户称家属{father}已于{date}在{hospital}住院，询问出院后多久能理赔，告知需病历、发票、身份证。"),
    ("customer_service", "收件人：{holder} 电话：{mobile} 地址：{addr}"),
    ("customer_service", "寄送纸质凭证至{addr}，收件人{kin}，{mobile}"),
    ("customer_service", "{mr}来电，要求修改手机号为{mobile}，原号码{mobile2}已停用。"),
    ("customer_service", "客户要求退保，退款原路退回{bank}卡{card}，预计3-5个工作日到账。"),
    ("customer_service", "绑定微信异常，openid={openid}，客户{holder}称换了手机，已解绑重绑。"),
    ("customer_service", "openid {openid} 重复注册，合并至主账户，联系人{contact}"),
    ("customer_service", "团单联系人{contact}（{company}），邮箱{email}，电话{mobile}，咨询{count}人团体投保报价。"),
    ("customer_service", "客户邮箱{email}收不到电子保单，已重发，请{date}前查收。"),
    ("customer_service", "{mr}致电，为母亲{mother}补录身份证号{id}，已补录，保单号{policy}。"),
    ("customer_service", "客户{holder}称{spouse}的证件号填错了，正确的是{id}，原填写{badid}，已转核保修改。"),
    ("customer_service", "回访{mr}，{time}无人接听，再拨{mobile}，已接通，客户表示满意。"),
    ("customer_service", "客户来电，验证码{code}收不到，手机{mobile}，已在后台查看短信发送记录。"),
    ("customer_service", "坐席工号{workno}：{namecue}来电询问{product}能否用医保个账支付，已告知。"),
    ("customer_service", "客户要求开发票，抬头{company}，接收邮箱：{email}"),
    ("customer_service", "经办人{stranger}代{holder}办理退费{amount}，收款账户{card}（户名{holder}）"),
    ("customer_service", "{holder}、{spouse}两人{date}投保成功，{child}的投保因证件{badid}校验失败未成功，已指导重新提交。"),
    ("customer_service", "{trap}，已记录。"),
    ("customer_service", "联系人{stranger}，{mobile}，{trap}，已记录。"),
    ("customer_service", "客户称{given}的保单显示未生效，核实已于{date}生效，已告知。"),
    ("customer_service", "{nick}来电问{kin}的理赔进度，已告知在审核中，案件号{policy}。"),
    ("customer_service", "客户换绑手机：旧{mobile2} 新{mobile}，身份验证通过（证件尾号{last4}）。"),
    ("customer_service", "外籍家属{stranger}，护照号{doc}，问能否参保，已告知需有本市医保。"),
    ("customer_service", "客户{stranger}称在{office}办理时被告知可以线下投保，已解释仅线上渠道。"),
    ("customer_service", "地址变更：原地址{place}，新地址{addr}，客户{holder}确认。"),
    ("customer_service", "被保险人：{kin}；证件：{id}；手机：{mobile}；已核实身份。"),
    ("customer_service", "客户说他爱人{spouse}和儿子{child}都在{hospital}看过病，问能不能一起报销。"),
    ("customer_service", "来电号码{mobile}，自称{stranger}，非本人账户，未透露信息。"),
    ("customer_service", "客户{holder}要求注销账户，openid：{openid}，已提交注销申请，{age}岁老人由女儿{stranger}陪同办理。"),
    ("customer_service", "转办单：{mr}的{kin2}在{place}工作，要求把保单寄到单位地址{addr}。"),
    # consultation
    ("consultation", "咨询：{age}岁老人有{condition}能不能买{product}？电话{mobile}"),
    ("consultation", "问：我爸爸{father}今年{age}岁，有{condition}，能投保吗？"),
    ("consultation", "你好，我叫{stranger}，想给我妈{mother}买保险，她身份证是{id}"),
    ("consultation", "咨询医保个人账户能否给{spouse}缴费，已答复可以，{product}{amount}。"),
    ("consultation", "客户询问{date}之后还能不能投保{product}，告知截止日期{date2}。"),
    ("consultation", "港澳通行证{doc}能不能投保？联系我：{email}"),
    ("consultation", "{namecue}咨询{condition}是否属于既往症，已解释免责条款。"),
    ("consultation", "代{stranger}咨询团体投保，对方邮箱{email}，电话{mobile}"),
    ("consultation", "客户咨询在{hospital}住院的费用能不能报，被保人{kin}，住院号{medno}。"),
    ("consultation", "问{product}和{product}有什么区别，{mr}说{date}要给全家投保，{count}人。"),
    ("consultation", "客户想给孩子{child}投保，孩子户口在{place}，身份证{id}，问能否参保。"),
    ("consultation", "咨询：{trap}，怎么办？"),
    ("consultation", "{mr}问{word}能不能投保，已告知可以。"),
    ("consultation", "投保人是{stranger}，被保人是{stranger2}，问能否跨账户投保。"),
    ("consultation", "我是{holder}的{kin_role}，想问下怎么帮{holder}查询保单，我电话是{mobile}"),
    ("consultation", "咨询理赔材料寄送地址，告知寄至{office}，客户{holder}表示明白。"),
    ("consultation", "客户询问{date}在{hospital}门诊花了{amount}能报多少，被保险人{kin}，身份证号码：{id}"),
    ("consultation", "问：护照{doc}的外籍配偶{stranger}可以投保吗？我的电话{mobile}，邮箱{email}"),
    # complaint
    ("complaint", "投诉：重复扣款两次（{amount}×2），银行卡号{card}，订单{order}，请尽快退款！！回复邮箱{email}"),
    ("complaint", "客户{holder}投诉客服态度差，工号{workno}，要求主管{time}前回电{mobile}。"),
    ("complaint", "【投诉】{mr}称理赔被拒，被保险人{kin}（身份证{id}）在{hospital}的住院费用{amount}，要求复核。"),
    ("complaint", "用户投诉短信骚扰，号码{mobile}，要求退订，已加入黑名单。"),
    ("complaint", "12345转办：市民{stranger}反映{product}宣传不实，联系电话{mobile}，家住{addr}。"),
    ("complaint", "投诉：{date}申请理赔至今未到账，金额{amount}，收款卡{card}，{namecue}非常不满。"),
    ("complaint", "客户投诉{product}保单寄错地址，应寄{addr}，实际寄到{place}，收件人{holder}。"),
    ("complaint", "{holder}投诉：给{kin}投保扣了{amount}，交易单号{order}，但{kin}名下查不到保单！"),
    ("complaint", "监管转办：投诉人{stranger}，身份证{id}，手机{mobile}，反映退保退款{amount}迟迟未到。"),
    ("complaint", "投诉人：{namecue}，联系方式{mobile}，投诉理由：{trap}。"),
    ("complaint", "客户情绪激动，称{date}{time}来电已有三次，{mr}要求{time}前答复，不然投诉到{office}。"),
    ("complaint", "投诉 {hotline} 一直打不通，客户{holder}（{mobile}）要求回电。"),
    # customer messages (typed in the WeChat account)
    ("customer_message", "我的手机号换成{mobile}了 麻烦改一下 我叫{holder}"),
    ("customer_message", "身份证{id} 名字{kin} 查一下保单"),
    ("customer_message", "{holder} {id} {mobile}"),
    ("customer_message", "姓名：{holder}；证件号码：{id}；联系方式：{mobile}；邮箱：{email}"),
    ("customer_message", "卡号是{card}，户名{holder}，退款退这个卡"),
    ("customer_message", "请寄到{addr}，{holder}收，电话{mobile}"),
    ("customer_message", "你好 我是{holder} 我的身份证{id} 为什么一直显示未生效？？"),
    ("customer_message", "我妈妈{mother}的保单怎么查不到 电话{mobile}"),
    ("customer_message", "邮箱{email}谢谢"),
    ("customer_message", "给{kin}和{kin2}都买了{product}，怎么只有一份？订单{order}"),
    ("customer_message", "被保人：{kin}、{kin2}，联系电话{mobile}/{mobile2}"),
    ("customer_message", "{stranger}{mobile}"),
    ("customer_message", "麻烦联系{mr} {mobile}"),
    ("customer_message", "我在{hospital}，{date}做的手术，发票{amount}，怎么理赔？我是{holder}"),
    ("customer_message", "快递寄到{addr}就行"),
    ("customer_message", "{trap}"),
    ("customer_message", "我的openid是{openid}吗？为什么登录不了"),
    ("customer_message", "帮我老公{spouse}改一下手机号{mobile}，他身份证是{id}"),
    ("customer_message", "验证码{code}，手机号{mobile}，不知道为什么提示错误"),
    ("customer_message", "地址：{addr}  收件人：{kin}  手机：{mobile}"),
    ("customer_message", "你们电话{hotline}打不通，我是{namecue}，有事找你们"),
    ("customer_message", "{given}今年的保单什么时候生效？"),
    ("customer_message", "护照号码{doc}，名字{stranger}，可以买吗"),
    ("customer_message", "{date}扣了我{amount}，尾号{last4}的卡，订单号{order}"),
    ("customer_message", "身份证号：{badid}，帮我看看为什么提交不了"),
    ("customer_message", "您好，我是{company}的{stranger}，我们有{count}个人要团购，我邮箱{email}"),
    # notes with look-alikes only, or look-alikes around the account's people
    ("customer_service", "{phrase}，{phrase2}。"),
    ("consultation", "{phrase}？{phrase2}，谢谢"),
    ("complaint", "投诉：{phrase}，{phrase2}，{date}{time}前处理。"),
    ("customer_service", "客户{holder}来电，{phrase}，{phrase2}，已记录。"),
    ("customer_message", "{phrase}。我是{kin}，{phrase2}"),
)
KIN_ROLES = ("女儿", "儿子", "爱人", "老伴", "同事", "邻居", "朋友")


class _Builder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.entities: list[LabelledEntity] = []
        self.distractors: list[LabelledEntity] = []

    def text(self, s: str) -> None:
        self.parts.append(s)
        self.length += len(s)

    def add(self, kind: str, s: str, distractor: bool = False) -> None:
        e = LabelledEntity(kind, s, self.length, self.length + len(s))
        (self.distractors if distractor else self.entities).append(e)
        self.text(s)


def _note(rng: random.Random) -> LabelledNote:
    r = rng
    m = _Maker(r)
    fam = _family(m)
    people = fam.people()
    kin = r.choice(people)
    kin2 = r.choice([p for p in people if p is not kin] or [kin])
    stranger, stranger2 = m.person(r.randrange(20, 70), r.random() < 0.5), m.person(40, r.random() < 0.5)
    t_index = r.randrange(len(TEMPLATES))
    category, template = TEMPLATES[t_index]
    b = _Builder()
    mobile = _mobile_number(r)
    known = {p.name for p in people}

    def name(p: _Person | None) -> None:
        b.add("NAME", (p or fam.holder).name)

    def given() -> None:
        cands = [p for p in people if len(p.name) - len(p.surname) == 2]
        if cands:
            p = r.choice(cands)
            b.add("NAME", p.name[len(p.surname):])
        else:
            name(kin)

    def cue() -> str:
        return r.choices(CUES, CUE_WEIGHTS)[0]

    def phrase() -> None:
        pre, word, post = r.choice(PHRASE_TRAPS)
        b.text(pre)
        b.add("PHRASE", word, distractor=True)
        b.text(post)

    def trap() -> None:
        pre, word, post = r.choice(WORD_TRAPS)
        b.text(pre)
        b.add("WORD", word, distractor=True)
        b.text(post)

    fillers = {
        "holder": lambda: name(fam.holder),
        "spouse": lambda: name(fam.spouse or kin),
        "child": lambda: name(fam.children[0] if fam.children else kin),
        "father": lambda: name(fam.father or kin),
        "mother": lambda: name(fam.mother or kin),
        "contact": lambda: name(fam.contact or fam.holder),
        "kin": lambda: name(kin),
        "kin2": lambda: name(kin2),
        "given": given,
        "stranger": lambda: name(stranger),
        "stranger2": lambda: name(stranger2),
        "mr": lambda: b.add("NAME", (r.choice((fam.holder.surname, stranger.surname, m.surname()))) + cue()),
        "namecue": lambda: (name(stranger), b.text(cue())),
        "nick": lambda: b.add("NAME", r.choice("老小") + r.choice((fam.holder.surname, m.surname()))),
        "kin_role": lambda: b.text(r.choice(KIN_ROLES)),
        "mobile": lambda: b.add("MOBILE", _mobile_form(mobile, r)),
        "mobile2": lambda: b.add("MOBILE", _mobile_form(_mobile_number(r), r)),
        "id": lambda: b.add("ID", _id_form(_id_number(kin, r), r)),
        "id2": lambda: b.add("ID", _id_form(_id_number(kin2, r), r)),
        "doc": lambda: b.add("DOCUMENT", _document(r)),
        "email": lambda: b.add("EMAIL", _email(r)),
        "card": lambda: b.add("CARD", _card_form(_card_number(r), r)),
        "openid": lambda: b.add("OPENID", _openid(r)),
        "addr": lambda: b.add("ADDRESS", _address(r)),
        "order": lambda: b.add("ORDER", _order(r), True),
        "medno": lambda: b.add("MEDICAL_NO", _order(r)),
        "amount": lambda: b.add("AMOUNT", _amount(r), True),
        "date": lambda: b.add("DATE", _date_text(r), True),
        "date2": lambda: b.add("DATE", _date_text(r), True),
        "time": lambda: b.add("TIME", _time_text(r), True),
        "product": lambda: b.add("PRODUCT", r.choice(PRODUCTS), True),
        "hospital": lambda: b.add("HOSPITAL", r.choice(HOSPITALS), True),
        "office": lambda: b.add("PLACE", r.choice(OFFICES), True),
        "place": lambda: b.add("PLACE", r.choice(PLACES), True),
        "badid": lambda: b.add("BAD_ID", _bad_id(r), True),
        "policy": lambda: b.add("POLICY", _policy(r), True),
        "hotline": lambda: b.add("HOTLINE", _hotline(r), True),
        "code": lambda: b.add("CODE", f"{r.randrange(10**6):06d}", True),
        "last4": lambda: b.add("CODE", f"{r.randrange(10**4):04d}", True),
        "workno": lambda: b.add("CODE", str(r.randrange(1000, 99999)), True),
        "age": lambda: b.add("AGE", f"{r.randrange(1, 90)}", True),
        "count": lambda: b.add("AGE", f"{r.randrange(2, 200)}", True),
        "condition": lambda: b.add("WORD", r.choice(CONDITIONS), True),
        "bank": lambda: b.add("WORD", r.choice(BANKS), True),
        "company": lambda: b.add("WORD", r.choice(COMPANIES), True),
        "word": lambda: b.add("WORD", r.choice(TRAP_WORDS_ALONE), True),
        "trap": trap,
        "phrase": phrase,
        "phrase2": phrase,
    }
    rest = template
    while rest:
        i = rest.find("{")
        if i < 0:
            b.text(rest)
            break
        if i:
            b.text(rest[:i])
        j = rest.index("}", i)
        fillers[rest[i + 1:j]]()
        rest = rest[j + 1:]
    text = "".join(b.parts)
    names = sorted(known)
    r.shuffle(names)
    return LabelledNote(text, tuple(b.entities), tuple(names),
                        tuple(b.distractors), category, t_index)


def labelled_notes(n: int, seed: int = 0) -> list[LabelledNote]:
    """``n`` labelled notes; note ``i`` depends only on ``(seed, i)``."""
    return [_note(random.Random(f"yihui-corpus:{seed}:{i}")) for i in range(n)]


# -- scoring -------------------------------------------------------------------------------------

class KindScore(NamedTuple):
    entities: int  # labelled entities of this kind
    found: int  # ... every character of which lies in predicted spans of this kind
    predicted: int  # predicted spans of this kind
    correct: int  # ... that overlap a labelled entity of this kind

    @property
    def recall(self) -> float:
        return self.found / self.entities if self.entities else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0


def score(notes: list[LabelledNote], find) -> tuple[dict[str, KindScore], list[tuple[LabelledNote, object]]]:
    """Recall and precision per kind of ``find(text, known_names) -> spans`` on ``notes``.

    A labelled entity is *found* when every character of it is inside predicted spans of
    the same kind (a leaked half of a phone number is a miss); a predicted span is
    *correct* when it overlaps a labelled entity of the same kind (over-reaching by a
    character is not a false positive; touching only a distractor or plain text is).
    Spans need ``start``, ``end`` and ``kind``.  Also returns the distractors that some
    predicted span overlaps, with that span.
    """
    counts = {k: [0, 0, 0, 0] for k in KINDS}
    for note in notes:
        for e in note.entities:
            counts.setdefault(e.kind, [0, 0, 0, 0])
    touched = []
    for note in notes:
        spans = find(note.text, note.known_names)
        for e in note.entities:
            c = counts[e.kind]
            c[0] += 1
            covered = {i for s in spans if s.kind == e.kind for i in range(max(s.start, e.start), min(s.end, e.end))}
            c[1] += len(covered) == e.end - e.start
        for s in spans:
            c = counts.setdefault(s.kind, [0, 0, 0, 0])
            c[2] += 1
            c[3] += any(e.kind == s.kind and e.start < s.end and s.start < e.end for e in note.entities)
            touched += [(note, d, s) for d in note.distractors if d.start < s.end and s.start < d.end]
    return {k: KindScore(*v) for k, v in counts.items()}, touched
