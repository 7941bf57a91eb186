"""A transaction whose task is cancelled while it starts gives back what it took
(models/db_engine.py): SQLite's connection lock, PostgreSQL's pooled connection.

Without that, a grading worker stopped inside a job's BEGIN left SQLite's lock taken and
every later query waited forever (a CI run hung at a test's teardown)."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from tortoise import connections
from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.sqlite.client import SqliteTransactionWrapper
from tortoise.transactions import in_transaction

from core.settings import Settings


async def _one_transaction(started: asyncio.Event) -> None:
    started.set()
    async with in_transaction() as tx:
        await tx.execute_query("SELECT 1")


async def _cancel_after(steps: int) -> None:
    started = asyncio.Event()
    task = asyncio.create_task(_one_transaction(started))
    await started.wait()
    for _ in range(steps):
        await asyncio.sleep(0)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _assert_usable() -> None:
    async with asyncio.timeout(10):  # the old contexts wait here forever
        async with in_transaction() as tx:
            assert await tx.execute_query_dict("SELECT 1 AS one") == [{"one": 1}]
        assert await connections.get("default").execute_query_dict("SELECT 2 AS two") == \
            [{"two": 2}]
    client = connections.get("default")
    pool = getattr(client, "_pool", None)
    if pool is not None:  # PostgreSQL: every connection is back in the pool
        assert pool.get_idle_size() == pool.get_size()
    else:  # SQLite: the lock is free and no transaction was left open
        assert not client._lock.locked()
        assert not client._connection.in_transaction


async def test_cancelling_a_transaction_at_any_step_of_its_start_leaves_the_database_usable(
        db: Settings):
    # Every step from before the lock or pool through BEGIN to the body, several times.
    for _ in range(4):
        for steps in range(12):
            await _cancel_after(steps)
    await _assert_usable()


async def test_cancelling_transactions_inside_begin_loses_no_lock_and_no_connection(
        db: Settings, monkeypatch: pytest.MonkeyPatch):
    pooled = isinstance(connections.get("default"), AsyncpgDBClient)
    wrapper = TransactionWrapper if pooled else SqliteTransactionWrapper
    original = wrapper.begin
    in_begin = asyncio.Event()

    async def begin(self: SqliteTransactionWrapper | TransactionWrapper) -> None:
        in_begin.set()
        await original(self)

    monkeypatch.setattr(wrapper, "begin", begin)
    for _ in range(8):  # more than the pool's 5 connections
        in_begin.clear()
        task = asyncio.create_task(_one_transaction(asyncio.Event()))
        await in_begin.wait()  # the task now waits on the database's answer to BEGIN
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    monkeypatch.undo()
    await _assert_usable()
