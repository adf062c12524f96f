"""Subject rights (§八): find everything held about a person, and erase it without trace.

A subject is named by an ID number, a mobile or a WeChat OpenID and resolved in
the vault to source records: the accounts they hold and the insured-person
records carrying their ID (an account holder's erasure takes the account's
family records with it: they were given as part of that account).

Erasure keeps three promises:

* nothing of the person stays in the vault's raw rows or token maps, the
  warehouse (rebuilt from the vault), segment membership, exports or
  delivery files;
* transaction records the law says to keep three years after completion
  (§四.(二): orders, payments, certificates) stay in the vault under a legal
  hold, invisible to the warehouse, and go when ``yihui retention apply``
  finds the hold ended;
* the erasure is remembered in a ledger of keyed hashes of the person's
  identifiers (no raw value; the ledger key lives inside the encrypted vault,
  so it survives key rotation), and every later run drops rows whose
  identifiers hash into it: a source that still holds the person does not
  bring them back.  Rows withheld that way are counted, so source rows still
  reconcile as loaded + quarantined + withheld.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from anonymizer import changes, notes
from anonymizer.domains import BY_NAME as TOKEN_DOMAINS
from anonymizer.domains import install_value_macros
from core.errors import YihuiError
from core.idnumbers import has_resident_id_shape, is_valid_mobile, resident_id_problem
from core.layout import Layout
from core.schema import BY_NAME, INGESTED, SELF, Table
from pipelines.source import Source
from vault import ledger_state
from vault import schema as vault_schema


class SubjectError(YihuiError):
    """A subject request cannot be carried out (the message never holds the identifier)."""


HELD = {  # table -> the date its legal hold runs from (§四.(二): 3 years after completion)
    "orders": "created_at::DATE",
    "payments": "paid_at::DATE",
    "certificates": "coverage_end",
}
HOLD_YEARS = 3


SCOPES = {
    "person": "the named person alone: their own records, and the rows of an account they hold that are about no one else",
    "household": "the named person and everyone on the accounts they hold (a guardian for a child, a holder for a spouse)",
}


@dataclass
class Subject:
    accounts: list[int]  # accounts the person holds (本人), or named by OpenID / mobile
    persons: list[int]  # insured-person records named by ID number
    rows: dict[str, list[int]] = field(default_factory=dict)  # table -> primary keys
    scope: str = "person"  # a key of SCOPES
    others: int = 0  # insured people on the accounts who are not the person (left out in person scope)
    per_account: dict[int, int] = field(default_factory=dict)  # rows by the account they belong to, all tables

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.rows.values())


def check_identifier(id_number: str | None, mobile: str | None, openid: str | None) -> None:
    given = [v for v in (id_number, mobile, openid) if v]
    if len(given) != 1:
        raise SubjectError("name the person by exactly one of --id-number, --mobile or --openid")
    if id_number:
        value = id_number.strip().upper()
        if has_resident_id_shape(value):
            problem = resident_id_problem(value)
            if problem:
                raise SubjectError(f"the ID number is malformed ({problem}): nothing was looked up or changed")
        elif re.fullmatch(r"[0-9X]+", value) and len(value) != 15:  # digits: a resident ID, 18 (or old 15)
            raise SubjectError("the ID number is malformed (a resident ID has 18 digits): nothing was looked up")
        elif not re.fullmatch(r"[A-Z0-9]{6,20}", value):
            raise SubjectError("the ID number is malformed (expected an 18-digit resident ID or a document number)")
    if mobile and not is_valid_mobile(TOKEN_DOMAINS["mobile"].value_of(mobile)):
        raise SubjectError("the mobile number is malformed: nothing was looked up or changed")
    if openid and not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", openid):
        raise SubjectError("the OpenID is malformed: nothing was looked up or changed")


def subject_rows(con: duckdb.DuckDBPyConnection, subject: Subject) -> None:
    """Every raw row of the subject, table by table, in the subject's scope."""
    con.execute("CREATE OR REPLACE TEMP TABLE s_accounts AS SELECT DISTINCT unnest(?::BIGINT[]) AS id", [subject.accounts])
    household = subject.scope == "household"
    con.execute(  # each person and order with the account it belongs to (``owner``)
        "CREATE OR REPLACE TEMP TABLE s_persons AS SELECT u.id, p.account_id AS owner FROM unnest(?::BIGINT[]) AS u(id) "
        "LEFT JOIN vault.raw.insured_persons AS p ON p.person_id = u.id UNION "
        "SELECT person_id, account_id FROM vault.raw.insured_persons WHERE account_id IN (SELECT id FROM s_accounts)"
        + ("" if household else " AND relationship = '本人'"), [subject.persons])
    subject.others = con.execute(
        "SELECT count(*) FROM vault.raw.insured_persons WHERE account_id IN (SELECT id FROM s_accounts) "
        "AND person_id NOT IN (SELECT id FROM s_persons)").fetchone()[0]
    con.execute("CREATE OR REPLACE TEMP TABLE s_orders AS SELECT order_id AS id, account_id AS owner FROM vault.raw.orders "
                "WHERE account_id IN (SELECT id FROM s_accounts)")
    subject.per_account = {}
    for t in INGESTED:
        cols = set(t.column_names)
        conditions = []
        if t.name == "accounts":
            conditions.append("account_id IN (SELECT id FROM s_accounts)")
        elif t.name == "insured_persons":
            conditions.append("person_id IN (SELECT id FROM s_persons)")
        elif "person_id" in cols and not household:
            # a row about a person is theirs alone; an account's row about no one in particular is the holder's
            conditions.append("person_id IN (SELECT id FROM s_persons)")
            if "account_id" in cols:
                conditions.append("(person_id IS NULL AND account_id IN (SELECT id FROM s_accounts))")
        else:
            if "account_id" in cols:
                conditions.append("account_id IN (SELECT id FROM s_accounts)")
            if "person_id" in cols:
                conditions.append("person_id IN (SELECT id FROM s_persons)")
            if "order_id" in cols:
                conditions.append("order_id IN (SELECT id FROM s_orders)")
        # the account a row belongs to: its own, else its person's, else its order's
        owners = [(c, f"LEFT JOIN {rel} AS {c[0]} ON {c[0]}.id = t.{c}") for c, rel in (
            ("account_id", "s_accounts"), ("person_id", "s_persons"), ("order_id", "s_orders")) if c in cols]
        owner = f"coalesce({', '.join('a.id' if c == 'account_id' else f'{c[0]}.owner' for c, _ in owners)})"
        keys = con.execute(f"SELECT t.{t.primary_key}, {owner} FROM vault.raw.{t.name} AS t "
                           f"{' '.join(j for _, j in owners)} WHERE {' OR '.join(conditions)} ORDER BY 1").fetchall()
        subject.rows[t.name] = [k[0] for k in keys]
        for _, account in keys:
            subject.per_account[account] = subject.per_account.get(account, 0) + 1


def _lookup(con: duckdb.DuckDBPyConnection, relation: Callable[[str], str], id_number: str | None,
            mobile: str | None, openid: str | None) -> tuple[list, list]:
    """(accounts, persons) the identifier names, in the tables ``relation`` gives SQL for (the vault's
    raw tables, or the source's)."""
    if openid:
        return [r[0] for r in con.execute(f"SELECT account_id FROM {relation('accounts')} WHERE openid = ?",
                                          [openid]).fetchall()], []
    if mobile:
        return [r[0] for r in con.execute(
            f"SELECT account_id FROM {relation('accounts')} "
            "WHERE norm_mobile(mobile) = norm_mobile(?)", [mobile]).fetchall()], []
    rows = con.execute(f"SELECT person_id, account_id, relationship FROM {relation('insured_persons')} "
                       "WHERE upper(id_number) = ?", [id_number.strip().upper()]).fetchall()
    return sorted({r[1] for r in rows if r[2] == SELF}), [r[0] for r in rows]


def find(con: duckdb.DuckDBPyConnection, id_number: str | None = None, mobile: str | None = None,
         openid: str | None = None, scope: str = "person") -> Subject:
    check_identifier(id_number, mobile, openid)
    if scope not in SCOPES:
        raise SubjectError(f"unknown scope {scope!r}: person or household")
    accounts, persons = _lookup(con, lambda t: f"vault.raw.{t}", id_number, mobile, openid)
    if not accounts and not persons:
        raise SubjectError("no one with that identifier is held in the vault: nothing changed")
    subject = Subject(sorted(accounts), sorted(persons), scope=scope)
    subject_rows(con, subject)
    return subject


def check_held_in_source(source: Source, id_number: str | None = None, mobile: str | None = None,
                         openid: str | None = None) -> None:
    """Before a correction re-runs anything: the corrected value must be in the source (the system
    of record), or there is nothing to correct."""
    check_identifier(id_number, mobile, openid)
    con = duckdb.connect()
    install_value_macros(con)
    try:
        with source.reader(con) as reader:
            accounts, persons = _lookup(con, lambda t: f"({reader.relation(BY_NAME[t])})", id_number, mobile, openid)
    finally:
        con.close()
    if not accounts and not persons:
        raise SubjectError("no one with that identifier is held in the source: nothing was run or changed "
                           "(correct the source first, then name the person by the corrected value)")


# --- the erasure ledger --------------------------------------------------------------------------

IDENTIFIERS = (  # kind, SQL over vault.raw giving (value, account_id, person_id)
    ("openid", "SELECT openid AS v, account_id, NULL::BIGINT AS person_id FROM vault.raw.accounts"),
    ("mobile", ("SELECT norm_mobile(mobile) AS v, account_id, NULL::BIGINT AS person_id "
                "FROM vault.raw.accounts")),
    ("person", ("SELECT norm_person(id_type, id_number) AS v, NULL::BIGINT AS account_id, person_id "
                "FROM vault.raw.insured_persons")),
)


def _identifier_hashes(con: duckdb.DuckDBPyConnection, where: str = "TRUE") -> str:
    parts = [f"SELECT '{kind}' AS kind, ledger_hash(v) AS h, account_id, person_id FROM ({sql} WHERE {where}) "
             f"WHERE v IS NOT NULL AND v <> ''" for kind, sql in IDENTIFIERS]
    return " UNION ALL ".join(parts)


def remember_superseded(con: duckdb.DuckDBPyConnection, table: Table, where: str) -> None:
    """Keyed hashes of the identifiers in the rows ``where`` selects, before a correction replaces them:
    the leak audit still knows a value the vault no longer holds (no value is kept, only its hash)."""
    from anonymizer.audit import long_enough, needle_value

    columns = [c for c in table.columns if c.identifier]
    if not columns:
        return
    values = " UNION ".join(
        f"SELECT '{c.identifier}' AS kind, {needle_value(c)} AS v FROM vault.raw.{table.name} WHERE ({where}) "
        f"AND {needle_value(c)} IS NOT NULL AND {long_enough(c.identifier, needle_value(c))}" for c in columns)
    con.execute(f"INSERT INTO vault.ops.superseded_values SELECT DISTINCT kind, ledger_hash(v) FROM ({values}) "
                "WHERE ledger_hash(v) NOT IN (SELECT h FROM vault.ops.superseded_values)")


def withhold(con: duckdb.DuckDBPyConnection, subject: Subject, request_id: str) -> dict[str, int]:
    """Delete the subject's raw rows (holding transactions), record key hashes; return rows per table."""
    removed: dict[str, int] = {}
    for table, keys in subject.rows.items():
        if not keys:
            continue
        t = BY_NAME[table]
        con.execute("CREATE OR REPLACE TEMP TABLE s_keys AS SELECT unnest(?::BIGINT[]) AS k", [keys])
        if table in HELD:
            con.execute(
                f"INSERT INTO vault.ops.legal_hold SELECT '{table}', {t.primary_key}, "
                f"({HELD[table]}) + INTERVAL {HOLD_YEARS} YEAR, ? FROM vault.raw.{table} "
                f"WHERE {t.primary_key} IN (SELECT k FROM s_keys) AND {t.primary_key} NOT IN "
                f"(SELECT source_key FROM vault.ops.legal_hold WHERE source_table = '{table}')", [request_id])
        else:
            con.execute(f"INSERT INTO vault.ops.erased_keys SELECT '{table}', ledger_hash('{table}:' || k::VARCHAR), ? "
                        f"FROM s_keys WHERE ledger_hash('{table}:' || k::VARCHAR) NOT IN "
                        f"(SELECT key_hash FROM vault.ops.erased_keys)", [request_id])
            con.execute(f"DELETE FROM vault.raw.{table} WHERE {t.primary_key} IN (SELECT k FROM s_keys)")
        notes.forget(con, table, "SELECT k FROM s_keys")  # the cached redactions of erased notes too
        for verdicts in ("current", "history", "flags"):
            con.execute(f"DELETE FROM vault.quarantine.{verdicts} WHERE source_table = ? AND source_key IN "
                        "(SELECT k FROM s_keys)", [table])
        # what their rows were last validated on: a content hash of their data too
        con.execute(f"DELETE FROM {vault_schema.checked(table)} WHERE source_key IN (SELECT k FROM s_keys)")
        if table == "accounts":  # and what their rows were last pseudonymised from
            con.execute("DELETE FROM vault.ops.pseudo_accounts WHERE account_id IN (SELECT k FROM s_keys)")
        removed[table] = len(keys)
    return removed


def enforce(con: duckdb.DuckDBPyConnection, run_id: str, since: datetime) -> dict[str, int]:
    """After an extract: what was erased or removed stays so, whatever the source re-sent since ``since``.

    Only rows extracted in this run are hashed, so the cost follows the change, not the vault.
    """
    removed: dict[str, int] = {}
    if con.execute("SELECT count(*) FROM vault.ops.erasure_ledger").fetchone()[0]:
        new = f"_extracted_at >= TIMESTAMP '{since.isoformat(sep=' ')}'"
        hits = con.execute(
            "SELECT list(DISTINCT account_id) FILTER (WHERE account_id IS NOT NULL), "
            "list(DISTINCT person_id) FILTER (WHERE person_id IS NOT NULL) FROM ("
            + _identifier_hashes(con, where=new) + ") AS i "
            "WHERE h IN (SELECT subject_hash FROM vault.ops.erasure_ledger)").fetchone()
        accounts, persons = hits[0] or [], hits[1] or []
        if accounts or persons:
            subject = Subject(sorted(accounts), sorted(persons), scope="household")
            subject_rows(con, subject)
            held = {t: set(con.execute(f"SELECT source_key FROM vault.ops.legal_hold WHERE source_table = '{t}'"
                                       ).fetchall()) for t in HELD}
            subject.rows = {t: [k for k in keys if (k,) not in held.get(t, set())] for t, keys in subject.rows.items()}
            removed = withhold(con, subject, run_id)
    for table, n in _reapply_key_removals(con, since, run_id).items():
        removed[table] = removed.get(table, 0) + n
    if removed:
        ledger_state.save_from(con)
    return {t: n for t, n in removed.items() if n}


def _reapply_key_removals(con: duckdb.DuckDBPyConnection, since: datetime, run_id: str) -> dict[str, int]:
    """Rows re-sent since ``since`` whose key, or whose parent's key, was removed: remove them again.

    Parents come first in the schema's order, so a re-sent order of an erased account goes,
    and then its payments.  Rows under a legal hold stay.  Anonymised notes are blanked again.
    """
    removed: dict[str, int] = {}
    if con.execute("SELECT count(*) FROM vault.ops.erased_keys").fetchone()[0] == 0:
        return removed
    stamp = f"TIMESTAMP '{since.isoformat(sep=' ')}'"
    for t in INGESTED:
        refs = [f"ledger_hash('{t.name}:' || {t.primary_key}::VARCHAR)"]
        refs += [f"ledger_hash('{target.split('.')[0]}:' || {col}::VARCHAR)" for col, target in t.foreign_keys.items()]
        if t.name == "consent_events":  # a child's guardian consent belongs to the child's record
            refs.append("ledger_hash('insured_persons:' || person_id::VARCHAR)")
        hit = " OR ".join(f"{r} IN (SELECT key_hash FROM vault.ops.erased_keys)" for r in refs)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE again AS SELECT {t.primary_key} AS k FROM vault.raw.{t.name} "
            f"WHERE _extracted_at >= {stamp} AND ({hit}) AND {t.primary_key} NOT IN "
            f"(SELECT source_key FROM vault.ops.legal_hold WHERE source_table = '{t.name}')")
        n = con.execute("SELECT count(*) FROM again").fetchone()[0]
        if n:
            con.execute(f"INSERT INTO vault.ops.erased_keys SELECT '{t.name}', h, ? FROM (SELECT ledger_hash('{t.name}:' "
                        "|| k::VARCHAR) AS h FROM again) WHERE h NOT IN (SELECT key_hash FROM vault.ops.erased_keys)",
                        [run_id])
            con.execute(f"DELETE FROM vault.raw.{t.name} WHERE {t.primary_key} IN (SELECT k FROM again)")
            removed[t.name] = n
    con.execute(f"UPDATE vault.raw.service_records SET note = NULL WHERE note IS NOT NULL AND _extracted_at >= {stamp} "
                "AND ledger_hash('service_records:' || record_id::VARCHAR) IN (SELECT key_hash FROM vault.ops.anonymised)")
    return removed


def withheld_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Per table: source rows the warehouse refuses (erased, or kept under legal hold)."""
    rows = con.execute("SELECT source_table, count(*) FROM (SELECT source_table FROM vault.ops.erased_keys "
                       "UNION ALL SELECT source_table FROM vault.ops.legal_hold) GROUP BY 1").fetchall()
    return dict(rows)


@dataclass
class Erasure:
    removed: dict[str, int]  # raw rows per table (deleted, or moved under legal hold)
    account_tokens: list[str]  # the subject's former tokens, to purge downstream
    handles: list[str]  # their OpenIDs and mobiles, to purge delivery files
    release_tokens: list[str] = field(default_factory=list)  # their export and activation tokens, to purge files
    answers: list[str] = field(default_factory=list)  # subject-access answers about them, to delete


def erase(con: duckdb.DuckDBPyConnection, subject: Subject, request_id: str) -> Erasure:
    """Ledger first, then the token maps, then the rows, in one transaction."""
    if subject.scope == "person" and subject.accounts and subject.others:
        raise SubjectError(
            f"the account this person holds also holds {subject.others} other insured "
            f"{'person' if subject.others == 1 else 'people'}, whose records go with the account: nothing changed "
            "(--scope household erases the account with everyone on it)")
    account_tokens = [r[0] for r in con.execute(
        "SELECT t.token FROM vault.tokens.account AS t JOIN vault.raw.accounts AS a ON a.openid = t.value "
        "WHERE a.account_id IN (SELECT unnest(?::BIGINT[]))", [subject.accounts]).fetchall()]
    handles = [v for r in con.execute("SELECT openid, mobile FROM vault.raw.accounts WHERE account_id IN "
                                      "(SELECT unnest(?::BIGINT[]))", [subject.accounts]).fetchall() for v in r if v]
    release = [t for _, t in subject_release_tokens(con)]
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("BEGIN")
    try:
        # the person themselves: their accounts' OpenIDs and mobiles, their own ID (as named, or as the
        # holder of the account); family records of an account go with it but are not banned elsewhere
        con.execute(
            f"INSERT INTO vault.ops.erasure_ledger SELECT DISTINCT kind, h, ?, ? FROM ({_identifier_hashes(con)}) "
            "WHERE account_id IN (SELECT id FROM s_accounts) OR person_id IN (SELECT unnest(?::BIGINT[])) "
            "OR person_id IN (SELECT person_id FROM vault.raw.insured_persons WHERE relationship = '本人' "
            "AND account_id IN (SELECT id FROM s_accounts))",
            [request_id, now, subject.persons])
        _forget_tokens(con, subject)
        answers = forget_answers(con, "list_has_any(account_ids, ?::BIGINT[]) OR list_has_any(person_ids, "
                                 "(SELECT list(id) FROM s_persons))", [subject.accounts])
        removed = withhold(con, subject, request_id)
        changes.start_afresh(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    ledger_state.save_from(con)  # outside the vault too: a lost vault must not forget this erasure
    return Erasure(removed, account_tokens, handles, release, answers)


@dataclass
class SourceDeletions:
    """Deletions the operational system completed, erased by a run."""

    people: int = 0  # accounts erased (each with its insured people)
    removed: dict[str, int] = field(default_factory=dict)  # raw rows per table
    downstream: dict[str, int] = field(default_factory=dict)  # membership, export and delivery rows


def erase_completed_deletions(con: duckdb.DuckDBPyConnection, data_dir: Path, run_id: str) -> SourceDeletions:
    """A deletion request the source marks done (§八) is carried out here as `yihui subject erase --openid`
    would: ledger, tokens, vault rows (transactions under legal hold), segments, exports and deliveries.

    Run right after the extract, so validation and the release already see the person gone; the
    erased request row itself goes with the account, so the next run does not erase twice.
    """
    done = SourceDeletions()
    requests = con.execute(
        "SELECT r.request_id, r.account_id FROM vault.raw.subject_requests AS r "
        "WHERE r.kind = 'delete' AND r.status = 'done' "
        "AND r.account_id IN (SELECT account_id FROM vault.raw.accounts) ORDER BY ALL").fetchall()
    if not requests:
        return done
    # One erasure for every account at once: each erasure scans the vault, so one per request cost
    # ~0.5 s each on city (1,740 completed deletions: 15 minutes).  The log keeps a line per request.
    accounts = sorted({account_id for _, account_id in requests})
    subject = Subject(accounts, [], scope="household")  # the account is deleted, with all it holds
    subject_rows(con, subject)
    erased = erase(con, subject, f"{run_id}-source-deletions")
    logged = set()
    for source_request, account_id in requests:
        if account_id in logged:
            continue  # a second completed request of an account the first one erased
        logged.add(account_id)
        log_request(con, "erase", "source_deletion", f"{run_id}-source-{source_request}",
                    subject.per_account.get(account_id, 0))
    done.people = len(accounts)
    done.removed = dict(erased.removed)
    done.downstream = purge_downstream(data_dir, erased.account_tokens, erased.handles, erased.release_tokens,
                                       erased.answers)
    return done


def _forget_tokens(con: duckdb.DuckDBPyConnection, subject: Subject) -> None:
    """Token-map entries whose value belongs to the subject only, and their export and activation tokens."""
    con.execute("DELETE FROM vault.ops.release_tokens WHERE value IN (SELECT openid FROM vault.raw.accounts "
                "WHERE account_id IN (SELECT id FROM s_accounts))")
    con.execute("DELETE FROM vault.tokens.account WHERE value IN (SELECT openid FROM vault.raw.accounts "
                "WHERE account_id IN (SELECT id FROM s_accounts))")
    con.execute("DELETE FROM vault.tokens.mobile WHERE value IN (SELECT norm_mobile(mobile) "
                "FROM vault.raw.accounts WHERE account_id IN (SELECT id FROM s_accounts))")
    con.execute("DELETE FROM vault.tokens.person WHERE value IN (SELECT norm_person(id_type, id_number) "
                "FROM vault.raw.insured_persons WHERE person_id IN (SELECT id FROM s_persons))")


# --- downstream of the vault ---------------------------------------------------------------------

def purge_downstream(data_dir, account_tokens: list[str], handles: list[str],
                     release_tokens: list[str] = (), answers: list[str] = ()) -> dict[str, int]:
    """Membership history, exports and delivery files: drop every row of the subject; return counts.

    Exports name members by tokens of that export only (``release_tokens``), read as data (CSV or
    Parquet) and rewritten without them; delivery files by handle and activation token.
    """
    import csv
    import hashlib
    import json

    from audiences.segments import store_path

    removed = {"membership": 0, "export rows": 0, "delivery rows": 0,
               "access answers": delete_answer_files(data_dir, list(answers))}
    if store_path(data_dir).exists() and account_tokens:
        seg = duckdb.connect(str(store_path(data_dir)))
        try:
            removed["membership"] = seg.execute(
                "DELETE FROM membership WHERE member_key IN (SELECT unnest(?::VARCHAR[]))", [account_tokens]
            ).fetchone()[0]
        finally:
            seg.close()
    drop = sorted(set(account_tokens) | set(handles) | set(release_tokens))
    for path in sorted(Layout(data_dir).exports_dir.rglob("members.*")):
        if path.name.endswith(".manifest.json") or not drop:
            continue
        con = duckdb.connect()
        try:
            source = _read_export(path)
            n = con.execute(f"SELECT count(*) FROM {source} WHERE member_key IN (SELECT unnest(?::VARCHAR[]))",
                            [drop]).fetchone()[0]
            if n:
                options = "(FORMAT parquet)" if path.suffix == ".parquet" else "(FORMAT csv, HEADER true)"
                con.execute(f"COPY (SELECT * FROM {source} WHERE member_key NOT IN (SELECT unnest(?::VARCHAR[])) "
                            f"ORDER BY member_key) TO '{path}.tmp' {options}", [drop])
                Path(f"{path}.tmp").replace(path)
        finally:
            con.close()
        removed["export rows"] += n
        manifest = path.with_name(path.name + ".manifest.json")
        if n and manifest.exists():
            m = json.loads(manifest.read_text())
            m["row_count"] -= n
            m["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
            m["erasures_applied"] = m.get("erasures_applied", 0) + n
            manifest.write_text(json.dumps(m, indent=2, sort_keys=True) + "\n")
    for path in sorted(Layout(data_dir).restricted_dir.rglob("*.csv")):
        if path.is_relative_to(Layout(data_dir).subject_answers_dir):
            continue
        with path.open(newline="") as fh:
            rows = list(csv.reader(fh))
        kept = rows[:1] + [r for r in rows[1:] if not (set(r) & set(drop))]
        n = len(rows) - len(kept)
        if n:
            with path.open("w", newline="") as fh:
                csv.writer(fh).writerows(kept)
        removed["delivery rows"] += n
    return removed


def _read_export(path: Path) -> str:
    """An export file as a DuckDB table expression (every column as text, as written)."""
    if path.suffix == ".parquet":
        return f"read_parquet('{path}')"
    return f"read_csv('{path}', header = true, all_varchar = true)"


# --- access ----------------------------------------------------------------------------------------

def subject_tokens(con: duckdb.DuckDBPyConnection, subject: Subject) -> list[str]:
    """The subject's tokens as the warehouse knows them (account, person, mobile)."""
    return [r[0] for r in con.execute(
        """SELECT t.token FROM vault.tokens.account t JOIN vault.raw.accounts a ON a.openid = t.value
               WHERE a.account_id IN (SELECT id FROM s_accounts)
           UNION SELECT t.token FROM vault.tokens.mobile t JOIN vault.raw.accounts a
               ON norm_mobile(a.mobile) = t.value WHERE a.account_id IN (SELECT id FROM s_accounts)
           UNION SELECT t.token FROM vault.tokens.person t JOIN vault.raw.insured_persons p
               ON norm_person(p.id_type, p.id_number) = t.value WHERE p.person_id IN (SELECT id FROM s_persons)"""
    ).fetchall()]


def subject_release_tokens(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(release id, token) of every export and activation that named the subject's accounts (``s_accounts``)."""
    return con.execute(
        "SELECT release_id, token FROM vault.ops.release_tokens WHERE value IN (SELECT openid FROM vault.raw.accounts "
        "WHERE account_id IN (SELECT id FROM s_accounts)) ORDER BY ALL").fetchall()


def access(con: duckdb.DuckDBPyConnection, subject: Subject, warehouse: Path, data_dir: Path) -> dict:
    """Everything held about the subject: vault rows, warehouse rows by token, segments, exports, deliveries."""
    from audiences.segments import store_path

    report: dict = {"scope": {"scope": subject.scope, "means": SCOPES[subject.scope],
                              "other_people_left_out": subject.others if subject.scope == "person" else 0},
                    "vault": {}, "legal_hold": [], "warehouse": {}, "segments": [], "exports": [], "deliveries": []}
    for table, keys in subject.rows.items():
        if keys:
            t = BY_NAME[table]
            cur = con.execute(f"SELECT * FROM vault.raw.{table} WHERE {t.primary_key} IN (SELECT unnest(?::BIGINT[])) "
                              "ORDER BY 1", [keys])
            names = [d[0] for d in cur.description]
            report["vault"][table] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    report["legal_hold"] = [dict(zip(("table", "key", "hold_until"), r, strict=True)) for r in con.execute(
        "SELECT source_table, source_key, hold_until FROM vault.ops.legal_hold").fetchall()
        if r[1] in subject.rows.get(r[0], [])]
    toks = subject_tokens(con, subject)
    if warehouse.exists() and toks:
        wh = duckdb.connect(str(warehouse), read_only=True)
        try:
            cols = wh.execute("SELECT table_schema, table_name, list(column_name) FROM information_schema.columns "
                              "WHERE suffix(column_name, '_key') AND table_schema NOT IN ('reference') "
                              "GROUP BY ALL ORDER BY ALL").fetchall()
            for schema, table, keycols in cols:
                where = " OR ".join(f'"{c}" IN (SELECT unnest($toks::VARCHAR[]))' for c in keycols)
                cur = wh.execute(f'SELECT * FROM "{schema}"."{table}" WHERE {where}', {"toks": toks})
                names = [d[0] for d in cur.description]
                rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
                if rows:
                    report["warehouse"][f"{schema}.{table}"] = rows
        finally:
            wh.close()
    if store_path(data_dir).exists() and toks:
        seg = duckdb.connect(str(store_path(data_dir)), read_only=True)
        try:
            report["segments"] = [dict(zip(("as_of", "audience", "group"), r, strict=True)) for r in seg.execute(
                "SELECT as_of_date, audience, split_group FROM membership WHERE member_key IN "
                "(SELECT unnest(?::VARCHAR[])) ORDER BY 1, 2", [toks]).fetchall()]
        finally:
            seg.close()
    released = subject_release_tokens(con)
    if released:
        files = {f: (rid, audience, as_of) for rid, f, audience, as_of in con.execute(
            "SELECT release_id, file, audience, as_of_date FROM vault.ops.releases WHERE kind = 'export'").fetchall()}
        mine = [t for _, t in released]
        for path in sorted(Layout(data_dir).exports_dir.rglob("members.*")):
            if path.name.endswith(".json"):
                continue
            reader = duckdb.connect()
            try:
                rows = reader.execute(f"SELECT split_group FROM {_read_export(path)} WHERE member_key IN "
                                      "(SELECT unnest(?::VARCHAR[]))", [mine]).fetchall()
            finally:
                reader.close()
            if rows:
                rid, audience, as_of = files.get(str(path.relative_to(data_dir)), (None, None, None))
                report["exports"].append({"file": str(path.relative_to(data_dir)), "export_id": rid,
                                          "audience": audience, "as_of": as_of, "group": rows[0][0]})
    if subject.accounts:
        report["deliveries"] = [dict(zip(("audience", "as_of", "channel", "delivered_at"), r, strict=True))
                                for r in con.execute(
            "SELECT audience, as_of_date, channel, delivered_at FROM vault.ops.deliveries WHERE account_id IN "
            "(SELECT unnest(?::BIGINT[])) ORDER BY 4", [subject.accounts]).fetchall()]
    return report


# --- subject-access answers: delivered, then removed -------------------------------------------------


def write_answer(con: duckdb.DuckDBPyConnection, data_dir: Path, subject: Subject, report: dict, fmt: str,
                 request_id: str) -> Path:
    """The answer, 0600 in a 0700 folder, never on screen; recorded so it can be removed (erasure, retention)."""
    import html
    import json
    import os

    folder = Layout(data_dir).subject_answers_dir
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    path = folder / f"{request_id}-access.{fmt}"
    body = json.dumps(report, ensure_ascii=False, indent=2, default=str)
    if fmt == "html":
        from core.fonts import FONT_FAMILY, MONO_FAMILY

        body = ("<!doctype html><html lang=zh-CN><meta charset=utf-8><title>个人信息查询 / subject access</title>"
                f"<style>body {{ font-family: {FONT_FAMILY}; }} pre {{ font-family: {MONO_FAMILY}; }}</style>"
                f"<h1>个人信息查询 · Subject access {html.escape(request_id)}</h1><pre>{html.escape(body)}</pre>")
    persons = [r[0] for r in con.execute("SELECT id FROM s_persons").fetchall()]
    con.execute("INSERT INTO vault.ops.access_answers VALUES (?, ?, ?, ?, ?)",
                [request_id, str(path.relative_to(data_dir)), datetime.now(UTC).replace(tzinfo=None),
                 subject.accounts, persons])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    return path


def forget_answers(con: duckdb.DuckDBPyConnection, where: str, params: list) -> list[str]:
    """Drop the answers ``where`` selects from the record; return their files (relative to the data dir),
    for the caller to delete once its transaction holds."""
    files = [r[0] for r in con.execute(f"SELECT file FROM vault.ops.access_answers WHERE {where}", params).fetchall()]
    con.execute(f"DELETE FROM vault.ops.access_answers WHERE {where}", params)
    return files




def delete_answer_files(data_dir: Path, files: list[str]) -> int:
    gone = 0
    for name in files:
        path = data_dir / name
        if path.exists():
            path.unlink()
            gone += 1
    return gone


def log_request(con: duckdb.DuckDBPyConnection, action: str, kind: str, request_id: str, rows: int) -> None:
    """Every subject request is logged (no identifier: the kind of identifier used, and counts)."""
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    con.execute("INSERT INTO vault.ops.subject_request_log VALUES (?, ?, ?, ?, ?, ?)",
                [datetime.now(UTC).replace(tzinfo=None), user, action, kind, request_id, rows])


# --- requests: what `yihui subject …` does, end to end inside one vault session ---------------------

def identifier_kind(id_number: str | None, mobile: str | None, openid: str | None) -> str:
    """How the person was named, for the request log (never the identifier itself)."""
    return "id_number" if id_number else "mobile" if mobile else "openid"


def answer_access(con: duckdb.DuckDBPyConnection, data_dir: Path, internal: Path, request_id: str,
                  id_number: str | None, mobile: str | None, openid: str | None, scope: str,
                  fmt: str) -> tuple[Subject, dict[str, int], Path]:
    """Find the person, gather everything held about them, write the answer, log the request:
    (the subject, how many items of each kind were found, the answer file)."""
    subject = find(con, id_number, mobile, openid, scope)
    report = access(con, subject, internal, data_dir)
    path = write_answer(con, data_dir, subject, report, fmt, request_id)
    log_request(con, "access", identifier_kind(id_number, mobile, openid), request_id, subject.total)
    counts = {k: (sum(len(v) for v in report[k].values()) if isinstance(report[k], dict) else len(report[k]))
              for k in report if k != "scope"}
    return subject, counts, path


def erase_request(con: duckdb.DuckDBPyConnection, request_id: str, id_number: str | None, mobile: str | None,
                  openid: str | None, scope: str) -> tuple[Subject, Erasure]:
    """Find the person, erase them from the vault (ledger first) and log the request."""
    subject = find(con, id_number, mobile, openid, scope)
    erased = erase(con, subject, request_id)
    log_request(con, "erase", identifier_kind(id_number, mobile, openid), request_id, subject.total)
    return subject, erased
