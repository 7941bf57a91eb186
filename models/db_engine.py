"""Transactions whose start can be cancelled, for Tortoise's SQLite and asyncpg clients.

Tortoise 1.1's transaction contexts take something before they begin: the SQLite context
takes the connection's lock, the asyncpg one a pooled connection. If the task is cancelled
while `BEGIN` runs (a worker stopped mid-job, a timeout), `__aexit__` never runs and what
was taken is never given back. On SQLite every later query then waits for the lock forever
(CI hung at a test's teardown: the grading worker was stopped inside a job's BEGIN); on
PostgreSQL the pool loses a connection each time. Here a start that fails for any reason
undoes itself. tests/service/test_cancelled_transactions.py cancels at every step.

`models.db` names `models.sqlite_engine` and `models.asyncpg_engine` as the engines (Tortoise's
migrations pick their schema editor by the client's module name, so each module's name says
its database).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from tortoise.backends.asyncpg.client import TransactionWrapper
from tortoise.backends.base.client import (
    NestedTransactionContext,
    TransactionalDBClient,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.backends.sqlite.client import SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.connection import get_connections

# Told when a nested block (a savepoint) inside a transaction begins, is released or is
# rolled back: (the transaction's outermost client, "begin" | "release" | "rollback").
# Code that keeps per-transaction state in memory (realtime.outbox's unwritten events)
# registers here, so a rolled-back block's share of that state goes with it.
SAVEPOINT_LISTENERS: list[Callable[[TransactionalDBClient, str], None]] = []


class SqliteTransaction(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            await self.connection.begin()
        except BaseException:
            try:
                # A cancelled BEGIN still runs on aiosqlite's thread, which takes requests
                # in order: this rollback comes after it (and is a no-op if it never ran).
                raw = self.connection._connection
                if raw is not None:
                    with contextlib.suppress(Exception):  # the first error is the one to see
                        await asyncio.shield(raw.rollback())
            finally:
                self._trxlock.release()
            raise
        self.token = get_connections().set(self.connection_name, self.connection)
        return self.connection


class PooledTransaction(TransactionContextPooled):
    async def __aenter__(self) -> TransactionalDBClient:
        await self.ensure_connection()
        pool = self.client._parent._pool
        self.client._connection = await pool.acquire()
        try:
            await self.client.begin()
        except BaseException:
            # asyncpg's release waits out a cancelled query and rolls back what it began
            # (a connection it cannot reset, it closes).
            with contextlib.suppress(Exception):  # the first error is the one to see
                await asyncio.shield(pool.release(self.client._connection))
            raise
        self.token = get_connections().set(self.connection_name, self.client)
        return self.client


class Savepoint(NestedTransactionContext):
    """A nested `in_transaction()` block: Tortoise's savepoint, which also tells
    SAVEPOINT_LISTENERS about it. Tortoise runs the block on a client of its own but leaves
    the transaction's outermost client (`root`) as the current connection, so that is the
    client the listeners are told of."""

    def __init__(self, client: TransactionalDBClient, root: TransactionalDBClient) -> None:
        super().__init__(client)
        self.root = root

    async def __aenter__(self) -> TransactionalDBClient:
        client = await super().__aenter__()
        _tell(self.root, "begin")
        return client

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        try:
            await super().__aexit__(exc_type, exc_val, exc_tb)
        except BaseException:
            _tell(self.root, "rollback")
            raise
        _tell(self.root, "rollback" if exc_type else "release")


def _tell(root: TransactionalDBClient, what: str) -> None:
    for listener in SAVEPOINT_LISTENERS:
        listener(root, what)


class SqliteWrapper(SqliteTransactionWrapper):
    """A SQLite transaction whose nested blocks are `Savepoint`s."""

    def _in_transaction(self) -> TransactionContext:
        return Savepoint(SqliteTransactionWrapper(self), self)


class AsyncpgWrapper(TransactionWrapper):
    """A PostgreSQL transaction whose nested blocks are `Savepoint`s."""

    def _in_transaction(self) -> TransactionContext:
        return Savepoint(TransactionWrapper(self), self)
