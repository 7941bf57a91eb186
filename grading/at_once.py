"""Grading right after the commit, in the submitting process, without the queue.

Multiple choice, checkboxes, numeric and text answers grade in microseconds with no I/O,
so in a process that grades (the wiring turns this on) they skip the queue round trip: a
task grades them as soon as the submit has committed, reusing the block and history the
submit read, and still moves them queued -> grading -> graded with an event each.

Nothing is lost: the row was committed `queued` with `enqueued_at`, so if this process
dies before recording a result, the sweeper re-enqueues it after `grading_stale_seconds`,
as it does a job a dead worker had taken; grading stays idempotent per submission.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from grading.course_blocks import GradedBlock

_enabled = False
_tasks: set[asyncio.Task[None]] = set()
_slots: asyncio.Semaphore | None = None


def grade_at_once(enabled: bool, concurrency: int = 4) -> None:
    """Wiring: grade built-in problem answers in this process right after they commit,
    at most `concurrency` at a time (like the queue's consumers)."""
    global _enabled, _slots
    _enabled = enabled
    _slots = asyncio.Semaphore(max(1, concurrency)) if enabled else None


def applies_to(block: GradedBlock) -> bool:
    return _enabled and block.type == "problem" and not block.grader_url


def start(job: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `job()` in the background, after any already started beyond the limit."""
    task = asyncio.create_task(_limited(job, _slots), name="grade-at-once")
    _tasks.add(task)  # the loop keeps only weak references to tasks
    task.add_done_callback(_tasks.discard)


async def _limited(job: Callable[[], Coroutine[Any, Any, None]],
                   slots: asyncio.Semaphore | None) -> None:
    # Unbounded, a burst of submits runs every grade at once and each waits behind the
    # others for database connections between its commit and its frame.
    if slots is None:
        await job()
        return
    async with slots:
        await job()


async def finish(seconds: float) -> None:
    """At shutdown: let started grading finish; the sweeper takes any that do not."""
    if _tasks:
        await asyncio.wait(set(_tasks), timeout=seconds)
