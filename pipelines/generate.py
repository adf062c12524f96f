"""A synthetic but faithful copy of the platform's operational database.

Why synthetic: the warehouse must be built and tested without ever holding real
people's data.  Why faithful: every data class of the privacy policy (§二) is
here in the shape an OLTP system would hold it, with the mess privacy work has
to survive (free text with typed phone numbers, family members, withdrawn
region codes in old ID numbers, other ID types).

Determinism: everything derives from ``seed`` and the fixed ``REFERENCE_DATE``
(never from today), and accounts are generated in fixed-size chunks each with
its own RNG, so the same seed gives byte-identical data on any day and on any
target (SQLite or PostgreSQL).  Record ids are derived from the account id
(``person_id = account_id * 10 + k``…) so no global counter couples the chunks.
"""

from __future__ import annotations

import csv
import random
import string
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.idnumbers import ID_TYPES, RESIDENT_ID, luhn_check_digit, make_resident_id
from core.layout import PROJECT
from core.schema import CHILD, OTHER, PARENT, SELF, SPOUSE, TABLES
from pipelines import bad_rows as bad_rows_mod
from pipelines.source import Source

REFERENCE_DATE = date(2026, 11, 20)
REFERENCE_TS = datetime(2026, 11, 20, 23, 0, 0)
# Products and enrolment windows: one definition (seeds/coverage_years.csv), used by dbt too.
_YEARS = list(csv.DictReader(PROJECT.seed("coverage_years").open(encoding="utf-8")))
COVERAGE_YEARS = tuple(int(y["coverage_year"]) for y in _YEARS)
ENROLMENT_OPENS = {int(y["coverage_year"]): date.fromisoformat(y["enrolment_opens"]) for y in _YEARS}
ENROLMENT_CLOSES = {int(y["coverage_year"]): date.fromisoformat(y["enrolment_closes"]) for y in _YEARS}
PRESETS = {"tiny": 1_000, "small": 20_000, "district": 250_000, "city": 1_000_000}  # accounts
CHUNK = 5_000

WUXI = "320200"
PRODUCTS = {int(y["coverage_year"]): (y["product_code"], y["product_name"]) for y in _YEARS}
PLANS = (("基础版", 9_900), ("升级版", 19_900))
UNDERWRITERS = ("国联人寿保险股份有限公司", "中国人寿保险股份有限公司无锡分公司", "中国太平洋财产保险股份有限公司无锡分公司")
CHANNELS = ("公众号关注", "朋友分享", "线下扫码", "企业团单", "短信邀请", "社区推广")
PAY_METHODS = ("微信支付", "支付宝", "银行卡", "医保个人账户")
PAY_WEIGHTS = (0.55, 0.15, 0.08, 0.22)
MED_TYPES = ("城镇职工医保", "城乡居民医保", "公费医疗", "其他")
CONDITIONS = ("高血压", "糖尿病", "冠心病", "慢性肾病", "恶性肿瘤", "慢阻肺", "脑卒中")
DEVICES = (
    ("iPhone 15", "iOS 17"), ("iPhone 13", "iOS 16"), ("HUAWEI Mate 60", "HarmonyOS 4"),
    ("HUAWEI P50", "HarmonyOS 3"), ("Xiaomi 14", "Android 14"), ("OPPO Reno11", "Android 14"),
    ("vivo X100", "Android 14"), ("Redmi K70", "Android 14"), ("iPad Air", "iPadOS 17"),
    ("Windows PC", "Windows 11"),
)
PAGES = (
    "/home", "/product/huixibao", "/product/compare", "/order/create", "/order/pay",
    "/certificate", "/family", "/group-booking", "/service", "/lottery", "/claims/guide",
)
GROUP_TYPES = ("企业", "事业单位", "社区", "学校", "社会组织")
ROADS = ("中山路", "人民中路", "解放西路", "学前街", "太湖大道", "梁溪路", "湖滨路", "金城路",
         "锡沪路", "惠山大道", "蠡湖大道", "清扬路", "新华路", "长江路", "县前街")
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "139.com", "sina.com", "foxmail.com")
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "155", "157", "158", "159", "166", "177", "180", "181", "182", "186",
                   "187", "188", "189", "191", "198", "199")
CARD_BINS = ("622202", "622848", "621700", "622588", "621483", "622609", "623668")
CUES = ("先生", "女士", "小姐", "老师", "阿姨", "师傅")


def _ts(d: datetime) -> str:
    """Nothing happens after the reference time: later stamps are the reference time."""
    return min(d, REFERENCE_TS).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class Entity:
    """A span of personal data the generator put into a free-text note."""

    kind: str  # NAME | ID | MOBILE | EMAIL | CARD | ADDRESS | OPENID
    text: str


class Pools:
    """Reference pools built once per seed: names, companies, regions, networks."""

    def __init__(self, seed: int) -> None:
        from faker import Faker
        from faker.providers.person.zh_CN import Provider as Person

        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.surnames = list(Person.last_names.keys())
        self.surname_weights = list(Person.last_names.values())
        self.male_given = list(Person.first_names_male)
        self.female_given = list(Person.first_names_female)
        self.single_given = sorted({n for n in self.male_given + self.female_given if len(n) == 1})
        self.companies = sorted({fake.company() for _ in range(600)})
        self.user_names = [fake.user_name() for _ in range(2000)]
        rows = list(csv.DictReader(PROJECT.seed("regions").open(encoding="utf-8")))
        self.region_names = {r["region_code"]: r for r in rows}
        districts = [r for r in rows if r["region_level"] == "district"]
        self.wuxi_current = [r["region_code"] for r in districts if r["city_code"] == WUXI and r["is_current"] == "true"]
        self.wuxi_historic = [r["region_code"] for r in districts if r["city_code"] == WUXI and r["is_current"] != "true"]
        self.jiangsu = [r["region_code"] for r in districts if r["province_code"] == "320000"
                        and r["city_code"] != WUXI and r["is_current"] == "true"]
        self.elsewhere = [r["region_code"] for r in districts if r["province_code"] != "320000"
                          and r["is_current"] == "true"]
        nets = list(csv.DictReader(PROJECT.seed("ip_networks").open(encoding="utf-8")))
        self.networks_wuxi = [n["network"] for n in nets if n["city_code"] == WUXI]
        self.networks_other = [n["network"] for n in nets if n["city_code"] != WUXI]
        self.city_names = {n["city_code"]: self.region_names[n["city_code"]]["region_name"] for n in nets}
        self.net_city = {n["network"]: n["city_code"] for n in nets}


class IdAllocator:
    """Hands out unique resident ID sequence numbers per (region, birth date, sex).

    Real IDs are unique because the registry counts per place and day; drawing
    the 3-digit sequence at random collides thousands of times at city scale,
    which would silently merge people.  Counting keeps it deterministic too,
    because chunks are generated in order.
    """

    def __init__(self) -> None:
        self.used: dict[tuple[str, date, int], int] = {}

    def allocate(self, region: str, birth: date, male: bool) -> str:
        key = (region, birth, int(male))
        n = self.used.get(key, 0)
        self.used[key] = n + 1
        start = zlib.crc32(f"{region}{birth}{int(male)}".encode()) % 500  # looks random, is fixed
        seq = ((start + n) % 500) * 2 + (1 if male else 0)
        return make_resident_id(region, birth, seq)


class ChunkGenerator:
    """Generates every table's rows for one chunk of accounts."""

    def __init__(self, seed: int, chunk: int, first_account: int, n_accounts: int,
                 pools: Pools, ids: IdAllocator) -> None:
        self.rng = random.Random(f"yihui:{seed}:{chunk}")
        # the consent edges of issue 19 draw from their own stream, so adding them left every
        # other generated value as it was
        self.consent_rng = random.Random(f"yihui:consent:{seed}:{chunk}")
        self.first = first_account
        self.n = n_accounts
        self.p = pools
        self.ids = ids
        self.rows: dict[str, list[tuple]] = {t.name: [] for t in TABLES}

    # -- primitives -------------------------------------------------------------
    def name(self, male: bool, surname: str | None = None) -> str:
        r = self.rng
        sn = surname or r.choices(self.p.surnames, self.p.surname_weights)[0]
        pool = self.p.male_given if male else self.p.female_given
        given = r.choice(pool)
        if len(given) == 1 and r.random() < 0.7:
            given += r.choice(self.p.single_given)
        return sn + given

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def openid(self) -> str:
        alphabet = string.ascii_letters + string.digits + "-_"
        return "o" + "".join(self.rng.choices(alphabet, k=27))

    def email(self, name_hint: str | None = None) -> str:
        r = self.rng
        user = (name_hint or r.choice(self.p.user_names)) + str(r.randrange(10, 9999))
        return f"{user}@{r.choice(EMAIL_DOMAINS)}"

    def card(self) -> str:
        r = self.rng
        body = r.choice(CARD_BINS) + "".join(str(r.randrange(10)) for _ in range(r.choice((9, 12))))
        return body + luhn_check_digit(body)

    def region(self, birth_year: int) -> str:
        r = self.rng
        u = r.random()
        if u < 0.78:
            if birth_year < 2015 and r.random() < 0.35:
                return r.choice(self.p.wuxi_historic)
            return r.choice(self.p.wuxi_current)
        if u < 0.90:
            return r.choice(self.p.jiangsu)
        return r.choice(self.p.elsewhere)

    def address(self) -> str:
        r = self.rng
        d = self.p.region_names[r.choice(self.p.wuxi_current)]
        return f"江苏省无锡市{d['region_name']}{r.choice(ROADS)}{r.randrange(1, 999)}号{r.randrange(1, 30)}栋{r.randrange(101, 2402)}室"

    def ip(self, local: bool) -> str:
        r = self.rng
        net = r.choice(self.p.networks_wuxi if local else self.p.networks_other)
        a, b = net.split(".")[:2]
        return f"{a}.{b}.{r.randrange(256)}.{r.randrange(1, 255)}"

    def when(self, start: datetime, end: datetime, rng: random.Random | None = None) -> datetime:
        span = max(1, int((end - start).total_seconds()))
        return start + timedelta(seconds=(rng or self.rng).randrange(span))

    def person(self, age: int, male: bool, surname: str | None = None) -> dict:
        r = self.rng
        birth = REFERENCE_DATE - timedelta(days=int(age * 365.25) + r.randrange(365))
        foreign = r.random() < 0.015
        if foreign:
            id_type = r.choice(ID_TYPES[1:])
            id_number = r.choice("EGHKLMP") + "".join(str(r.randrange(10)) for _ in range(8))
        else:
            id_type = RESIDENT_ID
            id_number = self.ids.allocate(self.region(birth.year), birth, male)
        declared_sex = "男" if male else "女"
        if r.random() < 0.002:  # a typo in the declared sex: a quality finding, not a reject
            declared_sex = "女" if male else "男"
        return {"name": self.name(male, surname), "id_type": id_type, "id_number": id_number,
                "sex": declared_sex, "birthday": birth.isoformat(), "age": age, "male": male}

    # -- the chunk ----------------------------------------------------------------
    def generate(self) -> dict[str, list[tuple]]:
        for account_id in range(self.first, self.first + self.n):
            self.account(account_id)
        return self.rows

    def account(self, aid: int) -> None:
        r, rows = self.rng, self.rows
        registered = self.when(datetime(2022, 9, 20), REFERENCE_TS - timedelta(days=3))
        mobile = self.mobile()
        openid = self.openid()
        staff = r.random() < 0.004
        closed = r.random() < 0.02
        closed_at = self.when(registered, REFERENCE_TS) if closed else None
        last_touch = closed_at or self.when(registered, REFERENCE_TS)
        rows["accounts"].append((aid, openid, mobile, _ts(registered), r.choice(CHANNELS),
                                 "closed" if closed else "active", _ts(closed_at) if closed_at else None,
                                 staff, _ts(last_touch)))

        # family ---------------------------------------------------------------
        holder_male = r.random() < 0.48
        holder_age = min(90, max(18, int(r.gauss(42, 13))))
        holder = self.person(holder_age, holder_male)
        family = [(SELF, holder)]
        father_surname = holder["name"][0] if holder_male else None
        if 22 <= holder_age and r.random() < 0.62:
            spouse_age = min(95, max(20, holder_age + r.randrange(-5, 6)))
            spouse = self.person(spouse_age, not holder_male)
            family.append((SPOUSE, spouse))
            father_surname = father_surname or spouse["name"][0]
        if 22 <= holder_age <= 60:
            for _ in range(r.choices((0, 1, 2), (0.35, 0.45, 0.20))[0]):
                child_age = holder_age - r.randrange(22, 36)
                if 0 <= child_age <= 30:
                    family.append((CHILD, self.person(child_age, r.random() < 0.5, father_surname)))
        if holder_age <= 58 and r.random() < 0.30:
            for male in (True, False):
                if r.random() < 0.7:
                    family.append((PARENT, self.person(min(100, holder_age + r.randrange(22, 34)), male)))
        if r.random() < 0.03:
            family.append((OTHER, self.person(r.randrange(18, 80), r.random() < 0.5)))
        persons = []
        for k, (rel, p) in enumerate(family):
            pid = aid * 10 + k
            created = self.when(registered, registered + timedelta(days=60))
            born = datetime.fromisoformat(p["birthday"]) + timedelta(days=3)
            if created < born:  # a baby added after birth, not before
                created = self.when(born, max(born, REFERENCE_TS - timedelta(days=1)))
            rows["insured_persons"].append((pid, aid, rel, p["name"], p["id_type"], p["id_number"], p["sex"],
                                            p["birthday"], _ts(created), _ts(created)))
            persons.append((pid, rel, p))
            if p["age"] < 18:
                self.guardian_consent(aid, pid, created)

        # orders, payments, certificates ---------------------------------------
        enrolled = r.random() < 0.8
        for year in COVERAGE_YEARS:
            opens = datetime.combine(ENROLMENT_OPENS[year], datetime.min.time())
            if opens > REFERENCE_TS or registered > datetime.combine(ENROLMENT_CLOSES[year], datetime.min.time()):
                continue
            if year == 2027:
                enrolled = enrolled and r.random() < 0.35  # the 2027 window is still open
            else:
                enrolled = (r.random() < 0.82) if enrolled else (r.random() < 0.25)
            if not enrolled:
                continue
            self.order(aid, year, persons, max(opens, registered))

        # health answers for insured people -------------------------------------
        for pid, _rel, p in persons:
            if r.random() < 0.85:
                conds = "无" if r.random() < 0.8 else ",".join(r.sample(CONDITIONS, r.choice((1, 1, 2))))
                at = self.when(registered, registered + timedelta(days=30))
                rows["health_answers"].append((pid, pid, r.choices(("无锡市", "苏州市", "常州市"), (0.9, 0.05, 0.05))[0],
                                               r.choices(MED_TYPES, (0.6, 0.35, 0.02, 0.03))[0], conds, _ts(at), _ts(at)))

        self.engagement(aid, registered, closed_at)
        self.service(aid, registered, holder, persons, mobile, openid)
        self.consents(aid, registered, date.fromisoformat(holder["birthday"]))
        self.messages(aid, registered)
        if r.random() < 0.08:
            self.group_booking(aid, registered)
        if r.random() < 0.006:
            won = self.when(registered, REFERENCE_TS)
            rows["lottery_winners"].append((aid, aid, f"惠锡保{won.year}抽奖", r.choice(("体检卡", "话费50元", "电动牙刷", "保温杯")),
                                            r.choice(self.p.user_names), mobile, _ts(won), _ts(won)))
        if r.random() < 0.006 or closed:
            self.subject_request(aid, registered, closed)
        for i in range(r.randrange(1, 4)):
            at = self.when(registered - timedelta(minutes=5), REFERENCE_TS)
            rows["sms_verification_codes"].append((aid * 10 + i, mobile, f"{r.randrange(10**6):06d}", _ts(at), _ts(at)))

    def guardian_consent(self, aid: int, pid: int, at: datetime) -> None:
        """Every generated child has it (§七); the bad-row matrix holds one who does not."""
        self.rows["consent_events"].append((pid * 10, aid, pid, "guardian", None, None, "granted", None,
                                            _ts(at), _ts(at)))

    def order(self, aid: int, year: int, persons: list, opens: datetime) -> None:
        r, rows = self.rng, self.rows
        oid = aid * 10 + (year - 2022)
        created = self.when(opens, min(opens + timedelta(days=75), REFERENCE_TS))
        covered = [x for x in persons if x[1] == SELF or r.random() < 0.75]
        plan, unit = PLANS[0] if r.random() < 0.7 else PLANS[1]
        amount = unit * len(covered)
        u = r.random()
        status = "paid" if u < 0.9 else "unpaid" if u < 0.95 else "cancelled" if u < 0.98 else "refunded"
        code, product = PRODUCTS[year]
        rows["orders"].append((oid, f"YH{year}{aid:08d}", aid, code, year, amount, status, _ts(created), _ts(created)))
        method = r.choices(PAY_METHODS, PAY_WEIGHTS)[0]
        attempt = 0
        if r.random() < 0.06:
            rows["payments"].append((oid * 10 + attempt, oid, method, "failed", amount, _ts(created), _ts(created)))
            attempt += 1
        if status in ("paid", "refunded"):
            paid = created + timedelta(minutes=r.randrange(1, 600))
            rows["payments"].append((oid * 10 + attempt, oid, method, "success" if status == "paid" else "refunded",
                                     amount, _ts(paid), _ts(paid)))
            if status == "paid":
                underwriter = UNDERWRITERS[0] if r.random() < 0.7 else r.choice(UNDERWRITERS[1:])
                for k, (pid, _rel, p) in enumerate(covered):
                    rows["certificates"].append((
                        oid * 10 + k, f"HXB{year}-{oid:010d}-{k}", oid, pid, p["name"], p["id_type"], p["id_number"],
                        product, plan, unit, f"{year}-01-01", f"{year}-12-31", underwriter, _ts(paid)))

    def engagement(self, aid: int, registered: datetime, closed_at: datetime | None) -> None:
        r = self.rng
        end = closed_at or REFERENCE_TS
        active = r.random() < 0.7
        n = min(60, int(r.expovariate(1 / 7))) if active else r.randrange(0, 2)
        device_id = "".join(r.choices("0123456789abcdef", k=32))
        cookie = "".join(r.choices("0123456789abcdef", k=24))
        model, os_ = r.choice(DEVICES)
        local = r.random() < 0.85
        recent_start = max(registered, end - timedelta(days=120))
        for i in range(n):
            if r.random() < 0.1:
                cookie = "".join(r.choices("0123456789abcdef", k=24))
            at = self.when(recent_start if r.random() < 0.6 else registered, end)
            self.rows["access_logs"].append((aid * 100 + i, aid, _ts(at), self.ip(local or r.random() < 0.5),
                                             None, cookie, device_id, model, os_, r.choice(PAGES), _ts(at)))

    def note(self, holder: dict, persons: list, mobile: str, openid: str) -> tuple[str, list[Entity]]:
        """A service note with the PII people really type, and the truth about it."""
        r = self.rng
        fam = r.choice(persons)[2]
        mob_forms = (mobile, f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}", f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}",
                     f"+86 {mobile}", f"0086{mobile}", f"+86-{mobile}")
        idn = fam["id_number"]
        id_forms = (idn, f"{idn[:6]} {idn[6:14]} {idn[14:]}", f"{idn[:6]}-{idn[6:14]}-{idn[14:]}", idn.lower())
        cue_name = r.choices(self.p.surnames, self.p.surname_weights)[0] + r.choice(CUES)
        stranger = self.name(r.random() < 0.5)
        templates: list[Callable[[], list]] = [
            lambda: ["客户", ("NAME", holder["name"]), "来电咨询惠锡保理赔流程，联系电话", ("MOBILE", r.choice(mob_forms)), "。"],
            lambda: [("NAME", holder["name"]), "反映家人", ("NAME", fam["name"]), "的保单未生效，证件号",
                     ("ID", r.choice(id_forms) if fam["id_type"] == RESIDENT_ID else fam["id_number"]), "，请核实。"],
            lambda: ["投诉：重复扣款两次，银行卡号", ("CARD", self.card()), "，请尽快退款。回复邮箱",
                     ("EMAIL", self.email()), "谢谢"],
            lambda: ["用户要求修改被保险人信息，手机", ("MOBILE", r.choice(mob_forms)), "，原证件号码",
                     ("ID", r.choice(id_forms) if fam["id_type"] == RESIDENT_ID else fam["id_number"])],
            lambda: ["客户要求邮寄纸质凭证至", ("ADDRESS", self.address()), "，收件人", ("NAME", holder["name"])],
            lambda: [("NAME", cue_name), "来电询问既往症能否投保，已解释免责条款。"],
            lambda: ["代", ("NAME", stranger), "咨询团体投保，对方邮箱", ("EMAIL", self.email()), "，电话",
                     ("MOBILE", r.choice(mob_forms))],
            lambda: ["微信号绑定异常，openid ", ("OPENID", openid), "，已重置。"],
            lambda: ["咨询医保个人账户能否支付家庭成员保费，已答复。"],
            lambda: ["询问2027年度惠锡保何时开始投保，已告知。"],
            lambda: ["客户对理赔时效不满，要求主管回电。"],
            lambda: ["<script>alert(1)</script> 用户在留言框输入了脚本内容，已过滤；联系人",
                     ("NAME", holder["name"]), "。"],
        ]
        parts = r.choice(templates)()
        text, ents = [], []
        for part in parts:
            if isinstance(part, tuple):
                ents.append(Entity(part[0], part[1]))
                text.append(part[1])
            else:
                text.append(part)
        return "".join(text), ents

    def service(self, aid: int, registered: datetime, holder: dict, persons: list, mobile: str, openid: str) -> None:
        r = self.rng
        for i in range(r.choices((0, 1, 2, 3), (0.7, 0.2, 0.07, 0.03))[0]):
            kind = r.choices(("consultation", "customer_service", "complaint"), (0.55, 0.35, 0.10))[0]
            opened = self.when(registered, REFERENCE_TS)
            is_open = r.random() < (0.25 if kind == "complaint" else 0.05)
            closed = None if is_open else opened + timedelta(hours=r.randrange(1, 240))
            text, _ = self.note(holder, persons, mobile, openid)
            self.rows["service_records"].append((aid * 10 + i, aid, kind, r.choice(("电话", "在线客服", "公众号留言")),
                                                 "open" if is_open else "closed", _ts(opened),
                                                 _ts(closed) if closed else None, text, _ts(closed or opened)))

    def consents(self, aid: int, registered: datetime, holder_born: date) -> None:
        """Privacy policy, promotional grants per channel, 退订, the Art. 24 opt-out; and, from their own
        random stream, the edges the consent rules must get right: grants for another purpose, a
        grant the holder gave under 18 (with a guardian's consent, or re-given as an adult, or neither),
        a revocation of another purpose, a grant and a revocation at the same instant.  Event ids stay
        below ``aid * 100 + 10`` (children's guardian events are ``pid * 10``)."""
        r, c, rows = self.rng, self.consent_rng, self.rows
        eid = aid * 100
        version = "2022-09-20"
        rows["consent_events"].append((eid, aid, None, "privacy_policy", None, None, "granted", version,
                                       _ts(registered), _ts(registered)))
        eid += 1

        def event(channel: str | None, purpose: str | None, status: str, at: datetime,
                  scope: str = "marketing", person: int | None = None) -> None:
            nonlocal eid
            rows["consent_events"].append((eid, aid, person, scope, channel, purpose, status, None, _ts(at), _ts(at)))
            eid += 1

        adult_from = datetime.combine(holder_born.replace(year=holder_born.year + 18)
                                      if (holder_born.month, holder_born.day) != (2, 29)
                                      else date(holder_born.year + 18, 3, 1), datetime.min.time())
        guarded = False
        for channel, p in (("wechat", 0.72), ("sms", 0.45)):
            if r.random() >= p:
                if c.random() < 0.06:  # service notices only: never a licence to promote
                    event(channel, "service_notice", "granted", self.when(registered, REFERENCE_TS, c))
                continue
            start = registered + timedelta(minutes=r.randrange(0, 60 * 24 * 30))
            event(channel, "promotion", "granted", start)
            if r.random() < 0.12:  # 退订
                event(channel, "promotion", "revoked", self.when(start, REFERENCE_TS))
            u = c.random()
            if start < adult_from:  # granted under 18 (§七)
                if u < 0.3 and not guarded:  # a guardian consented for the holder first
                    event(None, None, "granted", registered, scope="guardian", person=aid * 10)
                    guarded = True
                elif u < 0.55 and adult_from + timedelta(days=30) < REFERENCE_TS:  # consents again as an adult
                    event(channel, "promotion", "granted", self.when(adult_from + timedelta(days=1),
                                                                     adult_from + timedelta(days=30), c))
            elif u < 0.03:  # unsubscribed from service notices: still consents to promotion
                event(channel, "service_notice", "revoked", self.when(start, REFERENCE_TS, c))
            elif u < 0.035:  # a grant and a revocation at the same instant: a revocation
                event(channel, "promotion", "revoked", start)
        if r.random() < 0.05:  # PIPL Art. 24 opt-out of personalised marketing
            at = self.when(registered, REFERENCE_TS)
            rows["consent_events"].append((eid, aid, None, "personalised_marketing", None, None, "revoked", None,
                                           _ts(at), _ts(at)))

    def messages(self, aid: int, registered: datetime) -> None:
        r = self.rng
        for i in range(r.choices((0, 1, 2, 3, 5, 8), (0.3, 0.2, 0.2, 0.15, 0.1, 0.05))[0]):
            at = self.when(registered, REFERENCE_TS)
            kind = "promotion" if r.random() < 0.6 else "service"
            campaign = r.choice(("续保提醒", "家庭保障", "新年度上线", "抽奖活动")) if kind == "promotion" else "保单通知"
            self.rows["promotion_messages"].append((aid * 100 + i, aid, r.choice(("wechat", "sms")), kind, campaign,
                                                    _ts(at), _ts(at)))

    def group_booking(self, aid: int, registered: datetime) -> None:
        r = self.rng
        from stdnum.cn import uscc

        body = "91" + "320200" + "".join(r.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=9))
        code = body + uscc.calc_check_digit(body)
        at = self.when(registered, REFERENCE_TS)
        contact_male = r.random() < 0.5
        self.rows["group_bookings"].append((aid, aid, r.choice(GROUP_TYPES), r.choice(self.p.companies), code,
                                            self.name(contact_male), self.mobile(), r.randrange(5, 800),
                                            self.email() if r.random() < 0.8 else None,
                                            r.choice(("submitted", "contacted", "converted", "declined")),
                                            _ts(at), _ts(at)))

    def subject_request(self, aid: int, registered: datetime, closed: bool) -> None:
        r = self.rng
        kind = "cancel_account" if closed else r.choice(("access", "correct", "delete"))
        received = self.when(registered, REFERENCE_TS - timedelta(days=1))
        verified = received + timedelta(days=r.randrange(0, 4))
        u = r.random()
        if verified > REFERENCE_TS or u < 0.1:
            responded, status = None, "open"
        else:
            responded = verified + timedelta(days=r.randrange(1, 25) if u < 0.93 else r.randrange(31, 60))
            status = "done"
            if responded > REFERENCE_TS:
                responded, status = None, "open"
        self.rows["subject_requests"].append((aid, aid, kind, _ts(received), _ts(verified),
                                              _ts(responded) if responded else None, status,
                                              _ts(responded or verified)))


def generate_chunks(preset: str, seed: int) -> Iterator[dict[str, list[tuple]]]:
    total = PRESETS[preset]
    pools = Pools(seed)
    ids = IdAllocator()
    for chunk, first in enumerate(range(1, total + 1, CHUNK)):
        n = min(CHUNK, total + 1 - first)
        yield ChunkGenerator(seed, chunk, first, n, pools, ids).generate()


@dataclass
class GenerateResult:
    url: str
    rows: dict[str, int]
    bad_rows: dict[str, int]


def generate(source: Source, preset: str = "small", seed: int = 42, with_bad_rows: bool = False,
             progress: Callable[[int, int], None] | None = None) -> GenerateResult:
    """(Re)create the operational database at ``source`` and fill it."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}: choose one of {', '.join(PRESETS)}")
    counts = {t.name: 0 for t in TABLES}
    total_chunks = (PRESETS[preset] + CHUNK - 1) // CHUNK
    with source.writer() as w:
        w.create_schema()
        for i, rows in enumerate(generate_chunks(preset, seed)):
            for table, batch in rows.items():
                w.insert(table, batch)
                counts[table] += len(batch)
            if progress:
                progress(i + 1, total_chunks)
        bad = {}
        if with_bad_rows:
            for table, batch in bad_rows_mod.build().items():
                w.insert(table, batch)
                bad[table] = len(batch)
                counts[table] += len(batch)
        w.create_indexes()
    return GenerateResult(source.url, counts, bad)
