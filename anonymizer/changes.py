"""What the next build database must redo: the accounts whose rows changed since it was last pseudonymised.

Why by account: every pseudonymised row is a function of its own landing row and of rows of the
same account (the holder's birthday behind ``given_as_minor``, an order's other payments behind
``attempt``, the account's names behind a note's redaction), plus things that hold for a whole
table (the key, the SQL, the seeds, the reference date behind ages).  So the rows of an account
whose landing rows are all as they were, and whose notes kept their redaction, are what they were;
the others are deleted and pseudonymised again, and a table whose whole-table inputs moved is
rebuilt whole (``fingerprint``).

The vault remembers, per account, a hash of its landing rows (table, key and content hash, after
quarantine and legal holds) and its account key as last built (``ops.pseudo_accounts``), and
per table the fingerprint and run it was built in (``ops.pseudo_tables``).  A build database is
only updated in place when it is the one that run produced (its ``meta.build_info``): a run that
failed after pseudonymising leaves the vault ahead of the published build, and the next run starts
afresh.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

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


@dataclass
class Plan:
    """Per table: ``full`` (rebuilt from every landing row) or updated for the ``changed`` accounts."""

    full: set[str] = field(default_factory=set)
    changed: int = 0  # accounts redone (changed, new or gone)
    accounts: int = 0  # accounts landed

    def incremental(self, table: str) -> bool:
        return table not in self.full


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
    h.update(f"{key.version}:{key.key_id}".encode())
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


def account_states(con: duckdb.DuckDBPyConnection) -> None:
    """TEMP ``account_state(account_id, account_key, state)`` of every landed account (needs ``key_account``)."""
    parts = " UNION ALL ".join(_account_rows(t) for t in INGESTED)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE account_state AS
        SELECT s.account_id, k.account_key, s.state
        FROM (SELECT account_id, bit_xor(h) AS state FROM ({parts}) GROUP BY account_id) AS s
        INNER JOIN key_account AS k USING (account_id)""")


def plan(con: duckdb.DuckDBPyConnection, base_run: str | None, fingerprints: dict[str, str],
         kept: set[str]) -> Plan:
    """Compare the landing rows with what the build database ``base_run`` was made from.

    ``kept``: the pseudo tables the build database holds as they were pseudonymised.  Leaves TEMP
    ``changed_accounts(account_id)`` and ``changed_keys(account_key)`` (their keys as last built) for
    ``delete_changed`` and ``delta_views``."""
    account_states(con)
    landed = con.execute("SELECT count(*) FROM account_state").fetchone()[0]
    built = dict(con.execute("SELECT table_name, fingerprint FROM vault.ops.pseudo_tables WHERE run_id = ?",
                             [base_run]).fetchall()) if base_run else {}
    full = {t.name for t in INGESTED
            if t.name not in kept or built.get(t.name) != fingerprints[t.name]
            or (owner(t) is not None and owner(t)[1] not in BY_PARENT)}
    if not built:
        con.execute("CREATE OR REPLACE TEMP TABLE changed_accounts AS SELECT account_id FROM account_state")
        con.execute("CREATE OR REPLACE TEMP TABLE changed_keys (account_key VARCHAR)")
        return Plan({t.name for t in INGESTED}, landed, landed)
    con.execute("""CREATE OR REPLACE TEMP TABLE changed_accounts AS
        SELECT coalesce(n.account_id, o.account_id) AS account_id
        FROM account_state AS n FULL OUTER JOIN vault.ops.pseudo_accounts AS o USING (account_id)
        WHERE n.state IS DISTINCT FROM o.state
        UNION SELECT s.account_id FROM landing.service_records AS s
        WHERE s.record_id IN (SELECT record_id FROM redone_notes)""")  # a note whose redaction changed
    con.execute("""CREATE OR REPLACE TEMP TABLE changed_keys AS
        SELECT DISTINCT account_key FROM vault.ops.pseudo_accounts
        WHERE account_id IN (SELECT account_id FROM changed_accounts)""")
    changed = con.execute("SELECT count(*) FROM changed_accounts").fetchone()[0]
    return Plan(full, changed, landed)


def delta_views(con: duckdb.DuckDBPyConnection) -> None:
    """``delta.<table>``: the landing rows of the changed accounts (TEMP tables: read more than once)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS memory.delta")
    for t in INGESTED:
        if (via := owner(t)) is None:
            where = "account_id IN (SELECT account_id FROM changed_accounts)"
        else:
            column, parent = via
            where = (f"{column} IN (SELECT {BY_NAME[parent].primary_key} FROM landing.{parent} "
                     "WHERE account_id IN (SELECT account_id FROM changed_accounts))")
        con.execute(f"CREATE OR REPLACE TABLE memory.delta.{t.name} AS SELECT * FROM landing.{t.name} WHERE {where}")


def delete_changed(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """Delete the changed accounts' rows from the incrementally updated tables of ``wh.pseudo``."""
    parents = {parent: f"SELECT {column} FROM wh.pseudo.{parent} WHERE account_key IN (SELECT account_key FROM changed_keys)"
               for parent, column in BY_PARENT.items() if plan.incremental(parent)}
    for parent, column in BY_PARENT.items():  # before the parents' own rows go
        gone = parents.get(parent, "SELECT NULL::VARCHAR WHERE false")
        con.execute(f"CREATE OR REPLACE TEMP TABLE gone_{parent} AS {gone}")
    for t in INGESTED:
        if not plan.incremental(t.name):
            continue
        if (via := owner(t)) is None:
            where = "account_key IN (SELECT account_key FROM changed_keys)"
        else:
            column = BY_PARENT[via[1]]
            where = f"{column} IN (SELECT {column} FROM gone_{via[1]})"
        con.execute(f"DELETE FROM wh.pseudo.{t.name} WHERE {where}")


def remember(con: duckdb.DuckDBPyConnection, run_id: str, fingerprints: dict[str, str], plan: Plan) -> None:
    """What this build database was made from, for the next run's ``plan``."""
    if plan.full == {t.name for t in INGESTED}:
        con.execute("DELETE FROM vault.ops.pseudo_accounts")
        con.execute("INSERT INTO vault.ops.pseudo_accounts SELECT account_id, account_key, state FROM account_state")
    else:
        con.execute("DELETE FROM vault.ops.pseudo_accounts WHERE account_id IN (SELECT account_id FROM changed_accounts)")
        con.execute("INSERT INTO vault.ops.pseudo_accounts SELECT account_id, account_key, state FROM account_state "
                    "WHERE account_id IN (SELECT account_id FROM changed_accounts)")
    con.execute("DELETE FROM vault.ops.pseudo_tables")
    con.executemany("INSERT INTO vault.ops.pseudo_tables VALUES (?, ?, ?)",
                    [[name, fp, run_id] for name, fp in fingerprints.items()])
