"""A rich progress bar for course import/export, for the CLI.

::

    with rich_progress() as progress:
        version = await import_course(store, path, user, progress=progress)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from content_store.course_folder import Progress as ProgressCallback


@contextmanager
def rich_progress(console: Console | None = None) -> Iterator[ProgressCallback]:
    """Yield a ``progress(done, total, message)`` callback drawing one bar per stage."""
    bars = Progress(TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(),
                    console=console, transient=False)
    tasks: dict[str, TaskID] = {}

    def update(done: int, total: int, message: str) -> None:
        if message not in tasks:
            tasks[message] = bars.add_task(message, total=total)
        bars.update(tasks[message], completed=done, total=total)

    with bars:
        yield update
