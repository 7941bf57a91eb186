"""The checked-in migrations (models/*migrations) build the tables the models declare.

Two checks, because each misses what the other sees: makemigrations compares the models with
the state the migrations *record*, and a migration can record what it never did to the
database (Tortoise's AddField records db_index=True but creates no index; on SQLite an
AlterField rebuilds the table without its indexes and unique constraints). So a database
`coursewire migrate` built is also compared with one Tortoise creates from the models.
Comments on tables and columns (Tortoise writes docstrings there) are left out of the
comparison: they change nothing the code relies on.
"""

from __future__ import annotations

import sqlite3

import asyncpg
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from models.db import TORTOISE_ORM, tortoise_config

Schema = set[tuple[object, ...]]


async def test_makemigrations_finds_nothing_to_do():
    apps = {label: dict(app) for label, app in TORTOISE_ORM["apps"].items()}
    async with TortoiseContext() as ctx:
        await ctx.init(config=TORTOISE_ORM)
        assert ctx.apps is not None
        pending = await MigrationAutodetector(ctx.apps, apps).changes()
    assert not pending, "models and migrations differ; run `tortoise -c models.db.TORTOISE_ORM " \
        f"makemigrations` and read what it writes: {[(w.app_label, w.name) for w in pending]}"


async def test_a_migrated_database_has_the_tables_the_models_declare(db_factory):
    migrated = await db_factory.new_url()
    declared = await db_factory.empty_url()
    async with TortoiseContext() as ctx:
        await ctx.init(config=tortoise_config(declared))
        await ctx.generate_schemas(safe=False)
    made, wanted = await schema_of(migrated), await schema_of(declared)
    assert wanted, "the comparison read no tables"
    assert not made ^ wanted, (
        f"missing after migrate: {sorted(wanted - made, key=str)}\n"
        f"not in the models: {sorted(made - wanted, key=str)}")


async def schema_of(url: str) -> Schema:
    """Columns, indexes (unique or not) and foreign keys, by table, without names that
    differ between the two ways of making them (SQLite's automatic index names)."""
    if url.startswith("sqlite://"):
        return _sqlite_schema(url.removeprefix("sqlite://"))
    return await _postgres_schema(url)


def _sqlite_schema(path: str) -> Schema:
    found: Schema = set()
    db = sqlite3.connect(path)
    try:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                           " AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            if table == "tortoise_migrations":
                continue
            for _, name, kind, notnull, default, pk in db.execute(f'PRAGMA table_info("{table}")'):
                found.add(("column", table, name, kind, notnull, default, pk))
            for row in db.execute(f'PRAGMA foreign_key_list("{table}")'):
                found.add(("foreign key", table, *row[2:7]))
            for _, index, unique, _origin, partial in db.execute(f'PRAGMA index_list("{table}")'):
                columns = tuple(c for (_, _, c) in db.execute(f'PRAGMA index_info("{index}")'))
                found.add(("index", table, columns, unique, partial))
    finally:
        db.close()
    return found


async def _postgres_schema(url: str) -> Schema:
    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        columns = await conn.fetch(
            "SELECT table_name, column_name, data_type, character_maximum_length, is_nullable,"
            " column_default FROM information_schema.columns WHERE table_schema = 'public'")
        indexes = await conn.fetch(
            "SELECT t.relname, i.indisunique, i.indisprimary, am.amname,"
            " pg_get_expr(i.indpred, i.indrelid) AS predicate,"
            " ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, o)"
            "       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n"
            "       ORDER BY k.o) AS columns"
            " FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid"
            " JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_am am ON am.oid = x.relam"
            " WHERE t.relnamespace = 'public'::regnamespace")
        constraints = await conn.fetch(
            "SELECT conrelid::regclass::text AS table_name, contype,"
            " pg_get_constraintdef(oid) AS definition"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace")
    finally:
        await conn.close()
    found: Schema = set()
    found |= {("column", *r.values()) for r in columns}
    found |= {("index", r["relname"], tuple(r["columns"]), r["indisunique"], r["indisprimary"],
               r["amname"], r["predicate"]) for r in indexes}
    found |= {("constraint", *r.values()) for r in constraints}
    return {row for row in found if row[1] != "tortoise_migrations"}
