"""Retention (§四.(二)): keep each data class only as long as its purpose needs.

One policy table, ``seeds/retention_policy.csv`` (data class → table → clock
column → period → delete, anonymise or erase, with its legal basis), drives
everything; changing a period is a one-line change reviewed like code.

The vault mirrors a source that may keep rows longer than we may: so every
row removed here is remembered by a keyed hash of its key (the erasure
ledger's ``erased_keys``), counted as withheld in the reconciliation, and not
taken in again.  Closed accounts past their period go through the same path
as a subject's erasure; transactions leave only when their legal hold ends.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from anonymizer import changes, notes
from core.layout import PROJECT
from core.schema import BY_NAME
from pipelines import subjects
from vault import ledger_state

POLICY = PROJECT.seed("retention_policy")


@dataclass(frozen=True)
class Rule:
    data_class: str
    source_table: str
    clock: str
    retention_days: int
    action: str
    basis: str

    @property
    def period(self) -> str:
        """How long rows are kept, in words: a period after the clock, or (0 days) until the clock's date."""
        if self.retention_days:
            return f"{self.retention_days} days after {self.clock}"
        return f"until the row's own {self.clock} date"


def load_policy(path: Path = POLICY) -> list[Rule]:
    with path.open(encoding="utf-8") as fh:
        return [Rule(r["data_class"], r["source_table"], r["clock"], int(r["retention_days"]), r["action"],
                     r["basis"]) for r in csv.DictReader(fh)]


def answer_retention_days() -> int:
    """How long a subject-access answer file is kept, as the policy says."""
    return next(r.retention_days for r in load_policy() if r.data_class == "subject_access_answers")


def _candidates(con: duckdb.DuckDBPyConnection, rule: Rule, as_of: date) -> str:
    """SQL selecting the primary keys (as ``k``) the rule removes at ``as_of``."""
    cutoff = (as_of - timedelta(days=rule.retention_days)).isoformat()
    if rule.action == "delete" and rule.source_table == "legal_hold":
        return f"SELECT source_table AS t, source_key AS k FROM vault.ops.legal_hold WHERE hold_until < DATE '{cutoff}'"
    if rule.source_table == ANSWERS:
        return (f"SELECT '{ANSWERS}' AS t, hash(request_id) AS k FROM vault.ops.access_answers "
                f"WHERE written_at < DATE '{cutoff}'")
    t = BY_NAME[rule.source_table]
    where = f"{rule.clock} < DATE '{cutoff}'"
    if rule.source_table == "accounts":
        where += " AND status = 'closed'"
    if rule.source_table == "service_records":
        where += " AND note IS NOT NULL"
    if rule.source_table == "consent_events":  # only superseded events: the current state always stays
        where += (" AND EXISTS (SELECT 1 FROM vault.raw.consent_events AS n WHERE n.account_id = e.account_id "
                  "AND n.scope = e.scope AND n.channel IS NOT DISTINCT FROM e.channel "
                  "AND n.person_id IS NOT DISTINCT FROM e.person_id AND n.occurred_at > e.occurred_at)")
    return f"SELECT '{t.name}' AS t, {t.primary_key} AS k FROM vault.raw.{t.name} AS e WHERE {where}"


ANSWERS = "access_answers"  # subject-access answer files (pipelines.subjects), not a source table


def apply(con: duckdb.DuckDBPyConnection, as_of: date, dry_run: bool = False,
          data_dir: Path | None = None) -> dict[str, int]:
    """Rows removed (or anonymised) per data class.

    A dry run does all of it inside a transaction and rolls it back, so its counts are
    exactly what a real run would report (rules see each other's effects: an erased
    closed account's transactions go under a hold that may already have ended).
    """
    request = f"retention:{as_of.isoformat()}"
    counts: dict[str, int] = {}
    answers: list[str] = []
    con.execute("BEGIN")
    try:
        for rule in load_policy():
            con.execute(f"CREATE OR REPLACE TEMP TABLE r_keys AS {_candidates(con, rule, as_of)}")
            counts[rule.data_class] = con.execute("SELECT count(*) FROM r_keys").fetchone()[0]
            if not counts[rule.data_class]:
                continue
            if rule.source_table == ANSWERS:
                answers += subjects.forget_answers(con, "hash(request_id) IN (SELECT k FROM r_keys)", [])
            elif rule.action == "anonymise":
                con.execute("UPDATE vault.raw.service_records SET note = NULL "
                            "WHERE record_id IN (SELECT k FROM r_keys)")
                notes.forget(con, "service_records", "SELECT k FROM r_keys")
                con.execute("INSERT INTO vault.ops.anonymised SELECT t, ledger_hash(t || ':' || k::VARCHAR), ? "
                            "FROM r_keys", [request])
            elif rule.action == "erase":
                keys = [r[0] for r in con.execute("SELECT k FROM r_keys").fetchall()]
                subject = subjects.Subject(keys, [], scope="household")
                subjects.subject_rows(con, subject)
                subjects.withhold(con, subject, request)
            else:
                for table in [r[0] for r in con.execute("SELECT DISTINCT t FROM r_keys").fetchall()]:
                    pk = BY_NAME[table].primary_key
                    con.execute("INSERT INTO vault.ops.erased_keys SELECT t, ledger_hash(t || ':' || k::VARCHAR), ? "
                                "FROM r_keys WHERE t = ?", [request, table])
                    con.execute(f"DELETE FROM vault.raw.{table} WHERE {pk} IN (SELECT k FROM r_keys WHERE t = ?)",
                                [table])
                    notes.forget(con, table, f"SELECT k FROM r_keys WHERE t = '{table}'")
                    con.execute("DELETE FROM vault.ops.legal_hold WHERE source_table = ? AND source_key IN "
                                "(SELECT k FROM r_keys WHERE t = ?)", [table, table])
        if any(counts.values()):
            changes.start_afresh(con)
        con.execute("ROLLBACK" if dry_run else "COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if not dry_run and answers and data_dir is not None:
        subjects.delete_answer_files(data_dir, answers)
    if not dry_run and any(counts.values()):
        ledger_state.save_from(con)  # what retention removed stays removed even if the vault is rebuilt
    return counts
