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

from tortoise.backends.base.client import (
    TransactionalDBClient,
    TransactionContextPooled,
)
from tortoise.backends.sqlite.client import SqliteTransactionContext
from tortoise.connection import get_connections


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
