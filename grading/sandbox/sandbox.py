"""A Sandbox runs one student solution against hidden tests, isolated and bounded.

`default_sandbox()` picks the isolation for this machine once, by trying it:
bubblewrap with each candidate interpreter, then plain rlimits. It logs which.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import shutil
import stat
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from .isolation import (
    SANDBOX_CWD,
    Interpreter,
    Isolation,
    RunPaths,
    bubblewrap_command,
    make_preexec,
    rlimits_command,
    sandbox_env,
)
from .limits import RunLimits
from .process import ProcessOutcome, run_process
from .report import parse_report

logger = logging.getLogger(__name__)

RUNNER_SOURCE = Path(__file__).with_name("runner.py")
# Throwaway uids for runs when we are root: far above any real account, random so
# concurrent runs (and worker processes) almost never share one.
RUN_UID_RANGE = (1_500_000_000, 1_600_000_000)

_PROBE_CODE = "ANSWER = 42\n"
_PROBE_TESTS = "from solution import ANSWER\n\ndef test_probe():\n    assert ANSWER == 42\n"


class SandboxUnavailable(RuntimeError):
    """No isolation method works on this machine; code cannot be graded here."""


@dataclass
class Sandbox:
    """One way of running code on this machine. Reusable and safe to share.

    `max_concurrent` bounds simultaneous runs from this process so that CPU
    contention does not turn into unfair time-limit failures.
    """

    isolation: Isolation
    interpreter: Interpreter
    bwrap: str | None = None
    max_concurrent: int = field(default_factory=lambda: os.cpu_count() or 1)
    _slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = field(
        default_factory=weakref.WeakKeyDictionary, repr=False
    )

    def describe(self) -> str:
        return f"{self.isolation.value} with {self.interpreter.path}"

    async def run(self, code: str, tests: str, limits: RunLimits) -> ProcessOutcome:
        """Run `tests` against `code` as solution.py; the outcome, whatever the code did."""
        async with self._slot():
            return await self._run(code, tests, limits)

    def _slot(self) -> asyncio.Semaphore:
        # Semaphores belong to one event loop; tests and benches may run several.
        loop = asyncio.get_running_loop()
        if loop not in self._slots:
            self._slots[loop] = asyncio.Semaphore(self.max_concurrent)
        return self._slots[loop]

    async def _run(self, code: str, tests: str, limits: RunLimits) -> ProcessOutcome:
        uid = _throwaway_uid()
        base = await asyncio.to_thread(tempfile.mkdtemp, prefix="coursewire-run-")
        try:
            paths = await asyncio.to_thread(_lay_out_run, base, code, uid)
            job = {
                "tests": tests,
                "test_timeout_s": limits.test_timeout_s,
                "memory_limit_mb": limits.memory_mb,
                "max_processes": limits.max_processes,
            }
            if self.isolation is Isolation.BUBBLEWRAP:
                assert self.bwrap is not None
                argv = bubblewrap_command(self.bwrap, self.interpreter, paths, limits)
                env, unshare_network = sandbox_env(SANDBOX_CWD), False
            else:
                argv = rlimits_command(self.interpreter, paths)
                env, unshare_network = sandbox_env(paths.work), uid is not None
            preexec = make_preexec(limits, run_as_uid=uid, unshare_network=unshare_network)

            async def sweep() -> None:
                # Without a pid namespace, a double-forked child outlives the run.
                if uid is not None and self.isolation is Isolation.RLIMITS:
                    await _kill_everything_owned_by(uid, self.interpreter)

            return await run_process(
                argv,
                job=job,
                cwd=paths.work,
                env=env,
                preexec=preexec,
                wall_s=limits.wall_s,
                output_limit=limits.output_bytes,
                report_limit=limits.report_bytes,
                after_exit=sweep,
            )
        finally:
            await asyncio.to_thread(shutil.rmtree, base, ignore_errors=True)


def _throwaway_uid() -> int | None:
    """A fresh uid to run as when we are root (None otherwise: we cannot switch)."""
    if os.geteuid() != 0:
        return None
    return random.randrange(*RUN_UID_RANGE)


def _lay_out_run(base: str, code: str, uid: int | None) -> RunPaths:
    """base/ (traversable) -> grader/runner.py (read-only) and work/solution.py."""
    os.chmod(base, 0o711)
    grader = os.path.join(base, "grader")
    work = os.path.join(base, "work")
    os.mkdir(grader, 0o755)
    os.mkdir(work, 0o700)
    runner = os.path.join(grader, "runner.py")
    shutil.copyfile(RUNNER_SOURCE, runner)
    os.chmod(runner, stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    paths = RunPaths(runner=runner, work=work)
    with open(paths.solution, "w", encoding="utf-8") as f:
        f.write(code)
    if uid is not None:
        os.chown(work, uid, uid)
        os.chown(paths.solution, uid, uid)
    return paths


async def _kill_everything_owned_by(uid: int, interpreter: Interpreter) -> None:
    # kill(-1) from a process running as `uid` reaches exactly that uid's processes.
    def become_uid() -> None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)

    code = "import os, signal\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError:\n    pass\n"
    with contextlib.suppress(OSError):
        proc = await asyncio.create_subprocess_exec(
            interpreter.path, "-S", "-c", code, preexec_fn=become_uid, env={}
        )
        await proc.wait()


_default: Sandbox | None = None


async def default_sandbox() -> Sandbox:
    """The sandbox for this machine, detected on first use and then reused."""
    global _default
    if _default is None:
        _default = await detect_sandbox()
    return _default


async def detect_sandbox(
    methods: tuple[Isolation, ...] = (Isolation.BUBBLEWRAP, Isolation.RLIMITS),
) -> Sandbox:
    """The first (method, interpreter) that really runs a probe exercise here.

    Raises SandboxUnavailable, listing every failure, if none does.
    """
    failures: list[str] = []
    bwrap = shutil.which("bwrap")
    for method in methods:
        if method is Isolation.BUBBLEWRAP and bwrap is None:
            failures.append("bubblewrap: bwrap is not installed (apt-get install bubblewrap)")
            continue
        for interpreter in Interpreter.candidates():
            sandbox = Sandbox(method, interpreter, bwrap=bwrap)
            problem = await _probe(sandbox)
            if problem is None:
                log = logger.info if method is Isolation.BUBBLEWRAP else logger.warning
                log("code grading sandbox: %s", sandbox.describe())
                if failures:
                    log("code grading sandbox: passed over: %s", "; ".join(failures))
                return sandbox
            failures.append(f"{sandbox.describe()}: {problem}")
    raise SandboxUnavailable("no way to run code safely here: " + "; ".join(failures))


async def _probe(sandbox: Sandbox) -> str | None:
    """None if the sandbox runs a trivial exercise correctly, else what went wrong."""
    limits = RunLimits.for_exercise(5.0, 256, n_tests=1)
    try:
        outcome = await sandbox.run(_PROBE_CODE, _PROBE_TESTS, limits)
    except OSError as exc:
        return str(exc)
    report = parse_report(outcome.report)
    if report.finished and report.results.get("test_probe", (False, ""))[0]:
        return None
    head = outcome.output_head.decode(errors="replace").strip()[-300:]
    return f"probe failed (exit {outcome.returncode}): {head or 'no output'}"
