"""Commands that run Coursewire: serve, demo, worker, migrate."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from app.cli.stores import with_stores
from core.settings import Settings
from grading.queue import STOP_GRACE_SECONDS
from mail.transport import transport_for

# `coursewire worker --grace`: an hour is far past any stop timeout a supervisor gives.
MAX_GRACE_SECONDS = 3600.0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from models.db import migrate

    asyncio.run(migrate(settings))
    print(f"Database is up to date ({settings.database_url.split('://')[0]}).")
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    if args.server == "uvicorn":
        import uvicorn

        # The app reads X-Forwarded-For itself, from COURSEWIRE_TRUSTED_PROXIES only;
        # uvicorn's own handling would believe any client on 127.0.0.1.
        uvicorn.run("asgi:application", host=args.host, port=args.port, loop="uvloop",
                    http="httptools", proxy_headers=False,
                    log_level="info" if args.verbose else "warning")
        return 0
    from daphne.cli import CommandLineInterface

    # No --proxy-headers: daphne would believe X-Forwarded-For from any client. The app
    # reads it itself, from COURSEWIRE_TRUSTED_PROXIES only.
    argv = ["-b", args.host, "-p", str(args.port)]
    if not args.verbose:
        argv += ["-v", "0"]
    CommandLineInterface().run([*argv, "asgi:application"])
    _stop_after_daphne()
    return 0


def _stop_after_daphne() -> None:
    """Close what start-up opened, once daphne has stopped (on SIGINT/SIGTERM).

    daphne sends no lifespan shutdown, and an open SQLite connection's worker thread would
    keep the process alive after the server has stopped.
    """
    from daphne.server import twisted_loop

    import asgi

    if asgi.application.runtime.started:
        twisted_loop.run_until_complete(asgi.application.runtime.stop())


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from app.demo import seed_demo
    from models.db import migrate

    asyncio.run(migrate(settings))
    seeded = asyncio.run(with_stores(settings, seed_demo))
    if args.seed_only:
        print(json.dumps(seeded))
        return 0
    print(demo_banner(seeded, f"http://{args.host}:{args.port}/", settings))
    return cmd_serve(args, settings)


def demo_banner(seeded: dict[str, Any], url: str, settings: Settings) -> str:
    """What `coursewire demo` prints before serving: where, who, and where mail goes."""
    lines = [f"\nCoursewire demo: {url}  (course {seeded['course_id']})"]
    lines += [f"  {u['role']:<10} {u['email']:<32} password: {u['password']}"
              for u in seeded["users"]]
    lines.append("Mail (password resets, verification links) goes to "
                 f"{transport_for(settings.smtp_url, settings.data_dir).describe()}.\n")
    return "\n".join(lines)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    import logging

    from app.runtime import Runtime
    from grading.worker import run_worker

    if not settings.redis_url:
        print("error: REDIS_URL is not set. Without Redis, grading runs inside the web "
              "process (coursewire serve); workers are for Redis deployments.", file=sys.stderr)
        return 2
    if not settings.mongo_url:
        print("error: MONGO_URL is not set. The embedded content store can be open in one "
              "process only, so the web process grades itself; set MONGO_URL to run "
              "separate workers.", file=sys.stderr)
        return 2
    if args.concurrency < 1:
        print("error: --concurrency must be 1 or more", file=sys.stderr)
        return 2
    if not 0 <= args.grace <= MAX_GRACE_SECONDS:  # also refuses nan
        print(f"error: --grace must be a number of seconds from 0 to {MAX_GRACE_SECONDS:g}",
              file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Every package installed and bound (nothing started): other domains' block types,
    # whose points count in the grades it sends, and the templates of its frames.
    Runtime(settings).bind()
    asyncio.run(run_worker(settings, args.concurrency, grace=args.grace))
    return 0


def _add_server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", choices=["uvicorn", "daphne"], default="uvicorn",
                   help="ASGI server (default: uvicorn, with uvloop + httptools: faster, and "
                        "it refuses an oversized body without buffering it; daphne buffers "
                        "every request body whole before the app sees it, so put a proxy "
                        "with client_max_body_size in front of it, see docs/deploy/)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request")


def add_commands(sub: Any) -> None:
    """Add the commands on running Coursewire to the `coursewire` parser's subcommands."""
    p = sub.add_parser("serve", help="run the web server",
                       description="Serve Coursewire (HTTP + websockets) from asgi:application. "
                                   "Run `coursewire migrate` first.")
    _add_server_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "demo", help="migrate, seed a demo course, print logins, serve",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Set up a demo on the configured stores (embedded by default): apply "
                    "migrations, create the demo\ncourse (content_store/demo_course) with an "
                    "instructor, a TA and five students, print the\nlogins and serve.\n\n"
                    "Dates follow the day you run it: the folder's dates are written as if "
                    "today were\n2026-01-28 and are all moved by the same number of days. "
                    "So the quiz is two days late\n(late work loses 25%; Ada has an extension), "
                    "and the other assignments are due in\n2 to 5 weeks. The classmates have "
                    "reviewed each other's peer-review responses: submit\nas ada, review three, "
                    "self-assess, then review hers as linus and as margaret, and\nshe has a "
                    "score.\n\n"
                    "Run it again on an old data dir to bring the dates forward: accounts, "
                    "submissions,\nposts and content edits are kept; every date in the draft "
                    "moves by the days since it\nwas last seeded and the draft is published "
                    "as a new content version (on the same day\nnothing changes).")
    _add_server_options(p)
    p.add_argument("--seed-only", action="store_true",
                   help='seed and exit, printing {"course_id", "users": [...]} as JSON')
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("migrate", help="apply database migrations",
                       description="Apply the checked-in migrations (models/*migrations) to "
                                   "DATABASE_URL: SQLite by default, PostgreSQL when it is a "
                                   "postgres:// URL. Safe to run again: applied migrations are "
                                   "recorded and skipped. `coursewire demo` runs this itself.")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("worker", help="run grading workers (Redis deployments)",
                       description="Grade submissions from the Redis job queue until "
                                   "stopped (SIGINT/SIGTERM). Needs REDIS_URL and MONGO_URL; "
                                   "run as many as you like. Jobs are acknowledged after the "
                                   "grade is committed, so a worker that dies loses nothing: "
                                   "its jobs are claimed by another worker, and a sweeper "
                                   "re-enqueues submissions stuck in queued/grading. Without "
                                   "Redis, `coursewire serve` grades in-process instead.")
    p.add_argument("--concurrency", type=int, default=4, metavar="N",
                   help="submissions graded at once by this process (default 4; code "
                        "exercises use one sandboxed subprocess each)")
    p.add_argument("--grace", type=float, default=STOP_GRACE_SECONDS, metavar="SECONDS",
                   help="on SIGINT/SIGTERM, how long the jobs in hand may finish before "
                        f"they are cut (default {STOP_GRACE_SECONDS:g}); a cut job stays "
                        "unacknowledged and another worker grades it. Keep it 10 s under your "
                        "supervisor's stop timeout (systemd's TimeoutStopSec): cut jobs get "
                        "5 s to roll back, then the worker closes its connections")
    p.set_defaults(func=cmd_worker)
