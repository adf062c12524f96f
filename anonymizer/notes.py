"""Service notes → ``redacted_notes(record_id, note_redacted)``, redacting only what can have changed.

Each note is checked against the known names of its own account's people (insured
persons and group contacts) as well as the generic detectors, and then against every
name the vault holds: the detectors' recall on unknown names is about 0.99, so a name
they miss that belongs to anyone on the platform (the audit's definition of a leak) is
still caught.

Redaction was a third of the pseudonymise stage on city and every run redid all of it.
The vault keeps each note's redaction (``ops.redacted_notes``) under a hash of what it
depends on: the note, its account's names and the redactor's version.  A note is redacted
again when that hash changes, or when a name that joined the platform since occurs in it
(``batch.lexicon_touches``); ``ops.redaction_lexicon`` holds keyed hashes of the names the
cache was last checked against, never the names.  Rows of notes no longer in the vault
leave the cache on the next run, and at once when a subject is erased.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from anonymizer.redact import batch
from core.schema import INGESTED


def platform_names(con: duckdb.DuckDBPyConnection) -> frozenset[str]:
    """Every name in the vault (the schema's ``name`` identifier columns), quarantined rows included."""
    parts = [f"SELECT trim({c.name}) AS n FROM vault.raw.{t.name}"
             for t in INGESTED for c in t.columns if c.identifier == "name"]
    rows = con.execute(f"SELECT DISTINCT n FROM ({' UNION ALL '.join(parts)}) WHERE length(n) >= 2").fetchall()
    return frozenset(r[0] for r in rows)


_NOTES = f"""
    SELECT s.record_id, s.note, names,
           md5_number(coalesce(s.note, chr(1)) || chr(0) || array_to_string(coalesce(names, []), chr(0)) || '{batch.CODE_VERSION}')
               AS input_hash
    FROM landing.service_records AS s
    LEFT JOIN (
        SELECT account_id, list_sort(list_distinct(list(n))) AS names
        FROM (SELECT account_id, name AS n FROM landing.insured_persons
              UNION ALL SELECT account_id, contact_name FROM landing.group_bookings)
        WHERE n IS NOT NULL GROUP BY ALL
    ) USING (account_id)
"""


def redact_notes(con: duckdb.DuckDBPyConnection) -> int:
    """``redacted_notes`` as a TEMP table, and ``redone_notes``: the record ids redacted this run (the
    rest came from the cache); returns how many."""
    lexicon = platform_names(con)
    con.execute(f"CREATE OR REPLACE TEMP TABLE notes_in AS {_NOTES}")
    con.register("_lexicon", pa.table({"n": pa.array(sorted(lexicon), type=pa.string())}))
    con.execute("CREATE OR REPLACE TEMP TABLE lexicon_now AS SELECT DISTINCT ledger_hash(n) AS h, n FROM _lexicon")
    con.unregister("_lexicon")
    joined = {r[0] for r in con.execute(
        "SELECT n FROM lexicon_now WHERE h NOT IN (SELECT h FROM vault.ops.redaction_lexicon)").fetchall()}
    lexicon_moved = bool(joined) or con.execute(
        "SELECT count(*) FROM vault.ops.redaction_lexicon WHERE h NOT IN (SELECT h FROM lexicon_now)").fetchone()[0] > 0

    stale = [record_id for record_id, note in con.execute(
        "SELECT i.record_id, i.note FROM notes_in AS i JOIN vault.ops.redacted_notes AS c USING (record_id, input_hash)"
    ).fetchall() if batch.lexicon_touches(note, joined)] if joined else []
    con.execute("CREATE OR REPLACE TEMP TABLE notes_redo AS SELECT i.* FROM notes_in AS i "
                "ANTI JOIN vault.ops.redacted_notes AS c USING (record_id, input_hash) "
                "UNION ALL SELECT * FROM notes_in WHERE record_id IN (SELECT unnest(?::BIGINT[]))", [stale])
    redo = con.execute("SELECT record_id, note, names FROM notes_redo").fetchall()
    fresh = pa.table({
        "record_id": pa.array([r[0] for r in redo], type=pa.int64()),
        "note_redacted": pa.array(batch.redact_all([(r[1], r[2] or ()) for r in redo], lexicon), type=pa.string()),
    })
    con.register("_fresh", fresh)
    con.execute("BEGIN")
    try:
        con.execute("DELETE FROM vault.ops.redacted_notes WHERE record_id NOT IN (SELECT record_id FROM notes_in) "
                    "OR record_id IN (SELECT record_id FROM _fresh)")
        con.execute("INSERT INTO vault.ops.redacted_notes SELECT record_id, r.input_hash, f.note_redacted "
                    "FROM notes_redo AS r JOIN _fresh AS f USING (record_id)")
        if lexicon_moved:
            con.execute("DELETE FROM vault.ops.redaction_lexicon")
            con.execute("INSERT INTO vault.ops.redaction_lexicon SELECT h FROM lexicon_now")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_fresh")
    con.execute("CREATE OR REPLACE TEMP TABLE redacted_notes AS SELECT i.record_id, c.note_redacted "
                "FROM notes_in AS i JOIN vault.ops.redacted_notes AS c USING (record_id, input_hash)")
    con.execute("CREATE OR REPLACE TEMP TABLE redone_notes AS SELECT record_id FROM notes_redo")
    con.execute("DROP TABLE notes_in; DROP TABLE notes_redo; DROP TABLE lexicon_now")
    return len(redo)


def forget(con: duckdb.DuckDBPyConnection, table: str, keys: str) -> None:
    """Drop the cached redactions of rows of ``table`` (a SQL subquery ``keys`` names them) that are
    being erased or anonymised: only service records have any."""
    if table == "service_records":
        con.execute(f"DELETE FROM vault.ops.redacted_notes WHERE record_id IN ({keys})")
