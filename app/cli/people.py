"""Commands on people and their work: createuser, export-grades."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

from app.cli.stores import fail, with_db, with_stores
from core.settings import Settings


def cmd_createuser(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.service import register_user
    from core.errors import CoursewireError

    password = args.password
    if password == "-":
        password = sys.stdin.readline().rstrip("\n")
    elif password is None:
        password = getpass.getpass("Password: ")
    try:
        user = asyncio.run(with_db(settings, lambda: register_user(
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


def cmd_export_grades(args: argparse.Namespace, settings: Settings) -> int:
    from rich.progress import Progress

    from core.errors import CoursewireError
    from grading.gradebook import export_grades

    async def run() -> int:
        with Progress() as bar:
            task = bar.add_task("Grading students", total=None)

            def tick(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            return await export_grades(args.course_id, args.path, tick)

    try:
        rows = asyncio.run(with_stores(settings, run))
    except (CoursewireError, OSError, RuntimeError) as exc:
        return fail(exc)
    print(f"Wrote grades of {rows} students in {args.course_id} to {args.path}.")
    return 0


def add_commands(sub: Any) -> None:
    """Add the commands on people and their grades to the `coursewire` parser's subcommands."""
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

    p = sub.add_parser("export-grades", help="write a course's gradebook as CSV",
                       description="Write every student's grades (course %, pass, each "
                                   "assignment type, each section, each block) to a CSV file, "
                                   "with a progress bar. Example: coursewire export-grades "
                                   "'course-v1:Coursewire+PY101+2026' grades.csv")
    p.add_argument("course_id")
    p.add_argument("path", help="the CSV file to write")
    p.set_defaults(func=cmd_export_grades)
