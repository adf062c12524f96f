"""Every table of the vault, created in one place when a session attaches it for writing.

Readers never probe ``duckdb_tables()`` for a vault table: a vault that was opened once
for writing holds all of them.  A vault written by an earlier version gets what it lacks
(``IF NOT EXISTS``, and the columns added since, in ``MIGRATIONS``) the next time it is opened.

Schemas:
  raw         landing copies of the operational tables (incremental upserts, change detection by content)
  tokens      one token map per identifier domain (value -> token)
  quarantine  rows that failed validation, with run id and reason; what each row was last validated on
  ops         the run log, key versions, the erasure ledger, releases, subject requests, activations
"""

from __future__ import annotations

import duckdb

from anonymizer.domains import DOMAINS
from core.schema import INGESTED, TYPES

SCHEMAS = ("raw", "tokens", "quarantine", "ops")

# columns every raw table has after the source's own: when the row landed, its content hash (change
# detection), why validation refused it, and the row as the source sent it (for the quarantine)
LANDING_EXTRA = ("_extracted_at TIMESTAMP", "_row_hash UHUGEINT", "_problems VARCHAR", "_source_json VARCHAR")
_QUARANTINE = ("run_id VARCHAR, source_table VARCHAR, source_key BIGINT, reason_code VARCHAR, rule VARCHAR, "
               "detected_at TIMESTAMP")

def checked(table: str, db: str | None = "vault") -> str:
    """The table of what ``table``'s landing rows were last validated on (``pipelines.validate.judge``)."""
    return f"{db + '.' if db else ''}quarantine.checked_{table}"


TABLES: dict[str, str] = {  # schema.table -> columns
    **{f"raw.{t.name}": ", ".join([*(f"{c.name} {TYPES[c.type][2]}" for c in t.columns), *LANDING_EXTRA])
       for t in INGESTED},
    # the source's rows as last extracted, by content: what is new, changed or gone
    "ops.source_rows": "source_table VARCHAR, row_hash UHUGEINT",
    # No PRIMARY KEY: maintaining DuckDB's ART index was most of the cost of tokenising (279k values/s
    # with it, 553k without, measured by ``make bench``); ``tokens.update_maps`` inserts only values
    # absent from the map and then proves the map still holds each value once.
    **{f"tokens.{d.name}": "value VARCHAR NOT NULL, token VARCHAR NOT NULL, key_version INTEGER NOT NULL, "
                           "first_seen_run VARCHAR NOT NULL" for d in DOMAINS},
    "quarantine.current": _QUARANTINE,
    "quarantine.history": f"{_QUARANTINE}, row_json VARCHAR",
    # what each landing row was last validated on (its content, and a hash of its helper columns and suite),
    # one table per landing table (a full validation replaces it whole), and what GX found wrong with the
    # rows then, rules without a reason code (warnings) too: a row equal on both keeps those verdicts
    **{checked(t.name, db=None): "source_key BIGINT, row_hash UHUGEINT, context UBIGINT" for t in INGESTED},
    "quarantine.flags": "source_table VARCHAR, source_key BIGINT, reason_code VARCHAR, rule VARCHAR, severity VARCHAR",
    "ops.reconciliation": ("run_id VARCHAR, source_table VARCHAR, source_rows BIGINT, loaded_rows BIGINT, "
                           "quarantined_rows BIGINT"),
    "ops.runs": ("run_id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, as_of_date DATE, source_kind VARCHAR, "
                 "key_version INTEGER, key_id VARCHAR, status VARCHAR"),
    # when each key version (by public fingerprint) came into use
    "ops.key_versions": "version INTEGER PRIMARY KEY, key_id VARCHAR NOT NULL, activated_at TIMESTAMP NOT NULL",
    # the erasure ledger and its key (random; a TEMP macro hashes with it: ``ledger_state.install_hash``)
    "ops.ledger_key": "secret BLOB NOT NULL",
    "ops.erasure_ledger": "kind VARCHAR, subject_hash VARCHAR, request_id VARCHAR, erased_at TIMESTAMP",
    "ops.erased_keys": "source_table VARCHAR, key_hash VARCHAR, request_id VARCHAR",
    "ops.legal_hold": "source_table VARCHAR, source_key BIGINT, hold_until DATE, request_id VARCHAR",
    "ops.anonymised": "source_table VARCHAR, key_hash VARCHAR, request_id VARCHAR",
    # keyed hashes of identifiers a correction replaced: the leak audit still knows them
    "ops.superseded_values": "kind VARCHAR, h VARCHAR",
    # which subject-access answer file holds whom: erasure and retention remove them
    "ops.access_answers": ("request_id VARCHAR, file VARCHAR, written_at TIMESTAMP, account_ids BIGINT[], "
                           "person_ids BIGINT[]"),
    "ops.subject_request_log": ("logged_at TIMESTAMP, by_user VARCHAR, action VARCHAR, identifier_kind VARCHAR, "
                                "request_id VARCHAR, rows BIGINT"),
    # every release (segment export, activation) and every token it issued: the only way back
    "ops.releases": ("release_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, audience VARCHAR, as_of_date DATE, "
                     "definition_version VARCHAR, file VARCHAR, row_count BIGINT, key_version INTEGER, "
                     "created_at TIMESTAMP, by_user VARCHAR"),
    "ops.release_tokens": "release_id VARCHAR NOT NULL, token VARCHAR NOT NULL, value VARCHAR NOT NULL, split_group VARCHAR",
    # activations: the re-identification log and what was delivered to whom
    "ops.reidentifications": ("logged_at TIMESTAMP, by_user VARCHAR, audience VARCHAR, as_of_date DATE, members BIGINT, "
                              "dropped_holdout BIGINT, dropped_consent BIGINT, dropped_cap BIGINT, delivered BIGINT, "
                              "file VARCHAR, export_id VARCHAR, activation_id VARCHAR"),
    "ops.deliveries": "audience VARCHAR, as_of_date DATE, account_id BIGINT, channel VARCHAR, delivered_at TIMESTAMP",
    # each service note's redaction, under a hash of what it depends on (``anonymizer.notes``), and keyed
    # hashes of the platform names those redactions were last checked against
    "ops.redacted_notes": "record_id BIGINT, input_hash UHUGEINT, note_redacted VARCHAR",
    "ops.redaction_lexicon": "h VARCHAR",
    # what the build database was last pseudonymised from (``anonymizer.changes``): per account a hash of its
    # landing rows, its account key and whether the build removed rows of it; per table a fingerprint of
    # the rest, and the run that built them
    "ops.pseudo_accounts": "account_id BIGINT, account_key VARCHAR, state UBIGINT, purged BOOLEAN",
    "ops.pseudo_tables": "table_name VARCHAR, fingerprint VARCHAR, run_id VARCHAR",
    # the holdout secret (random, created once): which members an audience holds out
    "ops.holdout_key": "secret BLOB NOT NULL",
}

MIGRATIONS: tuple[str, ...] = (  # columns added after vaults already existed: "schema.table column type"
    *(f"raw.{t.name} {extra}" for t in INGESTED for extra in LANDING_EXTRA[1:]),  # change detection by content
    "quarantine.current row_hash UHUGEINT",  # verdicts name rows by content
    "quarantine.history row_hash UHUGEINT",
    "ops.reconciliation withheld_rows BIGINT DEFAULT 0",  # rows of erased people, or under a legal hold
    "ops.reidentifications export_id VARCHAR",
    "ops.reidentifications activation_id VARCHAR",
    "ops.pseudo_accounts purged BOOLEAN",
)

# token values an earlier definition of a domain produced (``anonymizer.domains``: a mobile was all its
# digits, so +86 13812345678 was someone else), which no lookup produces any more: dropped, so no raw
# value outlives its people, and the next run tokenises the rows under the current definition
STALE_VALUES: tuple[str, ...] = (
    "DELETE FROM {db}.tokens.mobile WHERE length(value) > 11",
    "DELETE FROM {db}.tokens.contact WHERE regexp_matches(value, '\\|[0-9]{{12,}}$')",
)


def create(con: duckdb.DuckDBPyConnection, db: str = "vault") -> None:
    """Create what ``db`` lacks: every schema, table and later column (idempotent)."""
    statements = [f"CREATE SCHEMA IF NOT EXISTS {db}.{s}" for s in SCHEMAS]
    statements += [f"CREATE TABLE IF NOT EXISTS {db}.{name} ({cols})" for name, cols in TABLES.items()]
    for migration in MIGRATIONS:
        name, column = migration.split(" ", 1)
        statements.append(f"ALTER TABLE {db}.{name} ADD COLUMN IF NOT EXISTS {column}")
    statements += [stale.format(db=db) for stale in STALE_VALUES]
    con.execute(";\n".join(statements))
