"""Identifier domains: what gets a keyed token, how its value is normalised, where it occurs.

Each domain has its own HKDF-derived key, so equal strings in two domains get
unrelated tokens.  A domain's ``value`` is the one definition of what is hashed: a
SQL expression over the identity's raw parts, installed in every session as the
TEMP macro ``norm_<domain>(parts…)`` and used both when the token map is filled
and wherever rows look a token up (the pseudonymiser's SQL, subject requests, the
erasure ledger), so ``138 1234 5678`` and ``13812345678`` are one person.  Python
gets the same value through ``Domain.value_of``, which evaluates that SQL.
``sources`` say where the parts occur in the (validated) landing views: every
distinct value is hashed once, then rows are pseudonymised by joins.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

# The mainland mobile number as a token value: its last 11 digits, so 138 1234 5678,
# 138-1234-5678 and +86 13812345678 are one person (the ledger and the leak audit read it so too).
MOBILE = "right(regexp_replace(mobile, '[^0-9]', '', 'g'), 11)"


@dataclass(frozen=True)
class Domain:
    name: str
    prefix: str
    args: tuple[str, ...]  # the raw parts of the identity: the parameters of ``norm_<name>``
    value: str  # SQL over ``args``: the normalised value that gets the token
    sources: tuple[tuple[str, str], ...]  # (landing table, the arguments as SQL over its columns)
    doc: str

    def norm(self, *parts: str) -> str:
        """SQL calling this domain's value macro on ``parts`` (SQL expressions)."""
        return f"norm_{self.name}({', '.join(parts)})"

    def macro(self) -> str:
        """The TEMP macro every session that reads or writes token values has (``vault.session``)."""
        return f"CREATE OR REPLACE TEMP MACRO norm_{self.name}({', '.join(self.args)}) AS {self.value}"

    def occurrences(self, schema: str = "landing") -> tuple[str, ...]:
        """SQL over the (validated) landing views, or the same tables in ``schema``, giving every
        normalised value as ``v``."""
        return tuple(f"SELECT {self.norm(parts)} AS v FROM {schema}.{table}" for table, parts in self.sources)

    def value_of(self, *parts: str | None) -> str | None:
        """The token value of raw ``parts`` in Python: the same SQL evaluated by DuckDB, not a re-spelling."""
        con = duckdb.connect()
        try:
            con.execute(self.macro())
            return con.execute(f"SELECT {self.norm(*('?' for _ in parts))}", list(parts)).fetchone()[0]
        finally:
            con.close()


DOMAINS: tuple[Domain, ...] = (
    Domain("person", "psn", ("id_type", "id_number"), "id_type || '|' || upper(id_number)",
           (("insured_persons", "id_type, id_number"), ("certificates", "id_type, id_number")),
           "an insured person: ID type and ID number"),
    Domain("account", "acc", ("openid",), "openid", (("accounts", "openid"),),
           "a platform account: the WeChat OpenID"),
    Domain("mobile", "mob", ("mobile",), MOBILE,
           (("accounts", "mobile"), ("group_bookings", "contact_phone")),
           "a mobile number: its last 11 digits"),
    Domain("email", "eml", ("email",), "lower(trim(email))", (("group_bookings", "contact_email"),),
           "an e-mail address, case-folded"),
    Domain("ip", "ipa", ("ip",), "trim(ip)", (("access_logs", "ip_address"),), "an IP address"),
    Domain("device", "dev", ("device_id",), "device_id", (("access_logs", "device_id"),), "a device id"),
    Domain("cookie", "ck", ("cookie_id",), "cookie_id", (("access_logs", "cookie_id"),), "a cookie id"),
    Domain("company", "com", ("credit_code", "company_name"), "upper(trim(coalesce(credit_code, company_name)))",
           (("group_bookings", "credit_code, company_name"),),
           "a company: unified social credit code, else its name"),
    Domain("contact", "ctc", ("name", "mobile"), f"name || '|' || {MOBILE}",
           (("group_bookings", "contact_name, contact_phone"),),
           "a group-booking contact person: name and mobile"),
    Domain("order_no", "ord", ("order_no",), "order_no", (("orders", "order_no"),),
           "an order: the business order number"),
    Domain("certificate", "cer", ("certificate_no",), "certificate_no", (("certificates", "certificate_no"),),
           "an insurance certificate number"),
    Domain("record", "rec", ("source_table", "record_id"), "source_table || ':' || record_id",
           (("group_bookings", "'group_bookings', booking_id"), ("service_records", "'service_records', record_id"),
            ("subject_requests", "'subject_requests', request_id")),
           "other operational record ids, so warehouse rows cannot be looked up in the source"),
)
BY_NAME = {d.name: d for d in DOMAINS}


def install_value_macros(con: duckdb.DuckDBPyConnection) -> None:
    """``norm_<domain>(parts…)`` for this session: no key is needed to say what a value is."""
    con.execute(";\n".join(d.macro() for d in DOMAINS))
TOKEN_HEX = 32  # 128 bits of the HMAC: no collisions at any realistic scale

# Release domains: tokens that leave the warehouse's reach (segment exports, activation delivery files).
# Not in DOMAINS: they have no occurrences in the landing data and no token map; each release (an
# export, an activation) gets a key of its own, derived from the domain key and the release id, so a
# release cannot be joined to the warehouse, to another release, or across key versions.  The vault
# remembers every release token it issued (``vault.ops.release_tokens``): see ``anonymizer.tokens``.
EXPORT = Domain("export", "exp", ("x",), "x", (), "a segment export's member: the account, keyed by the export id")
ACTIVATION = Domain("activation", "act", ("x",), "x", (), "an activation's recipient: the account, keyed by the activation id")
RELEASE_DOMAINS: tuple[Domain, ...] = (EXPORT, ACTIVATION)
