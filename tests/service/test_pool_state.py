"""Pooled PostgreSQL connections go back to the pool without asyncpg's reset statement
(models.db.PooledConnection), which is safe only while nothing leaves session state on them:
these tests keep it so."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tortoise import connections
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from models.db import PooledConnection, tortoise_config

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["core", "models", "realtime", "content_store", "mail", "accounts", "courses",
            "grading", "forum", "peer_review", "quizzes", "announcements", "courseware", "lti",
            "notifications", "app"]
# What a reset would undo: advisory locks held past a transaction, cursors, LISTEN, and
# settings changed for the session (SET LOCAL and set_config(..., true) end with their
# transaction, so they are fine).
SESSION_STATE = re.compile(
    r"pg_advisory_lock|pg_try_advisory_lock\b|(?-i:\bLISTEN\s+\w)|DECLARE\s+\w+\s+(?:\w+\s+)*CURSOR"
    r"|[\"']\s*SET\s+(?!LOCAL\b)(?:SESSION\s+)?\w+\s*(?:=|TO\b)"
    r"|set_config\([^)]*,\s*(?:false|False)\s*\)", re.IGNORECASE)


def test_no_code_leaves_session_state_on_a_pooled_connection():
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
             for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if SESSION_STATE.search(line)]
    assert not found, "session state on a pooled connection (see models.db.PooledConnection):" \
        f" {found}"


def test_the_pattern_sees_what_it_is_for():
    for sql in ['"SELECT pg_advisory_lock(1)"', '"LISTEN events"', "'SET search_path = x'",
                '"SET SESSION statement_timeout TO 5"', '"DECLARE c NO SCROLL CURSOR FOR"',
                "\"SELECT set_config('x.y', '1', false)\""]:
        assert SESSION_STATE.search(sql), sql
    for sql in ['"SET LOCAL lock_timeout = 100"', '"UPDATE t SET a = 1"',
                "\"SELECT set_config('x.y', '1', true)\"", '"pg_advisory_xact_lock(1)"',
                '"cannot listen on a port"']:
        assert not SESSION_STATE.search(sql), sql


async def test_a_connection_comes_back_rolled_back_and_without_the_reset_statement(db_factory):
    if db_factory.kind != "postgres":
        pytest.skip("PostgreSQL's pool only (SQLite has no pool)")
    url = await db_factory.new_url() + "?minsize=1&maxsize=1"  # always the same connection
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(url))
        db = connections.get("default")
        async with db.acquire_connection() as raw:
            assert isinstance(raw, PooledConnection)
            backend = raw.get_server_pid()
        with pytest.raises(RuntimeError):
            async with in_transaction() as tx:
                await tx.execute_script("SET LOCAL statement_timeout = 1234")
                raise RuntimeError("the transaction fails")
        rows = await db.execute_query_dict("SELECT current_setting('statement_timeout') AS t,"
                                           " txid_current_if_assigned() AS tx,"
                                           " pg_backend_pid() AS pid")
        assert rows == [{"t": "0", "tx": None, "pid": backend}]
