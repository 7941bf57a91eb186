"""Wiring for grading: which queue this process uses and whether it consumes it.

- No REDIS_URL (embedded): an in-process asyncio queue, consumed in the web process.
- REDIS_URL: the Redis stream queue. Separate `coursewire worker` processes consume it
  when MONGO_URL is set too. With the embedded content store (no MONGO_URL), only one
  process can read course content, so the web process consumes the Redis queue itself.
COURSEWIRE_GRADING_IN_APP=0/1 overrides that choice.
Either way the job is grading.grade_job.grade_submission and the sweeper runs beside it.
A process that consumes also grades built-in problem answers submitted to it right after
their commit, without the queue (grading.at_once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from content_store.connect import STORE, open_content_store
from core.settings import Settings
from grading import at_once
from grading.grade_job import grade_submission
from grading.queue import (
    QUEUE,
    STOP_GRACE_SECONDS,
    GradingQueue,
    InProcessQueue,
    JobsInHand,
    RedisStreamQueue,
)
from grading.sandbox import SandboxUnavailable, default_sandbox
from grading.sweeper import run_sweeper
from models.db import close_db, init_db
from realtime.layer import make_channel_layer
from realtime.relay import Relay

log = logging.getLogger("coursewire.grading.worker")

DEFAULT_CONCURRENCY = 4


class GradingRuntime:
    def __init__(self, queue: GradingQueue, tasks: list[asyncio.Task[None]],
                 checks: list[asyncio.Task[None]] | None = None,
                 switch: at_once.AtOnce | None = None,
                 jobs: JobsInHand | None = None) -> None:
        self.queue = queue
        self.tasks = tasks
        # The graders' jobs in hand, and their grace (not `jobs or`: none in hand is falsy).
        self.jobs = jobs if jobs is not None else JobsInHand()
        self.checks = checks or []
        self.at_once = switch  # grading right after the submit (grading.at_once)

    @property
    def consuming(self) -> bool:
        return bool(self.tasks)

    async def stop(self) -> None:
        """Stop grading: take no more jobs, let those in hand finish for up to `grace`
        seconds and cancel the rest (unacknowledged, so graded again later), then close
        the queue. The jobs use the database: close it only after this."""
        for check in self.checks:
            check.cancel()
        if self.at_once is not None:
            self.at_once.enabled = False
            await self.at_once.finish(seconds=2.0)
        for task in self.tasks:
            task.cancel()
        if self.tasks:
            if self.jobs:
                log.info("stopping: %d grading jobs in hand, %g s to finish",
                         len(self.jobs), self.jobs.grace)
            # The jobs in hand end here, whatever the graders' loop is doing (it may sit
            # on a cancelled blocking XREADGROUP): they use the database, closed after
            # this returns, and acknowledge through the queue's connections, closed next.
            await self.jobs.end()
            # Should the loop still not have ended, closing the connections ends it.
            _, pending = await asyncio.wait(self.tasks, timeout=self.jobs.unwind)
            QUEUE.bind(None)
            await self.queue.close()
            if pending:
                await asyncio.wait(pending, timeout=2.0)
            for task in self.tasks:
                if task.done() and not task.cancelled() and task.exception():
                    log.warning("grading task %s ended with %r", task.get_name(),
                                task.exception())
        else:
            QUEUE.bind(None)
            await self.queue.close()


def grades_in_app(settings: Settings) -> bool:
    if settings.grading_in_app in {"0", "1"}:
        return settings.grading_in_app == "1"
    return not (settings.redis_url and settings.mongo_url)


def open_queue(settings: Settings) -> GradingQueue:
    if settings.redis_url:
        return RedisStreamQueue(settings.redis_url, settings.redis_prefix,
                                claim_after=settings.grading_stale_seconds)
    return InProcessQueue()


async def start_grading(settings: Settings, *, consume: bool,
                        concurrency: int = DEFAULT_CONCURRENCY,
                        grace: float = STOP_GRACE_SECONDS) -> GradingRuntime:
    """Open this process's queue (bound here for the tasks started here; the Runtime holds
    it too); with `consume`, also run graders and the sweeper. At stop the jobs in hand
    get `grace` seconds (GradingRuntime.stop)."""
    queue = open_queue(settings)
    QUEUE.bind(queue)
    tasks: list[asyncio.Task[None]] = []
    checks: list[asyncio.Task[None]] = []
    jobs = JobsInHand(grace)
    # A process that grades also grades built-in problem answers right after their submit.
    switch = at_once.grade_at_once(consume, concurrency)
    if consume:
        tasks = [
            asyncio.create_task(queue.run(grade_submission, concurrency, jobs),
                                name="graders"),
            asyncio.create_task(run_sweeper(queue, settings.grading_stale_seconds,
                                            settings.grading_sweep_seconds), name="sweeper"),
        ]
        checks = [asyncio.create_task(check_code_sandbox(), name="sandbox check")]
    return GradingRuntime(queue, tasks, checks, switch, jobs)


async def check_code_sandbox() -> None:
    """Say at start-up, to the admin, when code exercises cannot be graded here."""
    try:
        sandbox = await default_sandbox()
    except SandboxUnavailable as exc:
        log.error("code exercises will end in error, not be graded: %s", exc)
        return
    log.info("code exercises run in %s", sandbox.describe())


async def run_worker(settings: Settings, concurrency: int,
                     grace: float = STOP_GRACE_SECONDS) -> None:
    """`coursewire worker`: grade jobs from Redis until SIGINT/SIGTERM.

    Then it takes no more jobs, lets those in hand finish for up to `grace` seconds and
    cancels the rest, which stay unacknowledged (another worker claims them, as if this
    one had died); only after that does it close the database and its connections.

    The caller binds an unstarted Runtime first (app.cli.server: every package installed,
    so the block types, templates, limits, external-grader settings and outbound policy
    are bound); this opens the stores and the relay, which only a started Runtime has."""
    await init_db(settings)
    store, close_store = await open_content_store(settings)
    STORE.bind(store)
    layer = make_channel_layer(settings.redis_url, settings.redis_prefix)
    relay = Relay(layer, retention_days=settings.event_retention_days)
    await relay.start()
    runtime = await start_grading(settings, consume=True, concurrency=concurrency,
                                  grace=grace)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    log.info("grading worker started (concurrency %d)", concurrency)
    try:
        done, _ = await asyncio.wait([asyncio.create_task(stop.wait()), *runtime.tasks],
                                     return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task in runtime.tasks and task.exception():
                raise task.exception()  # type: ignore[misc]
    finally:
        await runtime.stop()
        await relay.stop()
        if hasattr(layer, "close_pools"):
            await layer.close_pools()
        STORE.bind(None)
        close_store()
        await close_db()
