"""Keyed tokens: HMAC-SHA256 of each distinct value, remembered in the vault.

Why HMAC and not a hash: a Chinese ID number has ~10^11 candidates and a mobile
~10^10; a plain (or constant-salted) SHA-256 of either is reversed by brute
force in minutes.  Without the domain key an HMAC cannot be recomputed.

Why a token map: each distinct value is hashed once, ever.  Later runs hash only
values never seen before, and rows are pseudonymised by a join, which costs far
less than a hash per row.

The HMAC runs inside DuckDB as a TEMP macro built from the key's inner and
outer pads (RFC 2104), so it is multi-threaded and never leaves the session: a
non-TEMP macro would store the key material in the database file.
"""

from __future__ import annotations

import hashlib
import hmac

import duckdb

from anonymizer.domains import DOMAINS, RELEASE_DOMAINS, TOKEN_HEX, Domain, install_value_macros
from anonymizer.errors import AnonymizerError
from anonymizer.keys import MasterKey


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


def update_maps(con: duckdb.DuckDBPyConnection, key: MasterKey, run_id: str) -> dict[str, int]:
    """Hash the values seen for the first time; return how many per domain."""
    added = {}
    for d in DOMAINS:
        union = " UNION ALL ".join(d.occurrences)
        before = con.execute(f"SELECT count(*) FROM vault.tokens.{d.name}").fetchone()[0]
        con.execute(
            f"""
            INSERT INTO vault.tokens.{d.name}
            SELECT v, tok_{d.name}(v), {key.version}, '{run_id}'
            FROM (SELECT DISTINCT v FROM ({union}) WHERE v IS NOT NULL AND v <> '') n
            WHERE NOT EXISTS (SELECT 1 FROM vault.tokens.{d.name} t WHERE t.value = n.v)
            """
        )
        after, distinct = con.execute(
            f"SELECT count(*), count(DISTINCT value) FROM vault.tokens.{d.name}").fetchone()
        if after != distinct:
            raise AnonymizerError(f"token map {d.name!r} holds {after - distinct:,} values twice; nothing was published")
        added[d.name] = after - before
    return added
