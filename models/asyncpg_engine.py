"""Tortoise engine for PostgreSQL: the asyncpg client, with transactions whose start can be
cancelled (models/db_engine.py)."""

from __future__ import annotations

from tortoise.backends.asyncpg.client import AsyncpgDBClient
from tortoise.backends.base.client import TransactionContext

from models.db_engine import AsyncpgWrapper, PooledTransaction


class Asyncpg(AsyncpgDBClient):
    def _in_transaction(self) -> TransactionContext:
        return PooledTransaction(AsyncpgWrapper(self), self._pool_init_lock)


client_class = Asyncpg
