"""Hostile input: what real sources do beyond the documented bad-row matrix (``bad_rows.py``).

``bad_rows.py`` adds well-formed rows that break a business rule.  These cases
corrupt a generated SQLite source the way operational systems do: text in a
number column, dates in other shapes, bytes that are not UTF-8, missing or
repeated keys, clocks running ahead or behind, a schema that drifted.  Each
is declared as data: the statements that corrupt the source, and what the
pipeline must do about it (a quarantine reason for the row, or one ``Error:``
line and nothing changed), plus a value that must never leave the vault.

``{key}`` in a statement is the primary key of the case's target row (the
``offset``-th by key order); ``{pk}`` its column.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.schema import BY_NAME

# A table re-created without constraints, as a source that never declared its keys would be
_UNCONSTRAINED = ("CREATE TABLE _copy AS SELECT * FROM {table}", "DROP TABLE {table}",
                  "ALTER TABLE _copy RENAME TO {table}")


@dataclass(frozen=True)
class Case:
    name: str
    description: str
    table: str
    statements: tuple[str, ...]
    reason: str | None = None  # the target row's quarantine reason (None: it loads)
    error: str | None = None  # the run stops with one Error: line holding this text
    sentinel: str | None = None  # a source value that must not appear outside the vault
    offset: int = 0

    def sql(self, key: int | None) -> list[str]:
        pk = BY_NAME[self.table].primary_key
        return [s.format(table=self.table, key=key, pk=pk) for s in self.statements]


def _set(column: str, value: str) -> tuple[str, ...]:
    return (f"UPDATE {{table}} SET {column} = {value} WHERE {{pk}} = {{key}}",)


def row_cases() -> list[Case]:
    """Rows that must be quarantined with their reason (or load, converted) while their siblings load."""
    return [
        Case("text_in_integer", "a payment amount typed with its unit", "payments",
             _set("amount_fen", "'12.5元'"), "bad_type", sentinel="12.5元", offset=3),
        Case("too_many_decimals", "an order amount with decimals in a fen column", "orders",
             _set("amount_fen", "'9900.123'"), "bad_type", sentinel="9900.123", offset=5),
        Case("malformed_date", "a birthday that is no date", "insured_persons",
             _set("birthday", "'2025/13/45'"), "bad_date", sentinel="2025/13/45", offset=11),
        Case("epoch_date", "a birthday as Unix seconds", "insured_persons",
             _set("birthday", "631152000"), "bad_date", sentinel="631152000", offset=12),
        Case("compact_date", "a birthday without separators", "insured_persons",
             _set("birthday", "'19850309'"), "bad_date", sentinel="19850309", offset=13),
        Case("malformed_timestamp", "an access time in a local format", "access_logs",
             _set("occurred_at", "'2026年11月1日 10:00'"), "bad_timestamp", sentinel="2026年11月1日", offset=7),
        Case("timestamp_with_offset", "a page view stamped in UTC with an offset: converted, not dropped",
             "access_logs", _set("occurred_at", "'2026-11-01 02:00:00 +0000'"), None, offset=8),
        Case("boolean_word", "a flag written as a word nobody reads as true or false", "accounts",
             _set("is_staff_or_test", "'maybe'"), "bad_type", offset=21),
        Case("invalid_utf8_name", "a name whose bytes are not UTF-8", "insured_persons",
             _set("name", "CAST(X'E5BCA0FF' AS TEXT)"), "encoding_error", offset=14),
        Case("invalid_utf8_note", "a service note whose bytes are not UTF-8", "service_records",
             _set("note", "CAST(X'E5AEA2E688B7FFFE' AS TEXT)"), "encoding_error", offset=2),
        Case("negative_payment", "a payment of minus one yuan", "payments",
             _set("amount_fen", "-100"), "negative_amount", offset=9),
        Case("negative_premium", "a certificate with a negative premium", "certificates",
             _set("premium_fen", "-100"), "negative_amount", offset=17),
        Case("birthday_before_1900", "a person born in 1899", "insured_persons",
             _set("birthday", "'1899-12-31'"), "implausible_birthday", offset=15),
        Case("future_timestamp", "an account updated in 2030 (a clock running ahead)", "accounts",
             _set("updated_at", "'2030-01-01 00:00:00'"), "future_timestamp", offset=22),
        Case("far_future_timestamp", "an order updated on 9999-12-31", "orders",
             _set("updated_at", "'9999-12-31 23:59:59'"), "future_timestamp", offset=23),
        Case("null_primary_key", "a health answer with no key, in a source that never declared one",
             "health_answers", (*_UNCONSTRAINED, "UPDATE {table} SET {pk} = NULL WHERE {pk} = {key}"),
             "missing_key", offset=4),
        Case("duplicate_primary_key", "two consent events sharing one key", "consent_events",
             (*_UNCONSTRAINED, "INSERT INTO {table} SELECT * FROM {table} WHERE {pk} = {key}"),
             "duplicate_key", offset=6),
    ]


def change_cases() -> list[Case]:
    """Changes after a good run that ``updated_at`` alone would miss or mishandle."""
    return [
        Case("back_dated_update", "an order cancelled with an updated_at older than the last run", "orders",
             ("UPDATE {table} SET status = 'cancelled', updated_at = '2023-01-01 00:00:00' WHERE {pk} = {key}",),
             None, offset=30),
        Case("delete_and_back_dated_insert", "a payment deleted and another inserted with an old stamp",
             "payments", (("INSERT INTO {table} SELECT {pk} + 1000000000, order_id, method, status, amount_fen, "
                           "paid_at, '2023-01-01 00:00:00' FROM {table} WHERE {pk} = {key}"),
                          "DELETE FROM {table} WHERE {pk} = {key}"), None, offset=31),
        Case("duplicate_key_after_good_run", "an access log's key appearing a second time", "access_logs",
             (*_UNCONSTRAINED, "INSERT INTO {table} SELECT * FROM {table} WHERE {pk} = {key}",
              ("UPDATE {table} SET page = page || '?again' WHERE rowid = (SELECT max(rowid) FROM {table} "
               "WHERE {pk} = {key})")), "duplicate_key", offset=32),
    ]


def drift_cases() -> list[Case]:
    """Schema drift: one Error: line naming table and column, nothing changed."""
    return [
        Case("dropped_column", "a column the warehouse reads was dropped", "accounts",
             ("ALTER TABLE {table} DROP COLUMN closed_at",), error="source table accounts has no column closed_at"),
        Case("renamed_column", "a column renamed", "orders",
             ("ALTER TABLE {table} RENAME COLUMN amount_fen TO amount",),
             error="source table orders has no column amount_fen"),
        Case("missing_table", "a table the warehouse reads is gone", "subject_requests",
             ("DROP TABLE {table}",), error="the source has no table subject_requests"),
    ]


EXTRA_COLUMN = Case("extra_column", "a column the warehouse does not know (ignored, named once)", "accounts",
                    ("ALTER TABLE {table} ADD COLUMN wechat_nickname TEXT",))
