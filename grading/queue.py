"""The grading job queue: a job is a submission id; delivery is at least once.

Two implementations behind one interface, picked by the wiring (grading.worker):

- `RedisStreamQueue`: a Redis stream with a consumer group. A job is acknowledged only
  after its handler returns, so a worker that dies mid-job leaves it pending, and another
  worker claims it (XAUTOCLAIM) once it has been idle for `claim_after` seconds.
  Delayed jobs (retries with backoff) wait in a sorted set scored by due time; every
  consuming worker moves due ones to the stream (one Lua script, so exactly one mover).
- `InProcessQueue`: an asyncio queue for the embedded single-process mode. A job lost
  with the process is still a `queued`/`grading` row, and the sweeper re-enqueues it.
  Delayed jobs wait on the event loop's timer.

A delayed job holds no worker slot while it waits: that is the point of `delay`.

Each job a consumer takes runs in its own task (`JobsInHand`), so stopping the consumer
stops the taking without cutting the jobs short: they get a grace period, and only those
still running after it are cancelled, unacknowledged, to be graded again. Whoever stops
the consumer ends its jobs itself (`JobsInHand.end`), whether or not the taking loop has
ended: a loop in a Redis read may take its cancellation late, or not at all (the stop
used to wait for the loop, time out, and close the database under running jobs: "pool
is closing" at the end of a load test), and the jobs must be over before their database
closes.

Why not taskiq: one job type, and the semantics we need (ack after commit, reclaim of
idle pending jobs, our own `coursewire worker` process and an in-process twin running
the same handler) are ~150 lines on redis-py; taskiq adds a global broker with
decorated tasks, its own worker CLI and result backends we would not use.
Handlers must be idempotent (grading.grade_job.grade_submission is).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from redis.exceptions import RedisError, ResponseError

from core.context import RuntimeValue

log = logging.getLogger("coursewire.grading.queue")

Handler = Callable[[int], Awaitable[None]]

# A worker's default, at stop: how long the jobs in hand may take to finish before they
# are cancelled (`coursewire worker --grace`) ...
STOP_GRACE_SECONDS = 5.0
# ... and how long the cancelled ones may take to unwind (roll back their transactions).
UNWIND_SECONDS = 5.0


class GradingQueue(Protocol):
    async def enqueue(self, submission_id: int, delay: float = 0.0) -> None:
        """Put a job on the queue, runnable now or after `delay` seconds."""
        ...

    async def run(self, handler: Handler, concurrency: int,
                  jobs: JobsInHand | None = None) -> None:
        """Consume jobs until cancelled or `jobs` stops taking, at most `concurrency` at a
        time, each run by `jobs` (its own if none). Cancelled, it takes no more and ends
        the jobs in hand (`JobsInHand.end`)."""
        ...

    async def close(self) -> None: ...


# Bound by app.runtime or `coursewire worker` (grading.worker.start_grading opens it).
QUEUE: RuntimeValue[GradingQueue] = RuntimeValue("grading queue")


def current_queue() -> GradingQueue:
    return QUEUE.get()


class JobsInHand:
    """The jobs a consumer has taken and not finished, each running in its own task; at
    stop they get `grace` seconds to finish."""

    def __init__(self, grace: float = 0.0, unwind: float = UNWIND_SECONDS) -> None:
        self.grace = grace
        self.unwind = unwind  # how long cancelled jobs may take to roll back
        self.taking = True  # False once stopping: the consumer takes no more
        self._tasks: set[asyncio.Task[None]] = set()
        self._ending: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._tasks)

    def start(self, job: Coroutine[Any, Any, None]) -> bool:
        """Run `job` in its own task; False (and it is closed, never run) once stopping:
        the consumer leaves the job unacknowledged, to be taken again."""
        if not self.taking:
            job.close()
            return False
        task = asyncio.create_task(job)
        self._tasks.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._tasks.discard)
        return True

    async def end(self) -> None:
        """Take no more; give the jobs `grace` seconds to finish, then cancel the rest and
        wait up to `unwind` seconds for them to unwind. A cancelled job is not
        acknowledged: it is graded again later (claimed from the stream, or swept), as if
        this process had died. Any number of callers may wait for it, at once or later:
        it happens once."""
        self.taking = False
        if self._ending is None:
            self._ending = asyncio.ensure_future(self._end())
        await asyncio.shield(self._ending)

    async def _end(self) -> None:
        late = set(self._tasks)
        if late and self.grace > 0:
            _, late = await asyncio.wait(late, timeout=self.grace)
        for task in late:
            task.cancel()
        if late:
            _, stuck = await asyncio.wait(late, timeout=self.unwind)
            log.warning("stopping: %d grading jobs still running after %g s were cancelled; "
                        "not acknowledged, they will be graded again", len(late), self.grace)
            if stuck:
                log.error("stopping: %d cancelled grading jobs had not ended %g s later",
                          len(stuck), self.unwind)


class InProcessQueue:
    def __init__(self) -> None:
        self._jobs: asyncio.Queue[int] = asyncio.Queue()
        self._timers: set[asyncio.TimerHandle] = set()
        self.processed = 0

    async def enqueue(self, submission_id: int, delay: float = 0.0) -> None:
        if delay <= 0:
            self._jobs.put_nowait(submission_id)
            return

        def due() -> None:
            self._timers.discard(timer)
            self._jobs.put_nowait(submission_id)

        timer = asyncio.get_running_loop().call_later(delay, due)
        self._timers.add(timer)

    def delayed(self) -> int:
        return len(self._timers)

    async def run(self, handler: Handler, concurrency: int,
                  jobs: JobsInHand | None = None) -> None:
        slots = asyncio.Semaphore(max(1, concurrency))
        in_hand = jobs if jobs is not None else JobsInHand()
        try:
            while in_hand.taking:
                await slots.acquire()
                submission_id = await self._jobs.get()
                if not in_hand.start(self._run_one(handler, submission_id, slots)):
                    self._jobs.put_nowait(submission_id)  # stopping: for the next run
                    self._jobs.task_done()
                    slots.release()
        finally:
            await in_hand.end()

    async def _run_one(self, handler: Handler, submission_id: int,
                       slots: asyncio.Semaphore) -> None:
        try:
            await handler(submission_id)
        except Exception:
            # Left queued/grading in the database: the sweeper retries it.
            log.exception("grading job for submission %s failed", submission_id)
        finally:
            slots.release()
            self.processed += 1
            self._jobs.task_done()

    def pending(self) -> int:
        return self._jobs.qsize()

    async def close(self) -> None:
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()


# Move due delayed jobs to the stream atomically: ZREM and XADD in one script, so two
# workers promoting at once never add a job twice.
_PROMOTE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('XADD', KEYS[2], '*', 'submission', id)
end
return #due
"""


class RedisStreamQueue:
    GROUP = "graders"

    def __init__(self, redis_url: str, prefix: str = "cw", *, claim_after: float = 600.0,
                 block_ms: int = 1000) -> None:
        import redis.asyncio as redis

        self.redis = redis.from_url(redis_url, decode_responses=True)
        self.stream = f"{prefix}:grading:jobs"
        self.delayed_key = f"{prefix}:grading:delayed"
        self._promote = self.redis.register_script(_PROMOTE)
        self.claim_after_ms = int(claim_after * 1000)
        self.block_ms = block_ms
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.processed = 0
        self._closing = False

    async def enqueue(self, submission_id: int, delay: float = 0.0) -> None:
        if delay <= 0:
            await self.redis.xadd(self.stream, {"submission": str(submission_id)})
            return
        await self.redis.zadd(self.delayed_key, {str(submission_id): time.time() + delay})

    async def promote_due(self, batch: int = 500) -> int:
        """Move delayed jobs whose time has come to the stream; returns how many."""
        return int(await self._promote(keys=[self.delayed_key, self.stream],
                                       args=[time.time(), batch]))

    async def delayed(self) -> int:
        return int(await self.redis.zcard(self.delayed_key))

    async def ensure_group(self) -> None:
        """Create the stream and its consumer group if either is missing."""
        try:
            await self.redis.xgroup_create(self.stream, self.GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def pending(self) -> int:
        """Jobs not yet acknowledged: waiting in the stream or being worked on."""
        return int(await self.redis.xlen(self.stream))

    async def run(self, handler: Handler, concurrency: int,
                  jobs: JobsInHand | None = None) -> None:
        await self.ensure_group()
        slots = asyncio.Semaphore(max(1, concurrency))
        in_hand = jobs if jobs is not None else JobsInHand()
        loop = asyncio.get_running_loop()
        next_claim = 0.0
        try:
            while in_hand.taking:
                await slots.acquire()
                slots.release()
                free = max(1, _free(slots))
                try:
                    messages, next_claim = await self._fetch(free, loop.time(), next_claim)
                except (RedisError, OSError) as exc:
                    if self._closing:
                        return
                    if _group_missing(exc):
                        # Redis restarted empty (or the key was deleted): the group went
                        # with the stream. Make both again; jobs lost with them are still
                        # `queued` rows, which the sweeper enqueues again.
                        log.warning("grading queue: %s; creating the stream and group", exc)
                        await self._recreate_group()
                        continue
                    # Redis restarting or unreachable: keep trying, never die silently.
                    log.warning("grading queue: %s; retrying in 1 s", exc)
                    await asyncio.sleep(1.0)
                    continue
                for message_id, body in messages:
                    if not body:  # deleted while pending
                        await self.redis.xack(self.stream, self.GROUP, message_id)
                        continue
                    await slots.acquire()
                    if not in_hand.start(self._run_one(handler, message_id, body, slots)):
                        slots.release()  # stopping: left pending, another worker claims it
        finally:
            await in_hand.end()

    async def _recreate_group(self) -> None:
        try:
            await self.ensure_group()
        except (RedisError, OSError) as exc:
            log.warning("grading queue: cannot create the group yet (%s); retrying in 1 s", exc)
            await asyncio.sleep(1.0)

    async def _fetch(self, free: int, now: float, next_claim: float
                     ) -> tuple[list[tuple[str, dict[str, str]]], float]:
        messages: list[tuple[str, dict[str, str]]] = []
        await self.promote_due()
        if now >= next_claim:
            # Jobs a dead (or stuck) worker took but never acknowledged.
            _, claimed, *_ = await self.redis.xautoclaim(
                self.stream, self.GROUP, self.consumer, self.claim_after_ms,
                start_id="0-0", count=free)
            messages.extend(claimed)
            next_claim = now + min(30.0, self.claim_after_ms / 4000)
        if not messages:
            answer = await self.redis.xreadgroup(
                self.GROUP, self.consumer, {self.stream: ">"}, count=free,
                block=self.block_ms)
            for _stream, entries in answer or []:
                messages.extend(entries)
        return messages, next_claim

    async def _run_one(self, handler: Handler, message_id: str, body: dict[str, str],
                       slots: asyncio.Semaphore) -> None:
        try:
            await handler(int(body["submission"]))
        except Exception:
            # Not acknowledged: another worker claims it after `claim_after`.
            log.exception("grading job %s (submission %s) failed", message_id,
                          body.get("submission"))
            return
        finally:
            slots.release()
        self.processed += 1
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.xack(self.stream, self.GROUP, message_id)
                pipe.xdel(self.stream, message_id)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            # The grade is committed; a job run again is harmless (grading is idempotent).
            log.warning("grading queue: could not acknowledge %s: %s", message_id, exc)

    async def close(self) -> None:
        self._closing = True
        await self.redis.connection_pool.disconnect(inuse_connections=True)
        await self.redis.aclose()


def _group_missing(exc: Exception) -> bool:
    # NOGROUP: the stream or group does not exist. UNBLOCKED: it was deleted while we
    # were blocked reading it (Redis 7).
    return isinstance(exc, ResponseError) and str(exc).startswith(("NOGROUP", "UNBLOCKED"))


def _free(slots: asyncio.Semaphore) -> int:
    return getattr(slots, "_value", 1)
