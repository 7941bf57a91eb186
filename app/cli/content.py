"""Commands on course content: import-course, export-course, prune-versions, rerun-course,
reconcile."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from app.cli.errors import CommandError
from app.cli.stores import fail, with_stores
from core.settings import Settings


def cmd_import_course(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.service import email_problem
    from content_store.progress import rich_progress
    from core.errors import CoursewireError
    from courseware.service import import_course_folder
    from models.users import User

    if not Path(args.path).is_dir():
        return fail(CommandError(f"{args.path}: no such folder (give the course folder, "
                                  "the one holding course.yaml).", 2))

    async def run() -> Any:
        instructor = None
        if args.instructor:
            instructor = (None if email_problem(args.instructor)
                          else await User.get_or_none(email=args.instructor.strip().lower()))
            if instructor is None:
                raise CoursewireError(f"No account {args.instructor}; create it first "
                                      "(coursewire createuser).")
        with rich_progress() as progress:
            return await import_course_folder(None, args.path, course_id=args.course_id,
                                              publish=args.publish, instructor=instructor,
                                              progress=progress)

    try:
        result = asyncio.run(with_stores(settings, run))
    except (CoursewireError, RuntimeError) as exc:
        return fail(exc)
    state = (f"published version {result.published_version}" if args.publish
             else "not published yet (use --publish, or the Publish button)")
    print(f"Imported {result.course_id} ({result.title}): draft version "
          f"{result.draft_version}, {state}.")
    return 0


def cmd_export_course(args: argparse.Namespace, settings: Settings) -> int:
    from content_store.connect import current_store
    from content_store.course_folder import export_course
    from content_store.progress import rich_progress
    from core.errors import CoursewireError

    async def run() -> list[str]:
        with rich_progress() as progress:
            return await export_course(current_store(), args.course_id, args.path, progress,
                                       branch=args.branch, overwrite=args.overwrite)

    target = Path(args.path)
    if not args.overwrite and target.is_dir() and any(target.iterdir()):
        return fail(CommandError(f"{args.path} is not empty; add --overwrite to replace its "
                                  "contents.", 2))
    try:
        files = asyncio.run(with_stores(settings, run))
    except (CoursewireError, FileExistsError, RuntimeError) as exc:
        return fail(exc)
    print(f"Wrote {len(files)} files of the {args.branch} of {args.course_id} to {args.path}.")
    return 0


def cmd_prune_versions(args: argparse.Namespace, settings: Settings) -> int:
    from content_store.connect import current_store
    from content_store.pruning import prune_versions
    from core.errors import CoursewireError

    if args.keep < 0:
        print("error: --keep must be 0 or more", file=sys.stderr)
        return 2

    async def run() -> Any:
        return await prune_versions(current_store(), args.course_id, keep=args.keep,
                                    dry_run=args.dry_run)

    try:
        report = asyncio.run(with_stores(settings, run))
    except (CoursewireError, RuntimeError) as exc:
        return fail(exc)
    verb = "Would delete" if args.dry_run else "Deleted"
    print(f"{verb} {report.structures_deleted} old versions and {report.definitions_deleted} "
          f"unused definitions of {args.course_id}, {report.bytes_reclaimed:,} bytes.")
    return 0


def cmd_rerun_course(args: argparse.Namespace, settings: Settings) -> int:
    from core.errors import CoursewireError
    from courseware.service import rerun_course

    try:
        result = asyncio.run(with_stores(settings, lambda: rerun_course(args.source,
                                                                         args.new_run)))
    except (CoursewireError, RuntimeError) as exc:
        return fail(exc)
    state = (f"published version {result.published_version}" if result.published_version
             else "nothing published yet")
    print(f"Created {result.course_id} ({result.title}) from {args.source}: draft version "
          f"{result.draft_version}, {state}.")
    return 0


def cmd_reconcile(args: argparse.Namespace, settings: Settings) -> int:
    from core.errors import CoursewireError
    from courseware.reconcile import reconcile_published

    try:
        done = asyncio.run(with_stores(settings, reconcile_published))
    except (CoursewireError, RuntimeError) as exc:
        return fail(exc)
    if not done:
        print("Every course's published content is announced; nothing to do.")
        return 0
    print(f"Announced the published content of {len(done)} courses whose events were "
          f"missing: {', '.join(done)}.")
    return 0


def add_commands(sub: Any) -> None:
    """Add the commands on course content to the `coursewire` parser's subcommands."""
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

    p = sub.add_parser(
        "reconcile", help="announce publishes whose live events were lost",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="A publish moves a course's published content in the content store, "
                    "then writes the\nevents that update open pages. If a process died in "
                    "between, this writes the missing\nevents (once, however many "
                    "processes run it). Every server does this at start-up and\nevery "
                    "30 seconds; run it by hand after a crash or a restore.\n\n"
                    "Example:\n  coursewire reconcile\n\n"
                    "With the embedded content store (no MONGO_URL), stop `coursewire serve` "
                    "first: only one\nprocess at a time may open it.")
    p.set_defaults(func=cmd_reconcile)
