"""The `coursewire` command. Every subcommand's --help is its manual."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from app.settings import Settings, load_settings

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


async def _with_db(settings: Settings, action: Callable[[], Awaitable[Any]]) -> Any:
    from app.db import close_db, init_db
    from realtime.layer import make_channel_layer
    from realtime.publish import use_layer

    await init_db(settings)
    # With REDIS_URL, what a command publishes (import-course --publish, demo...) reaches
    # the running servers' open pages, as if a server had done it. Without it there is
    # no other process to tell: embedded mode is single-process.
    layer = (make_channel_layer(settings.redis_url, settings.redis_prefix)
             if settings.redis_url else None)
    use_layer(layer)
    try:
        return await action()
    finally:
        use_layer(None)
        if layer is not None and hasattr(layer, "close_pools"):
            await layer.close_pools()
        await close_db()


async def _with_stores(settings: Settings, action: Callable[[], Awaitable[Any]]) -> Any:
    """Run `action` with the ORM and the content store open (the CLI's own wiring)."""
    from app.content.connect import open_content_store, use_store

    async def with_content() -> Any:
        store, close = await open_content_store(settings)
        use_store(store)
        try:
            return await action()
        finally:
            use_store(None)
            close()

    return await _with_db(settings, with_content)


def _fail(exc: Exception) -> int:
    from app.errors import CoursewireError

    if isinstance(exc, CoursewireError):
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(f"error: {exc}", file=sys.stderr)  # e.g. the embedded content store is in use
    return 1


def cmd_import_course(args: argparse.Namespace, settings: Settings) -> int:
    from app.content.service import import_course_folder
    from app.errors import CoursewireError
    from content_store.progress import rich_progress
    from models.users import User

    async def run() -> Any:
        instructor = None
        if args.instructor:
            instructor = await User.get_or_none(email=args.instructor.strip().lower())
            if instructor is None:
                raise CoursewireError(f"No account {args.instructor}; create it first "
                                      "(coursewire createuser).")
        with rich_progress() as progress:
            return await import_course_folder(None, args.path, course_id=args.course_id,
                                              publish=args.publish, instructor=instructor,
                                              progress=progress)

    try:
        result = asyncio.run(_with_stores(settings, run))
    except (CoursewireError, RuntimeError) as exc:
        return _fail(exc)
    state = (f"published version {result.published_version}" if args.publish
             else "not published yet (use --publish, or the Publish button)")
    print(f"Imported {result.course_id} ({result.title}): draft version "
          f"{result.draft_version}, {state}.")
    return 0


def cmd_export_course(args: argparse.Namespace, settings: Settings) -> int:
    from app.content.connect import current_store
    from app.errors import CoursewireError
    from content_store.course_folder import export_course
    from content_store.progress import rich_progress

    async def run() -> list[str]:
        with rich_progress() as progress:
            return await export_course(current_store(), args.course_id, args.path, progress,
                                       branch=args.branch, overwrite=args.overwrite)

    try:
        files = asyncio.run(_with_stores(settings, run))
    except (CoursewireError, FileExistsError, RuntimeError) as exc:
        return _fail(exc)
    print(f"Wrote {len(files)} files of the {args.branch} of {args.course_id} to {args.path}.")
    return 0


def cmd_prune_versions(args: argparse.Namespace, settings: Settings) -> int:
    from app.content.connect import current_store
    from app.errors import CoursewireError
    from content_store.pruning import prune_versions

    if args.keep < 0:
        print("error: --keep must be 0 or more", file=sys.stderr)
        return 2

    async def run() -> Any:
        return await prune_versions(current_store(), args.course_id, keep=args.keep,
                                    dry_run=args.dry_run)

    try:
        report = asyncio.run(_with_stores(settings, run))
    except (CoursewireError, RuntimeError) as exc:
        return _fail(exc)
    verb = "Would delete" if args.dry_run else "Deleted"
    print(f"{verb} {report.structures_deleted} old versions and {report.definitions_deleted} "
          f"unused definitions of {args.course_id}, {report.bytes_reclaimed:,} bytes.")
    return 0


def cmd_rerun_course(args: argparse.Namespace, settings: Settings) -> int:
    from app.content.service import rerun_course
    from app.errors import CoursewireError

    try:
        result = asyncio.run(_with_stores(settings, lambda: rerun_course(args.source,
                                                                         args.new_run)))
    except (CoursewireError, RuntimeError) as exc:
        return _fail(exc)
    state = (f"published version {result.published_version}" if result.published_version
             else "nothing published yet")
    print(f"Created {result.course_id} ({result.title}) from {args.source}: draft version "
          f"{result.draft_version}, {state}.")
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from app.db import migrate

    asyncio.run(migrate(settings))
    print(f"Database is up to date ({settings.database_url.split('://')[0]}).")
    return 0


def cmd_createuser(args: argparse.Namespace, settings: Settings) -> int:
    from app.accounts.service import register_user
    from app.errors import CoursewireError

    password = args.password
    if password == "-":
        password = sys.stdin.readline().rstrip("\n")
    elif password is None:
        password = getpass.getpass("Password: ")
    try:
        user = asyncio.run(_with_db(settings, lambda: register_user(
            args.email, password, args.name, is_admin=args.admin,
            can_create_courses=args.course_creator)))
    except CoursewireError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        print(f"error: {exc.message} {details}".strip(), file=sys.stderr)
        return 2
    flags = [f for f, on in (("admin", user.is_admin), ("course creator",
                                                         user.can_create_courses)) if on]
    print(f"Created user {user.id} {user.email}" + (f" ({', '.join(flags)})" if flags else ""))
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
    from app.db import migrate
    from app.demo import seed_demo

    asyncio.run(migrate(settings))
    seeded = asyncio.run(_with_stores(settings, seed_demo))
    if args.seed_only:
        print(json.dumps(seeded))
        return 0
    print(f"\nCoursewire demo: http://{args.host}:{args.port}/  (course {seeded['course_id']})")
    for u in seeded["users"]:
        print(f"  {u['role']:<10} {u['email']:<32} password: {u['password']}")
    print()
    return cmd_serve(args, settings)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    import logging

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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(run_worker(settings, args.concurrency))
    return 0


def cmd_export_grades(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from app.errors import CoursewireError
    from grading.gradebook import export_grades

    async def run() -> int:
        with Progress() as bar:
            task = bar.add_task("Grading students", total=None)

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return await export_grades(args.course_id, args.path, tick)

    try:
        rows = asyncio.run(_with_stores(settings, run))
    except (CoursewireError, OSError, RuntimeError) as exc:
        return _fail(exc)
    print(f"Wrote grades of {rows} students in {args.course_id} to {args.path}.")
    return 0


def _add_server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", choices=["daphne", "uvicorn"], default="daphne",
                   help="ASGI server (default: daphne; uvicorn uses uvloop + httptools)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coursewire", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("serve", help="run the web server",
                       description="Serve Coursewire (HTTP + websockets) from asgi:application. "
                                   "Run `coursewire migrate` first.")
    _add_server_options(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="migrate, seed a demo course, print logins, serve",
                       description="Set up a demo on the configured stores (embedded by "
                                   "default): apply migrations, create a demo course with an "
                                   "instructor, a TA and students, import and publish its "
                                   "content from content_store/demo_course (only if it has "
                                   "none published yet, so browser edits survive), print "
                                   "the logins and serve. Idempotent.")
    _add_server_options(p)
    p.add_argument("--seed-only", action="store_true",
                   help='seed and exit, printing {"course_id", "users": [...]} as JSON')
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser(
        "import-course", help="import a course folder (YAML + Markdown) as a new draft",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Import a course folder (see content_store/FORMAT.md) into a new draft "
                    "version of its course.\n\nThe course id comes from course.yaml "
                    "(org, number, run); the course is created if it does not\nexist. "
                    "Nothing is written unless the whole folder is valid; errors name the "
                    "file and\nline. Importing an unchanged folder writes nothing.\n\n"
                    "Examples:\n"
                    "  coursewire import-course content_store/demo_course --publish\n"
                    "  coursewire import-course ./py101 --course-id "
                    "course-v1:Coursewire+PY101+2026 \\\n"
                    "      --instructor grace@example.org\n\n"
                    "With the embedded content store (no MONGO_URL), stop `coursewire serve` "
                    "first: only one\nprocess at a time may open it.")
    p.add_argument("path", help="the course folder (holding course.yaml)")
    p.add_argument("--course-id", help="check that the folder is this course "
                                       "(course-v1:ORG+NUMBER+RUN)")
    p.add_argument("--publish", action="store_true", help="publish the imported draft too")
    p.add_argument("--instructor", metavar="EMAIL",
                   help="make this account an instructor of the course")
    p.set_defaults(func=cmd_import_course)

    p = sub.add_parser(
        "export-course", help="write a course's content as a course folder",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Write a course as a folder of YAML and Markdown files, the format "
                    "import-course reads.\nExporting twice gives byte-identical files, and "
                    "importing an export gives back the same course.\n\n"
                    "Example:\n  coursewire export-course course-v1:Coursewire+PY101+2026 "
                    "./py101")
    p.add_argument("course_id", metavar="COURSE_ID", help="course-v1:ORG+NUMBER+RUN")
    p.add_argument("path", help="folder to write (must be empty or missing unless "
                                "--overwrite)")
    p.add_argument("--branch", choices=["draft", "published"], default="draft",
                   help="which version to export (default: draft)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the folder's contents (hidden entries such as .git stay)")
    p.set_defaults(func=cmd_export_course)

    p = sub.add_parser(
        "prune-versions", help="delete old versions of a course's content",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Every edit keeps the previous version, so history and revert work. "
                    "This deletes\nversions more than --keep edits behind the draft and "
                    "published heads (of this course and\nits reruns), and content no "
                    "remaining version uses. Versions from the last 10 minutes are\n"
                    "always kept. History shows \"earlier versions were pruned\" "
                    "where it ends.\n\n"
                    "Example:\n  coursewire prune-versions course-v1:Coursewire+PY101+2026 "
                    "--keep 50 --dry-run")
    p.add_argument("course_id", metavar="COURSE_ID", help="course-v1:ORG+NUMBER+RUN")
    p.add_argument("--keep", type=int, default=20,
                   help="versions to keep behind each branch head (default 20)")
    p.add_argument("--dry-run", action="store_true",
                   help="only report what would be deleted")
    p.set_defaults(func=cmd_prune_versions)

    p = sub.add_parser(
        "rerun-course", help="start a new run of a course with its content",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Create a new run of a course (same org and number) whose draft and "
                    "published content\nstart as the source's. Nothing is copied: both runs "
                    "share the same versions until\none of them is edited. The new run gets "
                    "the course title and its instructors, no\nstudents.\n\n"
                    "Example:\n  coursewire rerun-course course-v1:Coursewire+PY101+2026 2027")
    p.add_argument("source", metavar="SOURCE_COURSE_ID", help="course-v1:ORG+NUMBER+RUN")
    p.add_argument("new_run", metavar="NEW_RUN", help="the new run's name, e.g. 2027")
    p.set_defaults(func=cmd_rerun_course)

    p = sub.add_parser("migrate", help="apply database migrations",
                       description="Apply the checked-in migrations (models/*migrations) to "
                                   "DATABASE_URL: SQLite by default, PostgreSQL when it is a "
                                   "postgres:// URL. Safe to run again: applied migrations are "
                                   "recorded and skipped. `coursewire demo` runs this itself.")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("createuser", help="create an account",
                       description="Create an account. Example: coursewire createuser "
                                   "ada@example.org --name 'Ada L' --password - --admin")
    p.add_argument("email")
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--password", help="the password, or '-' to read one line from stdin "
                                      "(prompted if omitted)")
    p.add_argument("--admin", action="store_true", help="site administrator")
    p.add_argument("--course-creator", action="store_true", help="may create courses")
    p.set_defaults(func=cmd_createuser)
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
    p.set_defaults(func=cmd_worker)

    p = sub.add_parser("export-grades", help="write a course's gradebook as CSV",
                       description="Write every student's grades (course %, pass, each "
                                   "assignment type, each section, each block) to a CSV file, "
                                   "with a progress bar. Example: coursewire export-grades "
                                   "'course-v1:Coursewire+PY101+2026' grades.csv")
    p.add_argument("course_id")
    p.add_argument("path", help="the CSV file to write")
    p.set_defaults(func=cmd_export_grades)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args, load_settings())


if __name__ == "__main__":
    sys.exit(main())
