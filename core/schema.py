"""The operational (OLTP) schema of the 医惠锡城 platform, declared once.

The generator writes it to SQLite or PostgreSQL, the extractor reads it back and
types the vault's landing tables from it, and the docs list it.  Keeping the
schema as data means SQLite and PostgreSQL can never drift apart, which is what
lets a test compare marts built from either.

Money is held in fen (integer cents) so that both engines agree to the unit.
Every table carries ``updated_at``: the extractor's incremental watermark.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# insured_persons.relationship: who a person is to the account holder.  The GX suite and the dbt
# YAML list the same values (tests/unit/test_value_lists.py holds them to these).
SELF, SPOUSE, CHILD, PARENT, OTHER = "本人", "配偶", "子女", "父母", "其他"
RELATIONSHIPS = (SELF, SPOUSE, CHILD, PARENT, OTHER)

# Logical type -> (SQLite, PostgreSQL, DuckDB)
TYPES: dict[str, tuple[str, str, str]] = {
    "int": ("INTEGER", "BIGINT", "BIGINT"),
    "text": ("TEXT", "TEXT", "VARCHAR"),
    "date": ("TEXT", "DATE", "DATE"),
    "ts": ("TEXT", "TIMESTAMP", "TIMESTAMP"),
    "bool": ("INTEGER", "BOOLEAN", "BOOLEAN"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    doc: str = ""
    # The kind of direct identifier this column holds ("" if none): what
    # `yihui audit leaks` looks for downstream, and the column list of a
    # subject-access answer.
    identifier: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    primary_key: str
    # False for data the warehouse must never read (data minimisation).
    ingest: bool = True
    foreign_keys: dict[str, str] = field(default_factory=dict)  # column -> "table.column"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def ddl(self, dialect: str) -> str:
        idx = {"sqlite": 0, "postgresql": 1, "duckdb": 2}[dialect]
        cols = []
        for c in self.columns:
            null = "" if c.nullable else " NOT NULL"
            pk = " PRIMARY KEY" if c.name == self.primary_key and dialect != "duckdb" else ""
            cols.append(f"    {c.name} {TYPES[c.type][idx]}{null}{pk}")
        return f"CREATE TABLE {self.name} (\n" + ",\n".join(cols) + "\n)"


def C(name: str, type_: str, nullable: bool = True, doc: str = "", identifier: str = "") -> Column:
    return Column(name, type_, nullable, doc, identifier)


TABLES: tuple[Table, ...] = (
    Table(
        "accounts",
        "One row per WeChat account that followed the official account and registered (§二.1).",
        (
            C("account_id", "int", False),
            C("openid", "text", False, "WeChat OpenID: identifies the person to WeChat", identifier="openid"),
            C("mobile", "text", True, "mobile number bound at registration", identifier="mobile"),
            C("registered_at", "ts", False),
            C("acquisition_channel", "text", False, "how the account came to the platform"),
            C("status", "text", False, "active | closed"),
            C("closed_at", "ts"),
            C("is_staff_or_test", "bool", False, "staff and test accounts are never marketed to"),
            C("updated_at", "ts", False),
        ),
        "account_id",
    ),
    Table(
        "insured_persons",
        "One row per person an account insures: the holder (本人) and family members (§二.2(1)-(2)).",
        (
            C("person_id", "int", False),
            C("account_id", "int", False),
            C("relationship", "text", False, " | ".join(RELATIONSHIPS)),
            C("name", "text", identifier="name"),
            C("id_type", "text", False, "证件类型"),
            C("id_number", "text", True, "证件号码", identifier="id_number"),
            C("sex", "text", False, "declared sex: 男 | 女"),
            C("birthday", "date", False, "declared birthday"),
            C("created_at", "ts", False),
            C("updated_at", "ts", False),
        ),
        "person_id",
        foreign_keys={"account_id": "accounts.account_id"},
    ),
    Table(
        "group_bookings",
        "One row per 团体投保 booking request (§二.2(3)), shared with the underwriter.",
        (
            C("booking_id", "int", False),
            C("account_id", "int", False),
            C("group_type", "text", False),
            C("company_name", "text", False, identifier="company"),
            C("credit_code", "text", True, "统一社会信用代码", identifier="company"),
            C("contact_name", "text", False, identifier="name"),
            C("contact_phone", "text", False, identifier="mobile"),
            C("headcount", "int", False),
            C("contact_email", "text", identifier="email"),
            C("status", "text", False, "submitted | contacted | converted | declined"),
            C("created_at", "ts", False),
            C("updated_at", "ts", False),
        ),
        "booking_id",
        foreign_keys={"account_id": "accounts.account_id"},
    ),
    Table(
        "orders",
        "One row per insurance order: an account buys one coverage year for one or more people (§二.2(4)).",
        (
            C("order_id", "int", False),
            C("order_no", "text", False, identifier="order_no"),
            C("account_id", "int", False),
            C("product_code", "text", False),
            C("coverage_year", "int", False),
            C("amount_fen", "int", False, "order total in fen"),
            C("status", "text", False, "paid | unpaid | cancelled | refunded"),
            C("created_at", "ts", False),
            C("updated_at", "ts", False),
        ),
        "order_id",
        foreign_keys={"account_id": "accounts.account_id"},
    ),
    Table(
        "payments",
        "One row per payment attempt on an order (§二.2(4)); transaction data kept ≥ 3 years (§四.(二)).",
        (
            C("payment_id", "int", False),
            C("order_id", "int", False),
            C("method", "text", False, "微信支付 | 支付宝 | 银行卡 | 医保个人账户"),
            C("status", "text", False, "success | failed | refunded"),
            C("amount_fen", "int", False),
            C("paid_at", "ts", False),
            C("updated_at", "ts", False),
        ),
        "payment_id",
        foreign_keys={"order_id": "orders.order_id"},
    ),
    Table(
        "certificates",
        "One row per insured person per paid order: the 电子保险凭证 (§二.2(4)).",
        (
            C("certificate_id", "int", False),
            C("certificate_no", "text", False, identifier="certificate_no"),
            C("order_id", "int", False),
            C("person_id", "int", False),
            C("insured_name", "text", identifier="name"),
            C("id_type", "text", False),
            C("id_number", "text", identifier="id_number"),
            C("product_name", "text", False),
            C("plan", "text", False, "基础版 | 升级版"),
            C("premium_fen", "int", False),
            C("coverage_start", "date", False),
            C("coverage_end", "date", False),
            C("underwriter", "text", False, "承保公司"),
            C("updated_at", "ts", False),
        ),
        "certificate_id",
        foreign_keys={"order_id": "orders.order_id", "person_id": "insured_persons.person_id"},
    ),
    Table(
        "health_answers",
        "Coarse location and health answers queried for underwriting (§二.2(5)): sensitive (PIPL Art. 28).",
        (
            C("answer_id", "int", False),
            C("person_id", "int", False),
            C("city", "text", False),
            C("medical_insurance_type", "text", False, "医保参保类型"),
            C("pre_existing_conditions", "text", False, "既往症, comma separated, 无 if none"),
            C("answered_at", "ts", False),
            C("updated_at", "ts", False),
        ),
        "answer_id",
        foreign_keys={"person_id": "insured_persons.person_id"},
    ),
    Table(
        "access_logs",
        "One row per page view (§二.3(1)).",
        (
            C("log_id", "int", False),
            C("account_id", "int", False),
            C("occurred_at", "ts", False),
            C("ip_address", "text", identifier="ip"),
            C("geo_city", "text"),
            C("cookie_id", "text", identifier="cookie"),
            C("device_id", "text", identifier="device"),
            C("device_model", "text"),
            C("os", "text"),
            C("page", "text", False),
            C("updated_at", "ts", False),
        ),
        "log_id",
        foreign_keys={"account_id": "accounts.account_id"},
    ),
    Table(
        "service_records",
        "Consultations, customer-service contacts and complaints with free-text notes (§二.3(2)).",
        (
            C("record_id", "int", False),
            C("account_id", "int", False),
            C("kind", "text", False, "consultation | customer_service | complaint"),
            C("channel", "text", False),
            C("status", "text", False, "open | closed"),
            C("opened_at", "ts", False),
            C("closed_at", "ts"),
            C("note", "text", True, "free text typed by staff and customers: carries PII"),
            C("updated_at", "ts", False),
        ),
        "record_id",
        foreign_keys={"account_id": "accounts.account_id"},
    ),
    Table(
        "consent_events",
        "Consent grants and revocations (§二.4(4), §七, §九), Unomi-style scope/status/time.",
        (
            C("event_id", "int", False),
            C("account_id", "int", False),
            C("person_id", "int", True, "the child, for guardian consent"),
            C("scope", "text", False, "marketing | personalised_marketing | privacy_policy | guardian"),
            C("channel", "text", True, "wechat | sms (marketing scope)"),
            C("purpose", "text", True, "promotion (marketing scope)"),
            C("status", "text", False, "granted | revoked"),
            C("policy_version", "text", True),
            C("occurred_at", "ts", False),
            C("updated_at", "ts", False),
        ),
        "event_id",
        foreign_keys={"account_id": "accounts.account_id"},
    ),
    Table(
        "promotion_messages",
        "Outbound messages sent to accounts: promotions count against frequency caps, service messages do not.",
        (
            C("message_id", "int", False),
            C("account_id", "int", False),
            C("channel", "text", False, "wechat | sms"),
            C("kind", "text", False, "promotion | service"),
            C("campaign", "text", False),
            C("sent_at", "ts", False),
            C("updated_at", "ts", False),
        ),
        "message_id",
        foreign_keys={"account_id": "accounts.account_id"},
    ),
    Table(
        "lottery_winners",
        "Winners of platform lotteries; published masked (§三.(三)).",
        (
            C("winner_id", "int", False),
            C("account_id", "int", False),
            C("campaign", "text", False),
            C("prize", "text", False),
            C("login_name", "text", False, identifier="login_name"),
            C("mobile", "text", identifier="mobile"),
            C("won_at", "ts", False),
            C("updated_at", "ts", False),
        ),
        "winner_id",
        foreign_keys={"account_id": "accounts.account_id"},
    ),
    Table(
        "subject_requests",
        "Data-subject requests (§八): access, correction, deletion, account cancellation.",
        (
            C("request_id", "int", False),
            C("account_id", "int", False),
            C("kind", "text", False, "access | correct | delete | cancel_account"),
            C("received_at", "ts", False),
            C("verified_at", "ts", True, "identity verified: the 30-day clock starts"),
            C("responded_at", "ts"),
            C("status", "text", False, "open | done | rejected"),
            C("updated_at", "ts", False),
        ),
        "request_id",
        foreign_keys={"account_id": "accounts.account_id"},
    ),
    Table(
        "sms_verification_codes",
        "Transient login codes (§二.1). Never ingested: data minimisation.",
        (
            C("code_id", "int", False),
            C("mobile", "text", False),
            C("code", "text", False),
            C("sent_at", "ts", False),
            C("updated_at", "ts", False),
        ),
        "code_id",
        ingest=False,
    ),
)

BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}
INGESTED: tuple[Table, ...] = tuple(t for t in TABLES if t.ingest)
