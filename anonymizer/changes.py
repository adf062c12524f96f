"""What the next build database must redo: the accounts whose rows changed since it was last pseudonymised.

Why by account: every pseudonymised row is a function of its own landing row and of rows of the
same account (the holder's birthday behind ``given_as_minor``, an order's other payments behind
``attempt``, the account's names behind a note's redaction), plus things that hold for a whole
table (the key, the SQL, the seeds, the reference date behind ages).  So the rows of an account
whose landing rows are all as they were, and whose notes kept their redaction, are what they were;
the others are deleted and pseudonymised again, and a table whose whole-table inputs moved is
rebuilt whole (``fingerprint``).

One more thing differs between what was pseudonymised and what the published build database holds:
a successful build removes young children's rows from every table with a person_key and drops the
sensitive tables (``macros/drop_sensitive_sources.sql``).  A dropped table is rebuilt whole; in the
others, the accounts that held such rows (``purged``) are redone as well.

The vault remembers, per account, a hash of its landing rows (table, key and content hash, after
quarantine and legal holds), its account key as last built and whether the build removed rows of it
(``ops.pseudo_accounts``), and per table the fingerprint and run it was built in (``ops.pseudo_tables``).
A build database is only updated in place when it is the one that run produced (``reusable``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import yaml

from anonymizer.keys import MasterKey
from core.layout import PROJECT
from core.schema import BY_NAME, INGESTED, Table

ANONYMIZER = Path(__file__).parent
# what every pseudonymised row is computed with, besides its account's landing rows
_CODE = ("sql/macros.sql", "sql/pseudo/_keys.sql", "domains.py", "tokens.py", "changes.py", "pseudonymise.py")
_SEEDS = ("regions", "age_bands", "ip_networks")
# a table without account_id, found by the key of its parent in the build database (unique per account);
# insured_persons' person_key is not (one person can be insured by two accounts): its children are rebuilt whole
BY_PARENT = {"orders": "order_key"}
PURGE = PROJECT.root / "macros" / "drop_sensitive_sources.sql"
CHANGED, REDO = "changed", "redo"  # the account sets: changed; changed or purged by the last build


@dataclass
class Plan:
    """Per table: ``full`` (rebuilt from every landing row) or updated for an account set: the changed
    accounts, or in the ``purged_tables`` those and the accounts the last build removed rows of."""

    full: set[str] = field(default_factory=set)
    purged_tables: set[str] = field(default_factory=set)
    changed: int = 0  # accounts whose rows changed (new and gone ones included)
    redone: int = 0  # of them and the purged ones: redone in the purged tables
    accounts: int = 0  # accounts landed

    @property
    def afresh(self) -> bool:
        """Every table rebuilt whole."""
        return len(self.full) == len(INGESTED)

    def incremental(self, table: str) -> bool:
        return table not in self.full

    def accounts_of(self, table: str) -> str:
        return REDO if table in self.purged_tables else CHANGED

    def describe(self) -> str:
        """One line for the run log."""
        if self.afresh:
            return "pseudonymised: every table written afresh"
        purged = sorted(self.purged_tables - self.full)
        more = (f", and {self.redone - self.changed:,} more whose children's rows the last build removed, in "
                + ", ".join(purged)) if purged else ""
        return (f"accounts pseudonymised again: {self.changed:,} of {self.accounts:,} (the others' rows kept){more}; "
                f"tables rebuilt whole: {', '.join(sorted(self.full)) or 'none'}")


def owner(table: Table) -> tuple[str, str] | None:
    """(column, parent table) through which a row of ``table`` belongs to an account, None if it has
    account_id itself."""
    if "account_id" in table.column_names:
        return None
    for column, target in table.foreign_keys.items():
        parent = target.split(".", 1)[0]
        if "account_id" in BY_NAME[parent].column_names:
            return column, parent
    raise ValueError(f"{table.name} belongs to no account")


def fingerprint(table: Table, key: MasterKey, as_of: date) -> str:
    """Everything a whole table's rows depend on besides landing rows: a change rebuilds it whole."""
    sql = (ANONYMIZER / "sql" / "pseudo" / f"{table.name}.sql").read_text()
    h = hashlib.sha256(sql.encode())
    for part in _CODE:
        h.update((ANONYMIZER / part).read_bytes())
    for seed in _SEEDS:
        h.update(PROJECT.seed(seed).read_bytes())
    h.update(f"{key.version}:{key.key_id}:{min_individual_age()}".encode())
    h.update(PURGE.read_bytes())  # which rows the build removes, so which accounts the next run redoes
    if "as_of()" in sql:  # ages move with the reference date
        h.update(as_of.isoformat().encode())
    return h.hexdigest()


def _account_rows(table: Table) -> str:
    """(account_id, row hash) of ``table``'s landing rows."""
    row = f"hash('{table.name}', l.{table.primary_key}, l._row_hash) AS h FROM landing_hashes.{table.name} AS l"
    if (via := owner(table)) is None:
        return f"SELECT l.account_id, {row}"
    column, parent = via
    return (f"SELECT p.account_id, {row} INNER JOIN landing_hashes.{parent} AS p "
            f"ON p.{BY_NAME[parent].primary_key} = l.{column}")


def reusable(con: duckdb.DuckDBPyConnection, published: Path) -> bool:
    """Whether the published build database is the one the vault's state describes, so a copy of it can
    be updated in place.

    Not after a run that failed once it had pseudonymised (the state is the failed run's), nor after an
    erasure or retention (``start_afresh``), nor with a write-ahead log beside the file (the copy would
    lack what the log holds)."""
    if not published.exists() or published.with_name(published.name + ".wal").exists():
        return False
    runs = [r[0] for r in con.execute("SELECT DISTINCT run_id FROM vault.ops.pseudo_tables").fetchall()]
    if len(runs) != 1:
        return False
    con.execute(f"ATTACH '{published}' AS published (READ_ONLY)")
    try:
        return con.execute("SELECT any_value(run_id) FROM published.meta.build_info").fetchone()[0] == runs[0]
    except duckdb.CatalogException:  # a build database from before build_info
        return False
    finally:
        con.execute("DETACH published")


def start_afresh(con: duckdb.DuckDBPyConnection) -> None:
    """After an erasure or retention: the next build database starts empty, since a copy of the published
    one would carry the removed rows, if only in the blocks their deletion frees."""
    con.execute("DELETE FROM vault.ops.pseudo_tables")


def _pseudo_columns(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    """The columns of each table of ``wh.pseudo``."""
    out: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                                     "WHERE database_name = 'wh' AND schema_name = 'pseudo'").fetchall():
        out.setdefault(table, set()).add(column)
    return out


def plan(con: duckdb.DuckDBPyConnection, incremental: bool, fingerprints: dict[str, str]) -> Plan:
    """Compare the landing rows with what the build database attached as ``wh`` was pseudonymised from
    (``incremental``: it is a copy of the one the vault's state describes, ``reusable`` said so; else
    there is none to update).

    Leaves TEMP ``account_state``, and per account set ``<set>_accounts(account_id)`` and
    ``<set>_keys(account_key)`` (their keys as last built), for ``delete_changed``, ``delta_tables``
    and ``remember``."""
    parts = " UNION ALL ".join(_account_rows(t) for t in INGESTED)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE account_state AS
        SELECT account_id, bit_xor(h) AS state FROM ({parts}) GROUP BY account_id""")
    landed = con.execute("SELECT count(*) FROM account_state").fetchone()[0]
    built = dict(con.execute("SELECT table_name, fingerprint FROM vault.ops.pseudo_tables").fetchall()
                 ) if incremental else {}
    columns = _pseudo_columns(con)
    purged = {t for t, cols in columns.items() if "person_key" in cols}
    full = {t.name for t in INGESTED
            if t.name not in columns or built.get(t.name) != fingerprints[t.name]
            or ((via := owner(t)) is not None and (via[1] not in BY_PARENT or via[1] not in columns))}
    if not built:
        for accounts in (CHANGED, REDO):
            con.execute(f"CREATE OR REPLACE TEMP TABLE {accounts}_accounts AS SELECT account_id FROM account_state")
            con.execute(f"CREATE OR REPLACE TEMP TABLE {accounts}_keys (account_key VARCHAR)")
        return Plan({t.name for t in INGESTED}, set(), landed, landed, landed)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {CHANGED}_accounts AS
        SELECT coalesce(n.account_id, o.account_id) AS account_id
        FROM account_state AS n FULL OUTER JOIN vault.ops.pseudo_accounts AS o USING (account_id)
        WHERE n.state IS DISTINCT FROM o.state
        UNION SELECT s.account_id FROM landing.service_records AS s
        WHERE s.record_id IN (SELECT record_id FROM redone_notes)""")  # a note whose redaction changed
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {REDO}_accounts AS SELECT account_id FROM {CHANGED}_accounts
        UNION SELECT account_id FROM vault.ops.pseudo_accounts WHERE purged""")
    for accounts in (CHANGED, REDO):
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {accounts}_keys AS
            SELECT DISTINCT account_key FROM vault.ops.pseudo_accounts
            WHERE account_id IN (SELECT account_id FROM {accounts}_accounts)""")
    changed, redone = (con.execute(f"SELECT count(*) FROM {a}_accounts").fetchone()[0] for a in (CHANGED, REDO))
    return Plan(full, purged, changed, redone, landed)


_LANDING = re.compile(r"\blanding\.(\w+)")


def delta_sql(plan: Plan, table: str, sql: str) -> str:
    """``table``'s SQL over the landing rows of its accounts to redo (``delta_<set>.<table>``)."""
    return _LANDING.sub(lambda m: f"delta_{plan.accounts_of(table)}.{m.group(1)}", sql)


def delta_tables(con: duckdb.DuckDBPyConnection, plan: Plan, sqls: dict[str, str], also: set[str]) -> None:
    """``delta_<set>.<table>``: the landing rows of an account set, for every table the SQL ``sqls`` of an
    incrementally updated table reads, and those of the changed accounts of the tables ``also`` (tables,
    not views: read more than once)."""
    needed = {(plan.accounts_of(name), read) for name, sql in sqls.items() if plan.incremental(name)
              for read in _LANDING.findall(sql)} | {(CHANGED, name) for name in also}
    for accounts, name in sorted(needed):
        con.execute(f"CREATE SCHEMA IF NOT EXISTS memory.delta_{accounts}")
        ids = f"SELECT account_id FROM {accounts}_accounts"
        if (via := owner(BY_NAME[name])) is None:
            where = f"account_id IN ({ids})"
        else:
            column, parent = via
            where = f"{column} IN (SELECT {BY_NAME[parent].primary_key} FROM landing.{parent} WHERE account_id IN ({ids}))"
        con.execute(f"CREATE OR REPLACE TABLE memory.delta_{accounts}.{name} AS SELECT * FROM landing.{name} WHERE {where}")


def delete_changed(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Delete the rows of the accounts to redo from the incrementally updated tables of ``wh.pseudo``."""
    tables = [(t, owner(t), plan.accounts_of(t.name)) for t in INGESTED if plan.incremental(t.name)]
    for parent, accounts in {(via[1], accounts) for _, via, accounts in tables if via}:  # before the parents' rows go
        column = BY_PARENT[parent]
        con.execute(f"CREATE OR REPLACE TEMP TABLE gone_{parent}_{accounts} AS SELECT {column} FROM wh.pseudo.{parent} "
                    f"WHERE account_key IN (SELECT account_key FROM {accounts}_keys)")
    for t, via, accounts in tables:
        if via is None:
            where = f"account_key IN (SELECT account_key FROM {accounts}_keys)"
        else:
            column = BY_PARENT[via[1]]
            where = f"{column} IN (SELECT {column} FROM gone_{via[1]}_{accounts})"
        con.execute(f"DELETE FROM wh.pseudo.{t.name} WHERE {where}")


def min_individual_age() -> int:
    """The age below which a build removes a person's rows (dbt's ``min_individual_age``, defined there)."""
    return int(yaml.safe_load(PROJECT.dbt_project_file.read_text())["vars"]["min_individual_age"])


def _purged_keys(con: duckdb.DuckDBPyConnection) -> str:
    """The accounts (keys) whose rows in ``wh.pseudo`` the next build removes, by the rule of ``PURGE``:
    a row whose person_key is a young child's, and the child's own.  Were the two to disagree, the next
    run's row counts would not reconcile and it would stop, asking for a full refresh."""
    children = f"SELECT person_key FROM wh.pseudo.insured_persons WHERE age < {min_individual_age()}"
    owners = []
    for t, cols in _pseudo_columns(con).items():
        if "person_key" not in cols:
            continue
        if "account_key" in cols:
            owners.append(f"SELECT account_key FROM wh.pseudo.{t} WHERE person_key IN ({children})")
        elif (parent := owner(BY_NAME[t])[1]) in BY_PARENT:
            column = BY_PARENT[parent]
            owners.append(f"SELECT p.account_key FROM wh.pseudo.{t} AS c INNER JOIN wh.pseudo.{parent} AS p "
                          f"USING ({column}) WHERE c.person_key IN ({children})")
        # else rebuilt whole every run (health_answers: a build drops it)
    return " UNION ".join(owners)


def remember(con: duckdb.DuckDBPyConnection, run_id: str, fingerprints: dict[str, str]) -> None:
    """What the build database attached as ``wh`` was made from, for the next run's ``plan`` (needs
    ``key_account``).  Every account's state is written again: whether the build removes rows of an
    unchanged account can change with another's (a person insured by both)."""
    con.execute("DELETE FROM vault.ops.pseudo_accounts")
    con.execute(f"""INSERT INTO vault.ops.pseudo_accounts
        SELECT s.account_id, k.account_key, s.state, k.account_key IN ({_purged_keys(con)}) AS purged
        FROM account_state AS s INNER JOIN key_account AS k USING (account_id)""")
    con.execute("DELETE FROM vault.ops.pseudo_tables")
    con.executemany("INSERT INTO vault.ops.pseudo_tables VALUES (?, ?, ?)",
                    [[name, fp, run_id] for name, fp in fingerprints.items()])
