"""Run one judged run (the student's process and the judge's) asynchronously, within bounds.

The event loop is never blocked: both children are asyncio subprocesses, and their
output and the judge's report pipe are read by tasks that stop keeping bytes past a
cap and kill the run when the cap is exceeded. The two children are joined by two
pipes (requests, replies) made here; the student's process has no other fd to the
judge or to us than its stdout/stderr, which we only count.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

OUTPUT_HEAD_BYTES = 4096
# After the child exits, how long to wait for its pipes to drain. A grandchild that
# escaped the kill could hold them open forever; we do not wait for it.
DRAIN_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class ProcessOutcome:
    """What happened to one run, as the host saw it: how the student's process ended,
    what it printed, and the judge's report."""

    returncode: int | None
    timed_out: bool
    output_exceeded: bool
    report_exceeded: bool
    report: bytes
    output_head: bytes
    output_bytes: int
    wall_s: float
    judge_returncode: int | None = None
    judge_output_head: bytes = b""

    @property
    def signal(self) -> int | None:
        """The signal that ended the run, if any (bwrap reports it as 128 + n)."""
        rc = self.returncode
        if rc is None:
            return None
        if rc < 0:
            return -rc
        if 128 < rc < 128 + 65:
            return rc - 128
        return None


@dataclass
class _Capped:
    limit: int
    keep: int
    data: bytearray
    total: int = 0
    exceeded: bool = False


@dataclass(frozen=True)
class Child:
    """How to start one side: its argv, its environment and what it does before exec."""

    argv: list[str]
    env: dict[str, str]
    preexec: Callable[[], None]


async def run_judged(
    student: Child,
    judge: Child,
    *,
    job: dict[str, object],
    cwd: str,
    wall_s: float,
    output_limit: int,
    report_limit: int,
) -> ProcessOutcome:
    """Start both; the student's process gets the request pipe as stdin and the reply
    fd's number as its last argument; the judge gets `job` (plus its three fds) as JSON
    on stdin. Ends when the judge exits or `wall_s` passes; neither outlives this."""
    # Our own pipes, not asyncio's: asyncio's Process.wait() also waits for its pipes
    # to close, and a grandchild holding stdout would stall us until the wall limit.
    call_r, call_w = os.pipe()
    reply_r, reply_w = os.pipe()
    report_r, report_w = os.pipe()
    output_r, output_w = os.pipe()
    judge_out_r, judge_out_w = os.pipe()
    theirs = (call_r, call_w, reply_r, reply_w, report_w, output_w, judge_out_w)
    ours = (report_r, output_r, judge_out_r)
    started = time.monotonic()
    procs: list[asyncio.subprocess.Process] = []
    try:
        procs.append(await asyncio.create_subprocess_exec(
            *student.argv, str(reply_w), stdin=call_r, stdout=output_w, stderr=output_w,
            cwd=cwd, env=student.env, preexec_fn=student.preexec, pass_fds=(reply_w,),
            start_new_session=True))
        procs.append(await asyncio.create_subprocess_exec(
            *judge.argv, stdin=asyncio.subprocess.PIPE, stdout=judge_out_w,
            stderr=judge_out_w, cwd=cwd, env=judge.env, preexec_fn=judge.preexec,
            pass_fds=(call_w, reply_r, report_w), start_new_session=True))
    except BaseException:
        for proc in procs:
            _kill(proc)
            await proc.wait()
        for fd in ours:
            os.close(fd)
        raise
    finally:
        for fd in theirs:
            os.close(fd)
    student_proc, judge_proc = procs
    fds = {"report_fd": report_w, "call_fd": call_w, "reply_fd": reply_r}
    stdin_data = json.dumps({**job, **fds}).encode()
    output = _Capped(output_limit, OUTPUT_HEAD_BYTES, bytearray())
    judge_output = _Capped(output_limit, OUTPUT_HEAD_BYTES, bytearray())
    report = _Capped(report_limit, report_limit, bytearray())

    def kill_all() -> None:
        _kill(student_proc)
        _kill(judge_proc)

    assert judge_proc.stdin is not None
    tasks = [
        # Too much output from the student: stop their process; the judge then
        # reports the tests it finished and stops.
        asyncio.ensure_future(_read_capped(output_r, output, lambda: _kill(student_proc))),
        asyncio.ensure_future(_read_capped(judge_out_r, judge_output, kill_all)),
        asyncio.ensure_future(_read_capped(report_r, report, kill_all)),
        asyncio.ensure_future(_feed(judge_proc.stdin, stdin_data)),
    ]
    timed_out = False
    try:
        await asyncio.wait_for(judge_proc.wait(), timeout=wall_s)
    except TimeoutError:
        timed_out = True
    finally:
        kill_all()  # also when cancelled: never leave a student process running
        await asyncio.shield(asyncio.gather(student_proc.wait(), judge_proc.wait()))
        _, pending = await asyncio.wait(tasks, timeout=DRAIN_TIMEOUT_S)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return ProcessOutcome(
        returncode=student_proc.returncode,
        timed_out=timed_out,
        output_exceeded=output.exceeded,
        report_exceeded=report.exceeded,
        report=bytes(report.data),
        output_head=bytes(output.data),
        output_bytes=output.total,
        wall_s=time.monotonic() - started,
        judge_returncode=judge_proc.returncode,
        judge_output_head=bytes(judge_output.data),
    )


def _kill(proc: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


async def _feed(stdin: asyncio.StreamWriter, data: bytes) -> None:
    # The child may die (or never start the runner) without reading its stdin.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        stdin.write(data)
        await stdin.drain()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        stdin.close()


async def _read_capped(fd: int, sink: _Capped, kill: Callable[[], None]) -> None:
    """Read a pipe to EOF, keeping `sink.keep` bytes; past `sink.limit`, kill the run."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=64 * 1024)
    pipe = os.fdopen(fd, "rb", buffering=0)
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    try:
        while chunk := await reader.read(64 * 1024):
            sink.total += len(chunk)
            room = sink.keep - len(sink.data)
            if room > 0:
                sink.data += chunk[:room]
            if sink.total > sink.limit and not sink.exceeded:
                sink.exceeded = True
                kill()  # and keep draining, so nothing blocks on a full pipe
    finally:
        transport.close()
