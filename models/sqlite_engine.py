"""Tortoise engine for SQLite: its client, with transactions whose start can be cancelled
(models/db_engine.py)."""

from __future__ import annotations

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient

from models.db_engine import SqliteTransaction, SqliteWrapper


class Sqlite(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransaction(SqliteWrapper(self), self._lock)


client_class = Sqlite
