"""The `coursewire` command. Every subcommand's --help is its manual.

The commands live one module per group (server, content, people); this module builds the
parser from them, checks settings before a command starts and turns any failure into one
line on stderr (app.cli.errors words it). A command imports what it uses inside its
function, so `--help` and a mistyped command answer at once without loading the app.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import NoReturn

from app.cli import content, people, personal_data, server, sign_in
from app.cli.errors import check_port_free, check_settings, describe
from app.cli.stores import fail, with_db
from core.settings import Settings, load_settings

DESCRIPTION = """\
Coursewire: a live course platform. Grades, forum posts and peer-review work appear on
open pages the moment they happen.

Configuration comes from the environment:
  DATABASE_URL         Tortoise URL (default: SQLite file in the data dir), e.g.
                       postgres://user@127.0.0.1:5432/coursewire
  REDIS_URL            channel layer, rate limits, grading queue (default: in-memory,
                       single process, grading in-process)
  MONGO_URL            course content (default: in-process stand-in, saved in the data dir)
  SECRET_KEY           signs sessions and tokens (default: generated into the data dir)
  COURSEWIRE_DATA_DIR  where embedded data lives (default: ./.coursewire)
  COURSEWIRE_TRUSTED_PROXIES  comma-separated proxy addresses/networks whose
                       X-Forwarded-For is believed (default: none)
"""


class _Parser(argparse.ArgumentParser):
    """argparse's, but a usage error is one line, like every other failure (main)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {self.prog}: {message} (`{self.prog} --help` lists the "
                     "options)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="coursewire", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    for group in (server, content, people, personal_data, sign_in):
        group.add_commands(sub)
    return parser


def _preflight(args: argparse.Namespace, settings: Settings) -> None:
    """Checks before a command starts, so it fails in one line rather than half-way."""
    check_settings(settings)
    if args.func in (server.cmd_serve, server.cmd_demo):
        check_port_free(args.host, args.port)
    if args.func is server.cmd_serve:
        asyncio.run(with_db(settings, _tables_exist))


async def _tables_exist() -> None:
    from models.users import User

    await User.exists()  # a database never migrated raises "no such table"


def main(argv: list[str] | None = None) -> int:
    """Run a command. Every failure is one line on stderr and a non-zero exit."""
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except (ValueError, OSError) as exc:
        print(f"error: a setting in the environment is not usable ({describe(exc)[0]}); "
              "`coursewire --help` lists them.", file=sys.stderr)
        return 1
    try:
        _preflight(args, settings)
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return fail(exc)

