"""Content checksums of marts that agree across engines and builds.

Why canonical text: a mart built on DuckDB and the same mart built on Spark hold
the same values in different physical types (bigint/int, decimal(38,2)/
decimal(22,2)) and engines print timestamps and doubles differently.  Each value
is rendered by its logical type, the columns are taken by name, each row is
hashed (60 bits of MD5) and the hashes are summed: order-independent, duplicate
rows counted, no overflow (HUGEINT).  Doubles are compared at 6 decimals, since
two engines summing in a different order may differ in the last bits.
DuckDB computes it for both sides: it reads Spark's table files as Parquet.
"""

from __future__ import annotations

import duckdb

MART_SCHEMAS = ("profile", "audience", "governance", "publication")


def _canonical(name: str, dtype: str) -> str:
    col = f'"{name}"'
    t = dtype.upper()
    if t.startswith("TIMESTAMP"):
        text = f"CAST(epoch_us({col}) AS VARCHAR)"
    elif t in ("DOUBLE", "FLOAT", "REAL"):
        text = f"CAST(CAST(round({col}, 6) AS DECIMAL(38, 6)) AS VARCHAR)"
    elif t == "VARCHAR":
        text = col
    else:  # integers, decimals, dates, booleans
        text = f"CAST({col} AS VARCHAR)"
    return f"coalesce({text}, chr(0))"


def checksum(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, str]:
    """(rows, checksum) of a relation: a table name or a table function such as read_parquet(...)."""
    columns = sorted(con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall())
    row = "concat_ws(chr(31), " + ", ".join(_canonical(c[0], c[1]) for c in columns) + ")"
    rows, total = con.execute(
        f"SELECT count(*), coalesce(sum(CAST(CAST('0x' || substr(md5({row}), 1, 15) AS BIGINT) AS HUGEINT)), 0)"
        f" FROM {relation}").fetchone()
    return int(rows), str(total)


def warehouse_checksums(path, schemas: tuple[str, ...] = MART_SCHEMAS) -> dict[str, tuple[int, str]]:
    """Every mart of a DuckDB warehouse file, as 'schema.table' -> (rows, checksum)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
            f"AND table_schema IN ({', '.join('?' * len(schemas))}) ORDER BY ALL", list(schemas)).fetchall()
        return {f"{s}.{t}": checksum(con, f'"{s}"."{t}"') for s, t in tables}
    finally:
        con.close()
