"""Keyed tokens: HMAC-SHA256 of each distinct value, remembered in the vault.

Why HMAC and not a hash: a Chinese ID number has ~10^11 candidates and a mobile
~10^10; a plain (or constant-salted) SHA-256 of either is reversed by brute
force in minutes.  Without the domain key an HMAC cannot be recomputed.

Why a token map: each distinct value is hashed once, ever.  Later runs hash only
values never seen before, and rows are pseudonymised by a join, which costs far
less than a hash per row.

New values are hashed by ``anonymizer._hmac`` (C, OpenSSL): one call per Arrow
column, the key's pads hashed once, on every core with the GIL released.  An
HMAC in SQL must hash both pads again for every value on DuckDB's SHA-256 (about
6x slower than OpenSSL's here), which kept it at a tenth of the machine's limit.
The SQL macro ``tok_<domain>``, built from the same pads (RFC 2104) as a TEMP
macro so the key never reaches the database file, stays as the reference the
native path is tested against, and serves key rotation's bulk UPDATE.
"""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import numpy as np
import pyarrow as pa

from anonymizer import _hmac
from anonymizer.domains import DOMAINS, RELEASE_DOMAINS, TOKEN_HEX, Domain, install_value_macros
from anonymizer.errors import AnonymizerError
from anonymizer.keys import MasterKey
from core.settings import usable_cpus


def token(key: MasterKey, domain: Domain, value: str) -> str:
    """The reference implementation (Python); the SQL macro must agree with it."""
    digest = hmac.new(key.token_key(domain.name), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{domain.prefix}_{digest[:TOKEN_HEX]}"


def release_key(key: MasterKey, domain: Domain, release_id: str) -> bytes:
    """The key of one release (an export, an activation): HMAC(domain key, release id).

    Why a key per release, rather than HMAC(domain key, release id | value): the two are equally
    unlinkable (without the domain key neither can be recomputed, and two release ids give unrelated
    tokens), but a per-release key has no delimiter to get wrong and lets one SQL macro, built from
    its pads like ``tok_<domain>``, tokenise a whole release in DuckDB.  The value hashed is the
    account's raw identity (the OpenID, the ``account`` map's value), never a warehouse token, so
    a release token says nothing about warehouse tokens either.
    """
    if domain not in RELEASE_DOMAINS:
        raise AnonymizerError(f"{domain.name!r} is not a release domain")
    return hmac.new(key.token_key(domain.name), release_id.encode("utf-8"), hashlib.sha256).digest()


def release_token(key: MasterKey, domain: Domain, release_id: str, value: str) -> str:
    """The reference implementation of a release token (Python); ``install_release_macro`` must agree."""
    digest = hmac.new(release_key(key, domain, release_id), value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{domain.prefix}_{digest[:TOKEN_HEX]}"


def install_release_macro(con: duckdb.DuckDBPyConnection, key: MasterKey, domain: Domain, release_id: str) -> None:
    """``tok_release(value)`` for this session only: the tokens of one release."""
    ipad, opad = hmac_pads(release_key(key, domain, release_id))
    con.execute(
        f"CREATE OR REPLACE TEMP MACRO tok_release(v) AS '{domain.prefix}_' || substr("
        f"sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode(v)))), 1, {TOKEN_HEX})"
    )


def hmac_pads(secret: bytes) -> tuple[str, str]:
    """RFC 2104 inner and outer pads of a key, as hex: what an HMAC macro in SQL needs."""
    block = secret.ljust(64, b"\0")  # keys are 32 bytes: never longer than a block
    return bytes(b ^ 0x36 for b in block).hex(), bytes(b ^ 0x5C for b in block).hex()


def install_macros(con: duckdb.DuckDBPyConnection, key: MasterKey) -> None:
    """Define ``tok_<domain>(value)`` and ``norm_<domain>(parts…)`` for this session only."""
    install_value_macros(con)
    for d in DOMAINS:
        ipad, opad = hmac_pads(key.token_key(d.name))
        con.execute(
            f"CREATE OR REPLACE TEMP MACRO tok_{d.name}(v) AS '{d.prefix}_' || substr("
            f"sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode(v)))), 1, {TOKEN_HEX})"
        )


def column_tokens(key: MasterKey, domain: Domain, values: pa.Array | pa.ChunkedArray,
                  threads: int | None = None) -> pa.Array:
    """The tokens of a string column without nulls, in order: ``tok_<domain>`` of each value."""
    secret = key.token_key(domain.name)
    prefix = f"{domain.prefix}_".encode()
    width = len(prefix) + TOKEN_HEX
    threads = threads or usable_cpus()
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    out = []
    for chunk in chunks:
        if chunk.null_count:
            raise AnonymizerError(f"{domain.name}: {chunk.null_count:,} null values sent to be tokenised")
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            raise AnonymizerError(f"{domain.name}: values of type {chunk.type} sent to be tokenised")
        wide = pa.types.is_large_string(chunk.type)
        _, offsets, data = chunk.buffers()
        digest = _hmac.tokens(secret, offsets, data if data is not None else b"", len(chunk), chunk.offset,
                              wide, prefix, TOKEN_HEX, threads)
        ends = np.arange(0, (len(chunk) + 1) * width, width, dtype=np.int64)
        out.append(pa.Array.from_buffers(pa.large_string(), len(chunk), [None, pa.py_buffer(ends),
                                                                         pa.py_buffer(digest)]))
    return pa.concat_arrays(out) if out else pa.array([], pa.large_string())


def update_maps(con: duckdb.DuckDBPyConnection, key: MasterKey, run_id: str, schema: str = "landing") -> dict[str, int]:
    """Hash the values seen for the first time; return how many per domain.

    ``schema``: where to look for them, the landing views or the landing rows of the accounts that
    changed since the last build (``anonymizer.changes``): the others' values were all hashed then."""
    added = {}
    for d in DOMAINS:
        union = " UNION ALL ".join(d.occurrences(schema))
        before = con.execute(f"SELECT count(*) FROM vault.tokens.{d.name}").fetchone()[0]
        new = con.execute(
            f"""
            SELECT v FROM (SELECT DISTINCT v FROM ({union}) WHERE v IS NOT NULL AND v <> '') n
            WHERE NOT EXISTS (SELECT 1 FROM vault.tokens.{d.name} t WHERE t.value = n.v)
            """
        ).to_arrow_table().column(0)
        added[d.name] = 0
        if not len(new):
            continue
        hashed = pa.table({"value": new, "token": column_tokens(key, d, new)})
        con.register("_new_tokens", hashed)
        try:
            con.execute(f"INSERT INTO vault.tokens.{d.name} SELECT value, token, {key.version}, '{run_id}' "
                        "FROM _new_tokens")
        finally:
            con.unregister("_new_tokens")
        after, distinct = con.execute(  # a map is checked whenever it grows, so one left alone still holds
            f"SELECT count(*), count(DISTINCT value) FROM vault.tokens.{d.name}").fetchone()
        if after != distinct:
            raise AnonymizerError(f"token map {d.name!r} holds {after - distinct:,} values twice; nothing was published")
        added[d.name] = after - before
    return added
