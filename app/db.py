"""Tortoise ORM wiring: config, start-up, migrations."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from app.settings import Settings

# One Tortoise app per domain, each with its own migrations package, so domains evolve
# their tables independently. Models refer across apps as "models.User", "forum.Thread".
APPS: dict[str, tuple[list[str], str]] = {
    "models": (
        ["models.users", "models.courses", "models.announcements", "models.events"],
        "models.migrations",
    ),
    "forum": (["models.forum"], "models.forum_migrations"),
    "grading": (["models.grading"], "models.grading_migrations"),
    "peer_review": (["models.peer_review"], "models.peer_review_migrations"),
}


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": database_url},
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


# For the `tortoise` CLI (makemigrations): `tortoise -c app.db.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config("sqlite://:memory:")
