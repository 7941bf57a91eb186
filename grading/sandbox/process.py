"""Run one sandboxed process asynchronously and collect what it did, within bounds.

The event loop is never blocked: the child is an asyncio subprocess, and its
output and report pipes are read by tasks that stop keeping bytes past a cap
and kill the run when the cap is exceeded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

OUTPUT_HEAD_BYTES = 4096
# After the child exits, how long to wait for its pipes to drain. A grandchild that
# escaped the kill could hold them open forever; we do not wait for it.
DRAIN_TIMEOUT_S = 0.5


@dataclass(frozen=True)
class ProcessOutcome:
    """What happened to one run, as the host saw it."""

    returncode: int | None
    timed_out: bool
    output_exceeded: bool
    report_exceeded: bool
    report: bytes
    output_head: bytes
    output_bytes: int
    wall_s: float

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


async def run_process(
    argv: list[str],
    *,
    job: dict[str, object],
    cwd: str,
    env: dict[str, str],
    preexec: Callable[[], None],
    wall_s: float,
    output_limit: int,
    report_limit: int,
    after_exit: Callable[[], Awaitable[None]] | None = None,
) -> ProcessOutcome:
    """Start `argv`, send `job` as JSON on stdin, read the report pipe, enforce bounds.

    The report pipe is passed as an extra fd; `job["report_fd"]` tells the child which.
    `after_exit` runs as soon as the process has exited (or been killed), before
    the pipes are drained: the place to kill anything it left behind.
    """
    # Our own pipes, not asyncio's: asyncio's Process.wait() also waits for its pipes
    # to close, and a grandchild holding stdout would stall us until the wall limit.
    report_r, report_w = os.pipe()
    output_r, output_w = os.pipe()
    started = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=output_w,
            stderr=output_w,
            cwd=cwd,
            env=env,
            preexec_fn=preexec,
            pass_fds=(report_w,),
            start_new_session=True,
        )
    except BaseException:
        os.close(report_r)
        os.close(output_r)
        raise
    finally:
        os.close(report_w)
        os.close(output_w)
    stdin_data = json.dumps({**job, "report_fd": report_w}).encode()
    output = _Capped(output_limit, OUTPUT_HEAD_BYTES, bytearray())
    report = _Capped(report_limit, report_limit, bytearray())

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()

    assert proc.stdin is not None
    tasks = [
        asyncio.ensure_future(_read_capped(output_r, output, kill)),
        asyncio.ensure_future(_read_capped(report_r, report, kill)),
        asyncio.ensure_future(_feed(proc.stdin, stdin_data)),
    ]
    timed_out = False
    try:
        await asyncio.wait_for(proc.wait(), timeout=wall_s)
    except TimeoutError:
        timed_out = True
        kill()
        await proc.wait()
    except BaseException:
        kill()  # cancelled: never leave a student process running
        raise
    finally:
        if after_exit is not None:
            await after_exit()
        _, pending = await asyncio.wait(tasks, timeout=DRAIN_TIMEOUT_S)
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return ProcessOutcome(
        returncode=proc.returncode,
        timed_out=timed_out,
        output_exceeded=output.exceeded,
        report_exceeded=report.exceeded,
        report=bytes(report.data),
        output_head=bytes(output.data),
        output_bytes=output.total,
        wall_s=time.monotonic() - started,
    )


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
