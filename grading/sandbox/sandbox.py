"""A Sandbox runs one student solution against hidden tests, isolated and bounded.

`default_sandbox()` checks once, by trying it, that bubblewrap works here with one of
the candidate interpreters, and logs which. Without it no code is run at all:
SandboxUnavailable says what to install.
"""

from __future__ import annotations

import asyncio
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
    SANDBOX_GRADER_DIR,
    Interpreter,
    Isolation,
    RunPaths,
    bubblewrap_command,
    make_preexec,
    sandbox_env,
)
from .limits import RunLimits
from .process import Child, ProcessOutcome, run_judged
from .report import parse_report

logger = logging.getLogger(__name__)

HERE = Path(__file__).parent
SCRIPTS = ("judge.py", "student.py", "wire.py")
# Throwaway uids for runs when we are root: far above any real account, random so
# concurrent runs (and worker processes) almost never share one.
RUN_UID_RANGE = (1_500_000_000, 1_600_000_000)
NO_BUBBLEWRAP = (
    "code exercises need bubblewrap, and it is not installed (apt-get install bubblewrap); "
    "student code is never run under resource limits alone, which would let it read the "
    "data directory (hidden tests, answer keys, the database)"
)

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
        student_uid, judge_uid = _throwaway_uid(), _throwaway_uid()
        base = await asyncio.to_thread(tempfile.mkdtemp, prefix="coursewire-run-")
        try:
            paths = await asyncio.to_thread(_lay_out_run, base, code, student_uid)
            wire_bind = (paths.script("wire.py"), f"{SANDBOX_GRADER_DIR}/wire.py")
            student = Child(
                bubblewrap_command(
                    self.bwrap or "bwrap", self.interpreter, limits,
                    binds=[(paths.solution, f"{SANDBOX_CWD}/solution.py"), wire_bind,
                           (paths.script("student.py"), f"{SANDBOX_GRADER_DIR}/student.py")],
                    script=f"{SANDBOX_GRADER_DIR}/student.py",
                    args=[str(limits.test_timeout_s), str(limits.memory_mb),
                          str(limits.max_processes)]),
                sandbox_env(SANDBOX_CWD),
                make_preexec(limits, run_as_uid=student_uid),
            )
            judge = Child(
                bubblewrap_command(
                    self.bwrap or "bwrap", self.interpreter, limits,
                    binds=[wire_bind,
                           (paths.script("judge.py"), f"{SANDBOX_GRADER_DIR}/judge.py")],
                    script=f"{SANDBOX_GRADER_DIR}/judge.py", args=[]),
                sandbox_env(SANDBOX_CWD),
                make_preexec(limits, run_as_uid=judge_uid),
            )
            job = {
                "tests": tests,
                "test_timeout_s": limits.test_timeout_s,
                "memory_limit_mb": limits.memory_mb,
                "max_processes": limits.max_processes,
            }
            return await run_judged(
                student, judge, job=job, cwd=base, wall_s=limits.wall_s,
                output_limit=limits.output_bytes, report_limit=limits.report_bytes)
        finally:
            await asyncio.to_thread(shutil.rmtree, base, ignore_errors=True)


def _throwaway_uid() -> int | None:
    """A fresh uid to run as when we are root (None otherwise: we cannot switch)."""
    if os.geteuid() != 0:
        return None
    return random.randrange(*RUN_UID_RANGE)


def _lay_out_run(base: str, code: str, uid: int | None) -> RunPaths:
    """base/ (traversable) -> grader/*.py (read-only) and work/solution.py."""
    os.chmod(base, 0o711)
    grader = os.path.join(base, "grader")
    work = os.path.join(base, "work")
    os.mkdir(grader, 0o755)
    os.mkdir(work, 0o700)
    paths = RunPaths(grader=grader, work=work)
    for name in SCRIPTS:
        shutil.copyfile(HERE / name, paths.script(name))
        os.chmod(paths.script(name), stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    with open(paths.solution, "w", encoding="utf-8") as f:
        f.write(code)
    if uid is not None:
        os.chown(work, uid, uid)
        os.chown(paths.solution, uid, uid)
    return paths


_default: Sandbox | None = None


async def default_sandbox() -> Sandbox:
    """The sandbox for this machine, detected on first use and then reused."""
    global _default
    if _default is None:
        _default = await detect_sandbox()
    return _default


async def detect_sandbox() -> Sandbox:
    """Bubblewrap with the first interpreter that really runs a probe exercise here.

    Raises SandboxUnavailable, saying what to fix, if none does.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(NO_BUBBLEWRAP)
    failures: list[str] = []
    for interpreter in Interpreter.candidates():
        sandbox = Sandbox(Isolation.BUBBLEWRAP, interpreter, bwrap=bwrap)
        problem = await _probe(sandbox)
        if problem is None:
            logger.info("code grading sandbox: %s", sandbox.describe())
            if failures:
                logger.info("code grading sandbox: passed over: %s", "; ".join(failures))
            return sandbox
        failures.append(f"{sandbox.describe()}: {problem}")
    raise SandboxUnavailable(
        "code exercises need bubblewrap, and it does not work here (user namespaces "
        "disabled?); student code is never run under resource limits alone: "
        + "; ".join(failures))


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
    head = (outcome.judge_output_head or outcome.output_head).decode(errors="replace")
    head = head.strip()[-300:]
    return f"probe failed (exit {outcome.returncode}): {head or 'no output'}"
