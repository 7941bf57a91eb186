"""Commands on personal data: erase-user (an administrator's erasure, as the API's) and
prune-events (the event log's retention, as the relays apply it every hour)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from app.cli.stores import fail, with_db, with_stores
from core.settings import Settings


def cmd_erase_user(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.erasure import erase_user
    from core.errors import CoursewireError, NotFound
    from mail.transport import outbox_folder
    from models.users import User

    async def run() -> tuple[str, int]:
        who = args.user.strip()
        user = await (User.get_or_none(id=int(who)) if who.isdigit() and len(who) < 10
                      else User.get_or_none(email=who.lower()))
        if user is None:
            raise NotFound(f"No account {who!r} (give its email or its id).")
        outbox = None if settings.smtp_url else outbox_folder(settings.data_dir)
        return user.email, await erase_user(user.id, outbox_dir=outbox)

    if not args.yes:
        print(f"Erase {args.user} for good? Add --yes to do it.")
        return 2
    try:
        email, tombstone = asyncio.run(with_stores(settings, run))
    except (CoursewireError, OSError, RuntimeError) as exc:
        return fail(exc)
    print(f"Erased {email}: their work now belongs to tombstone account {tombstone} "
          "(\"Deleted user\").")
    return 0


def cmd_prune_events(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import timedelta

    from realtime.relay import prune_events

    days = settings.event_retention_days if args.days is None else args.days
    if days < 0:
        return fail(ValueError("--days must be 0 or more."))
    deleted = asyncio.run(with_db(settings, lambda: prune_events(timedelta(days=days))))
    print(f"Pruned {deleted} events older than {days:g} days.")
    return 0


def add_commands(sub: Any) -> None:
    """Add the personal-data commands to the `coursewire` parser's subcommands."""
    p = sub.add_parser(
        "erase-user", help="erase an account and its identity everywhere (GDPR)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Erase an account, as DELETE /api/v1/users/{id} does: it can no longer "
                    "sign in, its sessions and sockets end, and its name and email go from "
                    "every table, the event log and the content store. Its work stays in "
                    "course statistics, owned by a \"Deleted user\" tombstone.\n\nExample:\n"
                    "  coursewire erase-user ada@example.org --yes")
    p.add_argument("user", help="the account's email or id")
    p.add_argument("--yes", action="store_true", help="really erase (it cannot be undone)")
    p.set_defaults(func=cmd_erase_user)

    p = sub.add_parser(
        "prune-events", help="delete events older than the retention period",
        description="Delete events older than COURSEWIRE_EVENT_RETENTION_DAYS (default 7; "
                    "the relays also do this every hour). API clients resuming from a pruned "
                    "seq are told to resync. Example: coursewire prune-events --days 30")
    p.add_argument("--days", type=float, help="keep this many days instead of the setting")
    p.set_defaults(func=cmd_prune_events)
