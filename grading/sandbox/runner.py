"""Runs hidden tests against a student's `solution` module. Executes INSIDE the sandbox.

Standard library only: the sandbox has no platform code and no site-packages.

Protocol. stdin carries one JSON job:
    {"tests": "<source>", "report_fd": 3, "test_timeout_s": 5.0,
     "memory_limit_mb": 256, "max_processes": 32}
Events go to `report_fd` (a pipe only the grader reads), one JSON object a line:
    {"event": "started"}
    {"event": "import_failed", "message": "..."}          solution or tests would not load
    {"event": "tests", "names": ["test_a", ...]}
    {"event": "result", "name": "test_a", "passed": true, "message": ""}
    {"event": "finished"}
Anything the student prints goes to stdout/stderr, which the grader only counts,
so printing cannot forge a result. Results stream as they happen, so tests that
finished before a crash or kill keep their result.
"""

import contextlib
import importlib
import json
import os
import resource
import signal
import sys
import traceback
import types
from collections.abc import Iterator

MESSAGE_MAX_CHARS = 2000
TRACEBACK_MAX_FRAMES = 6
TESTS_FILENAME = "<tests>"
ALARM_REPEAT_S = 0.2

# Keep our own references: student code may monkeypatch these modules later.
_dumps = json.dumps
_write = os.write
_exit = os._exit


class TestTimeout(BaseException):
    """Raised by SIGALRM. A BaseException so `except Exception` in student code
    does not swallow it; a bare `except:` still can, and the wall-clock kill then
    stops the run."""


class Reporter:
    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.pid = os.getpid()

    def emit(self, **event: object) -> None:
        if os.getpid() != self.pid:
            return  # a child the student forked, still running our code
        data = (_dumps(event) + "\n").encode("utf-8", "replace")
        try:
            while data:
                data = data[_write(self.fd, data) :]
        except OSError:
            pass  # the student closed our fd; the grader reports the missing results


def main() -> None:
    job = json.loads(sys.stdin.read())
    reporter = Reporter(int(job["report_fd"]))
    timeout = float(job["test_timeout_s"])
    memory_mb = int(job["memory_limit_mb"])
    # Set here, inside the sandbox's user namespace, the process limit counts only
    # this run's processes rather than every process of the host user.
    limit = int(job["max_processes"])
    try:
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
    except (ValueError, OSError):
        pass
    sys.stdin = open(os.devnull)  # input() gets EOF instead of blocking
    sys.path.append(os.getcwd())
    sys.dont_write_bytecode = True
    signal.signal(signal.SIGALRM, _on_alarm)
    reporter.emit(event="started")

    tests_module = types.ModuleType("hidden_tests")
    try:
        with time_limit(timeout):
            importlib.import_module("solution")
            code = compile(job["tests"], TESTS_FILENAME, "exec")
            exec(code, tests_module.__dict__)
    except BaseException as exc:
        reporter.emit(event="import_failed", message=describe(exc, timeout, memory_mb))
        _exit(0)
    del job

    tests = [
        (name, fn)
        for name, fn in list(vars(tests_module).items())
        if name.startswith("test_") and callable(fn)
    ]
    reporter.emit(event="tests", names=[name for name, _ in tests])
    for name, fn in tests:
        passed, message = run_one(fn, timeout, memory_mb)
        if os.getpid() != reporter.pid:
            _exit(0)  # a forked child returning from the test: only the parent reports
        reporter.emit(event="result", name=name, passed=passed, message=message)
    reporter.emit(event="finished")
    # Skip atexit handlers and non-daemon threads the student may have left behind.
    _exit(0)


def run_one(fn: object, timeout: float, memory_mb: int) -> tuple[bool, str]:
    try:
        with time_limit(timeout):
            result = fn()  # type: ignore[operator]
            if hasattr(result, "__await__"):
                import asyncio  # only for async tests: it costs ~15 ms to import

                asyncio.run(_await(result))
    except BaseException as exc:
        return False, describe(exc, timeout, memory_mb)
    return True, ""


async def _await(awaitable: object) -> None:
    await awaitable  # type: ignore[misc]


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    # Repeat every ALARM_REPEAT_S: an exception raised inside a fork handler or a
    # __del__ is printed and dropped by CPython, so one alarm is not enough.
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _on_alarm(signum: int, frame: object) -> None:
    raise TestTimeout


def describe(exc: BaseException, timeout: float, memory_mb: int) -> str:
    """A student-facing message: what went wrong and where in *their* code."""
    try:
        if isinstance(exc, TestTimeout):
            text = f"Took longer than {timeout:g} s (time limit)."
        elif isinstance(exc, MemoryError):
            text = f"Ran out of memory (limit {memory_mb} MB)."
        elif isinstance(exc, SystemExit):
            text = f"The code called sys.exit({exc.code!r}); code under test must not exit."
        elif isinstance(exc, KeyboardInterrupt):
            text = "Interrupted."
        elif isinstance(exc, AssertionError):
            detail = str(exc) or "assertion failed"
            text = f"{detail}{_tests_location(exc)}"
        else:
            text = f"{type(exc).__name__}: {_scrub(str(exc))}{_student_traceback(exc)}"
    except BaseException:  # e.g. MemoryError again while formatting
        text = type(exc).__name__
    finally:
        exc.__traceback__ = None  # let big allocations in the frames be freed
    if len(text) > MESSAGE_MAX_CHARS:
        text = text[: MESSAGE_MAX_CHARS - 15] + " ... (truncated)"
    return text


def _tests_location(exc: BaseException) -> str:
    lines = [n for f, n in traceback.walk_tb(exc.__traceback__) if _is_tests(f.f_code)]
    return f" (hidden test, line {lines[-1]})" if lines else ""


def _student_traceback(exc: BaseException) -> str:
    """Only frames from the student's solution and the hidden tests; no platform paths."""
    frames = []
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        code = frame.f_code
        if _is_tests(code):
            frames.append(f"  hidden test, line {lineno}, in {code.co_name}")
        elif os.path.basename(code.co_filename) == "solution.py":
            frames.append(f'  File "solution.py", line {lineno}, in {code.co_name}')
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        name = "solution.py" if exc.filename.endswith("solution.py") else "hidden tests"
        frames.append(f"  {name}, line {exc.lineno}")
    frames = frames[-TRACEBACK_MAX_FRAMES:]
    return ("\n" + "\n".join(frames)) if frames else ""


def _is_tests(code: types.CodeType) -> bool:
    return code.co_filename == TESTS_FILENAME


def _scrub(text: str) -> str:
    """Hide interpreter and sandbox paths that leak into exception messages."""
    for prefix in {sys.base_prefix, sys.prefix, os.path.dirname(os.path.abspath(__file__))}:
        if prefix and prefix not in ("/", "/usr", "/usr/local"):
            text = text.replace(prefix, "<python>")
    return text.replace(os.getcwd() + os.sep, "")


if __name__ == "__main__":
    main()
