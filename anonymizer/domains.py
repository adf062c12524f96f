"""Identifier domains: what gets a keyed token, how its value is normalised, where it occurs.

Each domain has its own HKDF-derived key, so equal strings in two domains get
unrelated tokens.  ``normalise`` is a SQL expression over ``x`` applied both when
the token map is filled and when rows look a token up, so ``138 1234 5678`` and
``13812345678`` are one person.  ``occurrences`` are SQL queries over the
(validated) landing views returning the raw values as ``v``: every distinct
value is hashed once, then rows are pseudonymised by joins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    name: str
    prefix: str
    normalise: str
    occurrences: tuple[str, ...]
    doc: str


DOMAINS: tuple[Domain, ...] = (
    Domain("person", "psn", "x",
           ("SELECT id_type || '|' || upper(id_number) AS v FROM landing.insured_persons",
            "SELECT id_type || '|' || upper(id_number) AS v FROM landing.certificates"),
           "an insured person: ID type and ID number"),
    Domain("account", "acc", "x", ("SELECT openid AS v FROM landing.accounts",),
           "a platform account: the WeChat OpenID"),
    Domain("mobile", "mob", "regexp_replace(x, '[^0-9]', '', 'g')",
           ("SELECT mobile AS v FROM landing.accounts",
            "SELECT contact_phone AS v FROM landing.group_bookings"),
           "a mobile number, digits only"),
    Domain("email", "eml", "lower(trim(x))", ("SELECT contact_email AS v FROM landing.group_bookings",),
           "an e-mail address, case-folded"),
    Domain("ip", "ipa", "trim(x)", ("SELECT ip_address AS v FROM landing.access_logs",), "an IP address"),
    Domain("device", "dev", "x", ("SELECT device_id AS v FROM landing.access_logs",), "a device id"),
    Domain("cookie", "ck", "x", ("SELECT cookie_id AS v FROM landing.access_logs",), "a cookie id"),
    Domain("company", "com", "upper(trim(x))",
           ("SELECT coalesce(credit_code, company_name) AS v FROM landing.group_bookings",),
           "a company: unified social credit code, else its name"),
    Domain("contact", "ctc", "x",
           (("SELECT contact_name || '|' || regexp_replace(contact_phone, '[^0-9]', '', 'g') AS v "
             "FROM landing.group_bookings"),),
           "a group-booking contact person: name and phone"),
    Domain("order_no", "ord", "x", ("SELECT order_no AS v FROM landing.orders",),
           "an order: the business order number"),
    Domain("certificate", "cer", "x", ("SELECT certificate_no AS v FROM landing.certificates",),
           "an insurance certificate number"),
    Domain("record", "rec", "x",
           ("SELECT 'group_bookings:' || booking_id AS v FROM landing.group_bookings",
            "SELECT 'service_records:' || record_id AS v FROM landing.service_records",
            "SELECT 'subject_requests:' || request_id AS v FROM landing.subject_requests"),
           "other operational record ids, so warehouse rows cannot be looked up in the source"),
)
BY_NAME = {d.name: d for d in DOMAINS}
TOKEN_HEX = 32  # 128 bits of the HMAC: no collisions at any realistic scale

# Release domains: tokens that leave the warehouse's reach (segment exports, activation delivery files).
# Not in DOMAINS: they have no occurrences in the landing data and no token map; each release (an
# export, an activation) gets a key of its own, derived from the domain key and the release id, so a
# release cannot be joined to the warehouse, to another release, or across key versions.  The vault
# remembers every release token it issued (``vault.ops.release_tokens``): see ``anonymizer.tokens``.
EXPORT = Domain("export", "exp", "x", (), "a segment export's member: the account, keyed by the export id")
ACTIVATION = Domain("activation", "act", "x", (), "an activation's recipient: the account, keyed by the activation id")
RELEASE_DOMAINS: tuple[Domain, ...] = (EXPORT, ACTIVATION)
