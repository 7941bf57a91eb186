"""Hand-written SQL for a hot write whose ORM form costs more CPU than the database does.

Tortoise builds an upsert (`bulk_create(..., on_conflict=...)`) anew on every call, and
every autosave of an exam makes one: in `bench/save_cost.py --profile` (PostgreSQL) it was
4.8% of the process's profiled time, the same statement written here 0.9%. Plain inserts
gain nothing from this (Tortoise caches a model's insert statement: measured, no change).
Values are converted by the model's own fields, so what is stored reads back exactly as an
ORM write would. PostgreSQL numbers its parameters ($1), SQLite does not (?); both know
`ON CONFLICT ... DO UPDATE`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.models import Model


def _params(client: BaseDBAsyncClient, count: int) -> str:
    if client.capabilities.dialect == "postgres":
        return ", ".join(f"${n}" for n in range(1, count + 1))
    return ", ".join("?" * count)


def db_values(model: type[Model], values: dict[str, Any]) -> list[Any]:
    fields = model._meta.fields_map
    return [fields[name].to_db_value(value, model) for name, value in values.items()]


def _columns(model: type[Model], names: Sequence[str]) -> list[str]:
    fields = model._meta.fields_map
    return [f'"{fields[name].source_field or name}"' for name in names]


async def upsert(model: type[Model], values: dict[str, Any], conflict: tuple[str, ...],
                 update: tuple[str, ...]) -> None:
    """INSERT one row of `model`, or UPDATE the `update` fields of the row that has the
    same `conflict` fields (a unique key), in one statement."""
    client = model._meta.db
    changes = ", ".join(f"{c} = EXCLUDED.{c}" for c in _columns(model, update))
    sql = (f'INSERT INTO "{model._meta.db_table}" ({", ".join(_columns(model, list(values)))}) '
           f'VALUES ({_params(client, len(values))}) '
           f'ON CONFLICT ({", ".join(_columns(model, conflict))}) DO UPDATE SET {changes}')
    await client.execute_query(sql, db_values(model, values))


async def insert_returning_ids(model: type[Model], names: Sequence[str],
                               rows: Sequence[Sequence[Any]]) -> list[int]:
    """INSERT `rows` of `model` in one statement: each row holds the `names` fields' values,
    already converted (`db_values`). Returns their ids in the order of `rows`: both
    databases number a statement's rows in VALUES order, so the ids, sorted, pair with the
    rows (SQLite does not promise RETURNING's order)."""
    if not rows:
        return []
    client = model._meta.db
    width = len(names)
    if client.capabilities.dialect == "postgres":
        groups = ", ".join(
            "(" + ", ".join(f"${r * width + c + 1}" for c in range(width)) + ")"
            for r in range(len(rows)))
    else:
        groups = ", ".join("(" + ", ".join("?" * width) + ")" for _ in rows)
    pk = model._meta.db_pk_column
    sql = (f'INSERT INTO "{model._meta.db_table}" ({", ".join(_columns(model, names))}) '
           f'VALUES {groups} RETURNING "{pk}"')
    returned = await client.execute_query_dict(sql, [v for row in rows for v in row])
    return sorted(int(r[pk]) for r in returned)
