"""The operational source: a SQLite file (the embedded default) or a PostgreSQL server.

Both speak the schema of ``core.schema``; this module hides their
differences (parameter style, bulk load, typing) behind a writer used by the
generator and a reader used by the extractor, which attaches the source to
DuckDB with the scanner extensions shipped on PyPI (loaded by path).
Connection failures are retried a bounded number of times, then become ``SourceUnavailable`` with a message that
never shows a password.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import duckdb

from core.errors import ConfigError
from core.schema import BY_NAME, TABLES, Table
from pipelines.errors import SourceUnavailable
from vault.store import extension_file

CONNECT_ATTEMPTS = 3


def redact_url(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


@dataclass(frozen=True)
class Source:
    url: str
    kind: str  # sqlite | postgresql
    path: Path | None = None

    @classmethod
    def parse(cls, url: str, base_dir: Path | None = None) -> Source:
        """``sqlite:///relative.sqlite``, ``sqlite:////abs.sqlite`` or ``postgresql://…``."""
        if url.startswith("sqlite:///"):
            raw = url[len("sqlite:///"):]
            path = Path(raw)
            if not path.is_absolute():
                path = (base_dir or Path.cwd()) / path
            return cls(url, "sqlite", path)
        if url.startswith(("postgresql://", "postgres://")):
            return cls(url, "postgresql")
        raise ConfigError(f"unsupported source URL {redact_url(url)!r}: use sqlite:///FILE or postgresql://…")

    @property
    def display(self) -> str:
        return redact_url(self.url)

    # -- connections --------------------------------------------------------------
    def _connect(self, create: bool = False) -> Any:
        last: Exception | None = None
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                if self.kind == "sqlite":
                    assert self.path is not None
                    if not create and not self.path.exists():
                        raise SourceUnavailable(
                            f"source {self.display} does not exist: run `yihui generate` first"
                        )
                    if create:
                        self.path.parent.mkdir(parents=True, exist_ok=True)
                    conn = sqlite3.connect(self.path, timeout=5)
                    if not create:
                        # Fails here, not mid-extract, if the file is locked or not a database.
                        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
                    return conn
                import psycopg

                return psycopg.connect(self.url, connect_timeout=5)
            except SourceUnavailable:
                raise
            except Exception as exc:  # noqa: BLE001 - any driver error counts as unavailable
                last = exc
                time.sleep(0.5 * 2**attempt)
        reason = type(last).__name__ if last else "unknown error"
        detail = str(last).splitlines()[0] if last else ""
        if self.kind == "postgresql" and self.url in detail:
            detail = detail.replace(self.url, self.display)
        raise SourceUnavailable(
            f"cannot reach source {self.display} after {CONNECT_ATTEMPTS} attempts ({reason}: {detail})"
        )

    @contextmanager
    def writer(self) -> Iterator[Writer]:
        conn = self._connect(create=True)
        try:
            yield Writer(self, conn)
            conn.commit()
        finally:
            conn.close()

    @contextmanager
    def reader(self, con: duckdb.DuckDBPyConnection) -> Iterator[Reader]:
        """The source attached read-only to ``con`` as catalog ``src``, after a probe that retries."""
        self._connect().close()  # exists, reachable, not locked, a database: or a clear error after retries
        kind = "sqlite" if self.kind == "sqlite" else "postgres"
        target = (str(self.path) if self.kind == "sqlite" else self.url).replace("'", "''")
        try:
            con.execute(f"LOAD '{extension_file(kind + '_scanner')}'")
            if kind == "sqlite":  # a column's declared type is no promise in SQLite: read text, cast at the boundary
                con.execute("SET sqlite_all_varchar = true")
            con.execute(f"ATTACH '{target}' AS src (TYPE {kind}, READ_ONLY)")
        except duckdb.Error as exc:
            detail = str(exc).splitlines()[0].replace(self.url, self.display)
            raise SourceUnavailable(f"cannot attach source {self.display} ({type(exc).__name__}: {detail})") from None
        try:
            yield Reader(self, con)
        finally:
            con.execute("DETACH src")


class Writer:
    """Bulk writes for the generator (COPY on PostgreSQL, executemany on SQLite)."""

    def __init__(self, source: Source, conn: Any) -> None:
        self.source, self.conn = source, conn
        if source.kind == "sqlite":
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")

    def create_schema(self) -> None:
        dialect = self.source.kind
        cur = self.conn.cursor()
        for t in TABLES:
            cur.execute(f"DROP TABLE IF EXISTS {t.name}" + (" CASCADE" if dialect == "postgresql" else ""))
            cur.execute(t.ddl(dialect))

    def insert(self, table: str, rows: list[tuple]) -> None:
        if not rows:
            return
        t = BY_NAME[table]
        cols = ", ".join(t.column_names)
        if self.source.kind == "sqlite":
            marks = ", ".join("?" for _ in t.columns)
            self.conn.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)
        else:
            with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def create_indexes(self) -> None:
        cur = self.conn.cursor()
        for t in TABLES:
            cur.execute(f"CREATE INDEX IF NOT EXISTS ix_{t.name}_updated ON {t.name} (updated_at)")

    def execute(self, sql: str, params: tuple = ()) -> None:
        """For tests that correct or corrupt the source as an operator would."""
        ph = "?" if self.source.kind == "sqlite" else "%s"
        self.conn.cursor().execute(sql.replace("?", ph), params)


class Reader:
    """Set-based reads of the attached source: DuckDB's scanners move the rows, none pass through Python
    (reading row tuples into Arrow took about 150 s of a city run)."""

    def __init__(self, source: Source, con: duckdb.DuckDBPyConnection) -> None:
        self.source, self.con = source, con

    def relation(self, table: Table) -> str:
        """SQL for the table's rows, every value as text: ``pipelines.boundary`` types them."""
        return f"SELECT {', '.join(f'CAST({c} AS VARCHAR) AS {c}' for c in table.column_names)} FROM src.{table.name}"

    def columns(self) -> dict[str, list[str]]:
        """The source's tables and their columns, as the scanner sees them."""
        out: dict[str, list[str]] = {}
        for table, column in self.con.execute(
                "SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = 'src' "
                "AND schema_name IN ('main', 'public') ORDER BY table_name, column_index").fetchall():
            out.setdefault(table, []).append(column)
        return out
