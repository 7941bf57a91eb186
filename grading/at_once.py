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

from core.context import RuntimeValue
from grading.course_blocks import GradedBlock


class AtOnce:
    """This process's switch and its running jobs; the Runtime holds one (`AT_ONCE`)."""

    def __init__(self, enabled: bool, concurrency: int = 4) -> None:
        self.enabled = enabled
        self.tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(max(1, concurrency)) if enabled else None

    def start(self, job: Callable[[], Coroutine[Any, Any, None]]) -> None:
        task = asyncio.create_task(_limited(job, self._slots), name="grade-at-once")
        self.tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self.tasks.discard)

    async def finish(self, seconds: float) -> None:
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=seconds)


# Bound by grading.worker.start_grading and held by the Runtime (grading.install).
AT_ONCE: RuntimeValue[AtOnce] = RuntimeValue("grading at once")


def grade_at_once(enabled: bool, concurrency: int = 4) -> AtOnce:
    """Wiring: grade built-in problem answers in this process right after they commit,
    at most `concurrency` at a time (like the queue's consumers)."""
    switch = AtOnce(enabled, concurrency)
    AT_ONCE.bind(switch)
    return switch


def applies_to(block: GradedBlock) -> bool:
    switch = AT_ONCE.peek()
    return (switch is not None and switch.enabled and block.type == "problem"
            and not block.grader_url)


def start(job: Callable[[], Coroutine[Any, Any, None]]) -> None:
    """Run `job()` in the background, after any already started beyond the limit."""
    AT_ONCE.get().start(job)


def running() -> set[asyncio.Task[None]]:
    switch = AT_ONCE.peek()
    return set(switch.tasks) if switch is not None else set()


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
    switch = AT_ONCE.peek()
    if switch is not None:
        await switch.finish(seconds)
