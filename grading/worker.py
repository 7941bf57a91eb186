"""Wiring for grading: which queue this process uses and whether it consumes it.

- No REDIS_URL (embedded): an in-process asyncio queue, consumed in the web process.
- REDIS_URL: the Redis stream queue. Separate `coursewire worker` processes consume it
  when MONGO_URL is set too. With the embedded content store (no MONGO_URL), only one
  process can read course content, so the web process consumes the Redis queue itself.
COURSEWIRE_GRADING_IN_APP=0/1 overrides that choice.
Either way the job is grading.service.grade_submission and the sweeper runs beside it.
A process that consumes also grades built-in problem answers submitted to it right after
their commit, without the queue (grading.at_once).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from app.settings import Settings
from grading import at_once, external, limits
from grading.queue import GradingQueue, InProcessQueue, RedisStreamQueue, use_queue
from grading.service import grade_submission
from grading.sweeper import run_sweeper

log = logging.getLogger("coursewire.grading.worker")

DEFAULT_CONCURRENCY = 4


class GradingRuntime:
    def __init__(self, queue: GradingQueue, tasks: list[asyncio.Task[None]]) -> None:
        self.queue = queue
        self.tasks = tasks

    @property
    def consuming(self) -> bool:
        return bool(self.tasks)

    async def stop(self) -> None:
        at_once.grade_at_once(False)
        await at_once.finish(seconds=2.0)
        for task in self.tasks:
            task.cancel()
        # redis-py can sit on a cancelled blocking XREADGROUP; closing the connections
        # ends it, so wait briefly, close, then wait again.
        if self.tasks:
            _, pending = await asyncio.wait(self.tasks, timeout=1.0)
            use_queue(None)
            await self.queue.close()
            if pending:
                await asyncio.wait(pending, timeout=2.0)
            for task in self.tasks:
                if task.done() and not task.cancelled() and task.exception():
                    log.warning("grading task %s ended with %r", task.get_name(),
                                task.exception())
        else:
            use_queue(None)
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
                        concurrency: int = DEFAULT_CONCURRENCY) -> GradingRuntime:
    """Open this process's queue; with `consume`, also run graders and the sweeper."""
    external.use_settings(settings)
    limits.use_settings(settings)
    queue = open_queue(settings)
    use_queue(queue)
    tasks: list[asyncio.Task[None]] = []
    # A process that grades also grades built-in problem answers right after their submit.
    at_once.grade_at_once(consume, concurrency)
    if consume:
        tasks = [
            asyncio.create_task(queue.run(grade_submission, concurrency), name="graders"),
            asyncio.create_task(run_sweeper(queue, settings.grading_stale_seconds,
                                            settings.grading_sweep_seconds), name="sweeper"),
        ]
    return GradingRuntime(queue, tasks)


async def run_worker(settings: Settings, concurrency: int) -> None:
    """`coursewire worker`: grade jobs from Redis until SIGINT/SIGTERM."""
    from app.content.connect import open_content_store, use_store
    from app.db import close_db, init_db
    from realtime.layer import make_channel_layer
    from realtime.publish import use_layer

    await init_db(settings)
    store, close_store = await open_content_store(settings)
    use_store(store)
    layer = make_channel_layer(settings.redis_url, settings.redis_prefix)
    use_layer(layer)
    runtime = await start_grading(settings, consume=True, concurrency=concurrency)
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
        use_layer(None)
        if hasattr(layer, "close_pools"):
            await layer.close_pools()
        use_store(None)
        close_store()
        await close_db()
