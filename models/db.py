"""Tortoise ORM wiring: config, start-up, migrations."""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.migrations.api import migrate as run_migrations

from core.settings import Settings

# One Tortoise app per domain, each with its own migrations package, so domains evolve
# their tables independently. Models refer across apps as "models.User", "forum.Thread".
APPS: dict[str, tuple[list[str], str]] = {
    "models": (
        ["models.users", "models.courses", "models.announcements", "models.events",
         "models.idempotency"],
        "models.migrations",
    ),
    "forum": (["models.forum"], "models.forum_migrations"),
    "grading": (["models.grading"], "models.grading_migrations"),
    "peer_review": (["models.peer_review"], "models.peer_review_migrations"),
    "courseware": (["models.releases"], "models.courseware_migrations"),
    "content_announcements": (["models.content_announcements"],
                              "models.content_announcements_migrations"),
    "accounts": (["models.account_links"], "models.accounts_migrations"),
    "mail": (["models.mail"], "models.mail_migrations"),
    "quizzes": (["models.quizzes"], "models.quizzes_migrations"),
    "quiz_integrity": (["models.quiz_integrity"], "models.quiz_integrity_migrations"),
    "quiz_audit": (["models.quiz_audit"], "models.quiz_audit_migrations"),
    "enrolment": (["models.enrolment"], "models.enrolment_migrations"),
    "lti": (["models.lti"], "models.lti_migrations"),
    "oidc": (["models.oidc"], "models.oidc_migrations"),
    "groups": (["models.groups"], "models.groups_migrations"),
    "notifications": (["models.notifications"], "models.notifications_migrations"),
}


class PooledConnection(asyncpg.Connection):
    """A PostgreSQL connection whose return to the pool costs no round trip.

    asyncpg's pool resets every connection it gets back by sending `SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`: one more statement for each
    query Tortoise runs outside a transaction (py-spy: 6-8% of an app process's CPU in the
    exam storm). Nothing here leaves such state on a pooled connection: no advisory locks,
    cursors, listeners or session-level settings (tests/service/test_pool_state.py keeps it so).
    An open transaction is still rolled back on release (asyncpg does that before the
    reset query, and without it).
    """

    def get_reset_query(self) -> str:
        return ""


def _connection(database_url: str) -> dict[str, Any]:
    config = expand_db_url(database_url)
    engine = {"tortoise.backends.sqlite": "models.sqlite_engine",
              "tortoise.backends.asyncpg": "models.asyncpg_engine"}  # see models.db_engine
    config["engine"] = engine.get(config["engine"], config["engine"])
    if database_url.startswith(("postgres://", "postgresql://")):
        config["credentials"]["connection_class"] = PooledConnection
    return config


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
        "apps": {
            label: {"models": modules, "migrations": migrations, "default_connection": "default"}
            for label, (modules, migrations) in APPS.items()
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(settings: Settings) -> None:
    """Apply all checked-in migrations (idempotent)."""
    await run_migrations(config=tortoise_config(settings.database_url))
    await Tortoise.close_connections()


async def init_db(settings: Settings) -> None:
    """Open the ORM for this process.

    The global fallback makes the ORM visible to every task, including the request tasks
    daphne creates outside the task that ran this (Tortoise 1.x keeps state in a contextvar).
    """
    await Tortoise.init(
        config=tortoise_config(settings.database_url), _enable_global_fallback=True
    )


async def close_db() -> None:
    await Tortoise.close_connections()


# For the `tortoise` CLI (makemigrations): `tortoise -c models.db.TORTOISE_ORM makemigrations`.
# Read what it writes: an AddField records db_index=True but creates no index (add it with
# RunSQL), and on SQLite an AlterField rebuilds the table without its indexes and unique
# constraints. tests/service/test_migrations.py compares a migrated database with the models.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")


def leave_transactions() -> None:
    """Use the root connections again in this context. A task or timer started inside a
    transaction inherits it (Tortoise keeps the current connection in a context variable),
    and once the transaction has committed its connection is back in the pool: a query on it
    fails. Call this first in such a task; it changes only the task's own context."""
    storage = connections._copy_storage()
    for alias, client in storage.items():
        while isinstance(client, TransactionalDBClient) and \
                getattr(client, "_parent", None) is not None:
            client = client._parent
        storage[alias] = client
    connections._set_storage(storage)
