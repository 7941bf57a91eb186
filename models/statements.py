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
from tortoise.exceptions import MultipleObjectsReturned
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


# -- reads -----------------------------------------------------------------------------
# Tortoise builds a query's SQL anew on every call (pypika: its filters resolved, its
# joins added, its text rendered): in bench/save_cost.py under py-spy that was a fifth of an
# autosave's route and a quarter of the quiz page's. The few reads on every exam request
# are written here once; rows become models through the model's own loader, so they are
# the same objects the ORM would have built.


def _select_list(model: type[Model], alias: str) -> str:
    return ", ".join(f'"{alias}"."{column}" AS "{alias}.{column}"'
                     for column in model._meta.fields_db_projection.values())


def _from_row(model: type[Model], row: dict[str, Any], alias: str) -> Any:
    return model._init_from_db(**{column: row[f"{alias}.{column}"]
                                  for column in model._meta.fields_db_projection.values()})


def _placeholders(client: BaseDBAsyncClient, sql: str) -> str:
    """`sql` written with `?` for each parameter, as PostgreSQL wants it ($1, $2...)."""
    if client.capabilities.dialect != "postgres":
        return sql
    parts = sql.split("?")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]


_SQL: dict[tuple[str, str, str], str] = {}


def _cached(client: BaseDBAsyncClient, key: str, build: Any) -> str:
    slot = (client.capabilities.dialect, type(client).__name__, key)
    sql = _SQL.get(slot)
    if sql is None:
        sql = _SQL[slot] = _placeholders(client, build())
    return sql


def _where(model: type[Model], alias: str, names: Sequence[str]) -> str:
    columns = model._meta.fields_db_projection
    return " AND ".join(f'"{alias}"."{columns[name]}" = ?' for name in names)


def _values(model: type[Model], where: dict[str, Any], names: Sequence[str]) -> list[Any]:
    fields = model._meta.fields_map
    return [fields[name].to_db_value(where[name], model) for name in names]


def _select_where(model: type[Model], names: Sequence[str]) -> str:
    """SELECT every column of `model` (as "t") whose `names` fields equal parameters."""
    meta = model._meta
    return (f'SELECT {_select_list(model, "t")} FROM "{meta.db_table}" "t" '
            f'WHERE {_where(model, "t", names)}')


async def rows_where(model: type[Model], where: dict[str, Any], *,
                     order: tuple[str, ...] = ()) -> list[Any]:
    """The rows of `model` whose fields equal `where`'s values, in `order` (field names,
    "-name" for descending): `model.filter(**where).order_by(*order)` without the query
    built each call."""
    meta = model._meta
    names = sorted(where)
    sorting = ", ".join(f'"t"."{meta.fields_db_projection[o.lstrip("-")]}"'
                        + (" DESC" if o.startswith("-") else " ASC") for o in order)
    key = f"rows_where {meta.db_table} {','.join(names)} {','.join(order)}"
    sql = _cached(meta.db, key, lambda: _select_where(model, names)
                  + (f" ORDER BY {sorting}" if sorting else ""))
    rows = await meta.db.execute_query_dict(sql, _values(model, where, names))
    return [_from_row(model, row, "t") for row in rows]


async def get_by(model: type[Model], where: dict[str, Any]) -> Any:
    """The one row of `model` whose fields equal `where`'s values (a unique key), or
    None: `model.get_or_none(**where)` without the query built each call."""
    meta = model._meta
    names = sorted(where)
    sql = _cached(meta.db, f"get_by {meta.db_table} {','.join(names)}",
                  lambda: _select_where(model, names) + " LIMIT 2")
    rows = await meta.db.execute_query_dict(sql, _values(model, where, names))
    if len(rows) > 1:
        raise MultipleObjectsReturned(model)
    return _from_row(model, rows[0], "t") if rows else None


async def get_with(model: type[Model], relation: str, where: dict[str, Any]) -> Any:
    """The one row of `model` matching `where` (equalities on its own fields, together a
    unique key) with its foreign key `relation` loaded, as
    `model.filter(**where).select_related(relation).first()` would give, or None. A row
    whose relation is null gets None there."""
    meta = model._meta
    fk = meta.fields_map[relation]
    related: type[Model] = fk.related_model  # type: ignore[attr-defined]
    source = meta.fields_db_projection[f"{relation}_id"]
    names = sorted(where)
    table, other = meta.db_table, related._meta.db_table
    key = f"get_with {table}.{relation} {','.join(names)}"
    sql = _cached(meta.db, key, lambda: (
        f'SELECT {_select_list(model, "t")}, {_select_list(related, "r")} '
        f'FROM "{table}" "t" LEFT OUTER JOIN "{other}" "r" '
        f'ON "r"."{related._meta.db_pk_column}" = "t"."{source}" '
        f'WHERE {_where(model, "t", names)} LIMIT 1'))
    rows = await meta.db.execute_query_dict(sql, _values(model, where, names))
    if not rows:
        return None
    found = _from_row(model, rows[0], "t")
    joined = (_from_row(related, rows[0], "r")
              if rows[0][f"r.{related._meta.db_pk_column}"] is not None else None)
    object.__setattr__(found, f"_{relation}", joined)
    return found


async def execute(model: type[Model], sql: str, values: Sequence[Any]) -> int:
    """Run a hand-written statement (`?` for each parameter, values already converted:
    `db_values`) on `model`'s connection, the transaction's inside one; returns how many
    rows it changed."""
    client = model._meta.db
    changed, _ = await client.execute_query(_cached(client, sql, lambda: sql), list(values))
    return changed
