"""The boundary: one typed, tolerant reading of every source value.

The source is read as text (SQLite keeps whatever was written, whatever the
column's declared type) and each value is cast here, once, with ``TRY_CAST``
and strict shapes.  A value that does not fit its column never raises (an
exception would stop the run and could carry the value onto the screen): it
lands as NULL beside a problem code, and validation quarantines the row with
that reason while its siblings load.  The text as read is kept in the vault
(``_source_json``) for such rows only, so nothing is lost.

Time: the source's naive timestamps are wall-clock time in ``SOURCE_TIMEZONE``;
a value written with an offset (``+0800``, ``+08:00``, ``Z``) is converted to
it, never truncated.  "Now" is the same zone's wall clock, and a timestamp
beyond it by more than ``CLOCK_TOLERANCE`` is in the future.
"""

from __future__ import annotations

from core.schema import TYPES, Table

SOURCE_TIMEZONE = "Asia/Shanghai"
CLOCK_TOLERANCE = "INTERVAL 10 MINUTE"
LOCAL_NOW = f"(now() AT TIME ZONE '{SOURCE_TIMEZONE}')"
LOCAL_TODAY = f"{LOCAL_NOW}::DATE"

# The reason each logical type gives when a value does not fit it.
PROBLEM = {"int": "bad_type", "bool": "bad_type", "date": "bad_date", "ts": "bad_timestamp", "text": "encoding_error"}
MISSING_KEY = "missing_key"
FUTURE = "future_timestamp"
DUPLICATE_KEY = "duplicate_key"

# Bytes that are not UTF-8 are kept (for the quarantine) as hex behind this private-use character.
UNDECODABLE = "\ue000hex:"
_INT = r"\s*[+-]?[0-9]{1,18}\s*"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
# a date, a time to the minute or finer, then an optional offset (only after a time: "-01" ends a date)
_TS = r"\s*([0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?)\s*(Z|[+-][0-9]{2}(?::?[0-9]{2})?)?\s*"
_TS_WITH_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}.*"
# the shape nearly every source timestamp has: one plain match and a cast instead of the general
# path's three regular expressions (city extract: access_logs' two stamps 2.67 s -> 0.66 s)
_TS_PLAIN = r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"


def cast(type_: str, v: str) -> str:
    """SQL turning the text ``v`` into the column's DuckDB type, or NULL if it does not fit."""
    target = TYPES[type_][2]
    if type_ == "int":
        return f"CASE WHEN regexp_full_match({v}, '{_INT}') THEN TRY_CAST(trim({v}) AS {target}) END"
    if type_ == "date":
        return f"CASE WHEN regexp_full_match(trim({v}), '{_DATE}') THEN TRY_CAST(trim({v}) AS DATE) END"
    if type_ == "ts":
        return f"CASE WHEN regexp_full_match({v}, '{_TS_PLAIN}') THEN TRY_CAST({v} AS TIMESTAMP) ELSE {timestamp(v)} END"
    if type_ == "bool":
        return f"TRY_CAST(trim({v}) AS BOOLEAN)"
    return _utf8(v)


def timestamp(v: str) -> str:
    """SQL: the general reading of a timestamp, any shape ``_TS`` allows (``cast`` tries the plain shape first)."""
    stamp, offset = (f"regexp_extract({v}, '^{_TS}$', {g})" for g in (1, 2))
    # an offset needs a time before it; a bare date is midnight
    return (f"CASE WHEN NOT regexp_full_match({v}, '{_TS}') THEN NULL "
            f"WHEN {offset} = '' THEN TRY_CAST({stamp} AS TIMESTAMP) "
            f"WHEN regexp_full_match({stamp}, '{_TS_WITH_TIME}') THEN "
            f"TRY_CAST({stamp} || {offset} AS TIMESTAMPTZ) AT TIME ZONE '{SOURCE_TIMEZONE}' END")


def _utf8(v: str) -> str:
    """The value if its bytes are UTF-8, else NULL (DuckDB's scanners pass SQLite's bytes through unchecked)."""
    return f"TRY(decode(encode({v})))"


def as_read(v: str) -> str:
    """SQL: the text as read, safe to keep and print as JSON (bytes that are not UTF-8 as hex behind a marker)."""
    return f"coalesce({_utf8(v)}, '{UNDECODABLE}' || hex(encode({v})))"


def problems(table: Table, v: dict[str, str]) -> str:
    """SQL: the row's problems as ``reason:column`` joined by ``;`` (NULL when it has none).

    ``v`` maps each column to the SQL of its text value, and ``<column>__typed`` to the
    SQL of its cast value.  A key that is missing is its own reason: such a row can be
    neither matched nor joined.
    """
    parts = [f"CASE WHEN {v[table.primary_key]} IS NULL THEN '{MISSING_KEY}:{table.primary_key}' END"]
    for c in table.columns:
        parts.append(f"CASE WHEN {v[c.name]} IS NOT NULL AND {v[c.name + '__typed']} IS NULL "
                     f"THEN '{PROBLEM[c.type]}:{c.name}' END")
    return f"nullif(concat_ws(';', {', '.join(parts)}), '')"


def future(table: Table) -> str | None:
    """SQL true when a timestamp of the row lies beyond now (plus the tolerance), else None if it has none."""
    stamps = [c.name for c in table.columns if c.type == "ts"]
    if not stamps:
        return None
    return " OR ".join(f"{s} > {LOCAL_NOW} + {CLOCK_TOLERANCE}" for s in stamps)
