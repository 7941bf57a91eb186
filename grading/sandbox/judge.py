"""Runs the hidden tests and decides which pass. Executes INSIDE the judge's own sandbox.

Standard library only. The student's code never runs here: `solution` is a stand-in
module whose functions send their arguments to the student's process (wire.py) and
return the values it sends back, as plain data. The hidden tests, their expected values
and the comparisons stay in this process, which the student's process cannot see
(another pid and user namespace), write to, or patch.

stdin carries one JSON job:
    {"tests": "<source>", "test_timeout_s": 5.0, "memory_limit_mb": 256,
     "max_processes": 32, "report_fd": 3, "call_fd": 4, "reply_fd": 5}
Events go to `report_fd`, read only by the platform, one JSON object a line:
    {"event": "started"}
    {"event": "student_unavailable"}              the student's process never started
    {"event": "import_failed", "message": "..."}  solution or tests would not load;
                                                  no message: the process died loading
    {"event": "tests", "names": ["test_a", ...]}
    {"event": "result", "name": "test_a", "passed": true, "message": ""}
    {"event": "finished"}
If the student's process dies during a test, the judge stops without reporting it;
the platform, which saw how that process ended, says why.

Why one file of ~370 lines: it is loaded into the sandbox by path with only wire.py beside
it (no package, no imports of ours), so what the judge does must be self-contained.
"""

import builtins
import contextlib
import importlib
import json
import os
import resource
import select
import signal
import sys
import traceback
import types

# wire.py is mounted beside this script in the sandbox: a sibling file, not a package
# (imported as grading.sandbox.* outside the sandbox, e.g. by tools that import every module).
wire = importlib.import_module(f"{__package__}.wire" if __package__ else "wire")

TRACEBACK_MAX_FRAMES = 6
TESTS_FILENAME = "<tests>"
ALARM_REPEAT_S = 0.2
# After a test timed out, how long the student's process gets to answer (its own
# alarm fires at the same time) before we consider it hung.
RESYNC_GRACE_S = 1.0


class TestTimeout(BaseException):
    pass


class StudentGone(BaseException):
    """The student's process ended or broke the channel: the run stops here. With a
    message when we know why (else the platform, which saw the process end, says)."""

BROKEN_CHANNEL = ("The code sent something other than a return value (too large, or "
                  "written over the grader's channel); the run stopped.")


class StudentHung(BaseException):
    """The student's process stopped answering after a timeout."""


class StudentRaised(Exception):
    """An exception in the student's code that is not a builtin one (or is SystemExit)."""


class Channel:
    """Requests to the student's process and its replies, matched by id."""

    def __init__(self, call_fd, reply_fd, timeout):
        self.call_fd = call_fd
        self.replies = wire.FrameReader(reply_fd)
        self.timeout = timeout
        self.next_id = 1
        self.awaiting = None  # the id of a request whose reply a timeout cut off
        self.broken = None

    def greet(self):
        """True once the student's process says hello; False if it never does."""
        try:
            return self.replies.read() == {"hello": True}
        except (wire.ChannelClosed, wire.BadFrame):
            return False

    def loaded(self):
        """None when solution.py loaded, else the error message ("" if the process died)."""
        try:
            message = self.replies.read()
        except (wire.ChannelClosed, wire.BadFrame):
            return ""
        if message == {"loaded": True}:
            return None
        if isinstance(message, dict) and isinstance(message.get("import_error"), str):
            return message["import_error"]
        return ""

    def request(self, op, ref, **fields):
        if self.broken:
            raise self.broken
        self._resync()
        key = self.next_id
        self.next_id += 1
        remaining = signal.getitimer(signal.ITIMER_REAL)[0] or self.timeout
        try:
            wire.write_frame(self.call_fd, {"id": key, "op": op, "ref": ref,
                                            "timeout": remaining, **fields})
        except OSError:
            self.broken = StudentGone()
            raise self.broken from None
        self.awaiting = key
        reply = self._reply(key)
        self.awaiting = None
        return reply

    def _reply(self, key):
        while True:
            try:
                reply = self.replies.read()
            except wire.ChannelClosed:
                self.broken = StudentGone()
                raise self.broken from None
            except wire.BadFrame:
                self.broken = StudentGone(BROKEN_CHANNEL)
                raise self.broken from None
            reply_id = reply.get("id") if isinstance(reply, dict) else None
            if type(reply_id) is int and reply_id < key:
                continue  # the late answer to a request that timed out
            if reply_id != key:
                self.broken = StudentGone(BROKEN_CHANNEL)
                raise self.broken
            return reply

    def _resync(self):
        """After a timeout, wait briefly for the cut-off reply, or give up on the process."""
        if self.awaiting is None:
            return
        key, self.awaiting = self.awaiting, None
        ready, _, _ = select.select([self.replies.fd], [], [], RESYNC_GRACE_S)
        if not ready and not self.replies.pending():
            self.broken = StudentHung()
            raise self.broken
        self._reply(key)


class Remote:
    """A value that stays in the student's process: it can be called, iterated and
    have attributes read, and is equal only to itself."""

    __slots__ = ("_wire_ref", "_wire_type")

    def __init__(self, ref, type_name):
        object.__setattr__(self, "_wire_ref", ref)
        object.__setattr__(self, "_wire_type", type_name)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return ask("get", self._wire_ref, name=name)

    def __call__(self, *args, **kwargs):
        return ask("call", self._wire_ref, args=wire.encode(list(args)),
                   kwargs=wire.encode(kwargs))

    def __iter__(self):
        return ask("iter", self._wire_ref)

    def __next__(self):
        return ask("next", self._wire_ref)

    def __len__(self):
        return ask("len", self._wire_ref)

    def __repr__(self):
        return f"<{self._wire_type} from solution.py>"


_channel = None


def ask(op, ref, **fields):
    reply = _channel.request(op, ref, **fields)
    try:
        if "value" in reply:
            return wire.decode(reply["value"], Remote)
    except wire.BadFrame:
        _channel.broken = StudentGone(BROKEN_CHANNEL)
        raise _channel.broken from None
    if reply.get("stop") is True:
        raise StopIteration
    if reply.get("timeout") is True:
        raise TestTimeout
    info = reply.get("raised")
    if isinstance(info, dict):
        raise student_exception(info)
    _channel.broken = StudentGone(BROKEN_CHANNEL)
    raise _channel.broken


def student_exception(info):
    """The student's exception as one tests can catch: builtin types are re-created
    (so `except ValueError` works); others are StudentRaised. Marked for `describe`."""
    name, message = str(info.get("type", "Exception")), str(info.get("message", ""))
    cls = getattr(builtins, name, None) if info.get("builtin") is True else None
    exc = None
    if isinstance(cls, type) and issubclass(cls, Exception) and cls is not StopIteration:
        try:
            exc = cls(message)
        except Exception:
            exc = None
    if exc is None:
        exc = StudentRaised(message)
    exc.student = (name, message[: wire.MESSAGE_MAX_CHARS], str(info.get("where", ""))[:4000])
    return exc


def solution_module():
    module = types.ModuleType("solution")

    def module_getattr(name):
        if name.startswith("__"):
            raise AttributeError(name)
        return ask("get", 0, name=name)

    module.__getattr__ = module_getattr
    return module


class Reporter:
    def __init__(self, fd):
        self.fd = fd

    def emit(self, **event):
        data = (json.dumps(event) + "\n").encode("utf-8", "replace")
        with contextlib.suppress(OSError):
            while data:
                data = data[os.write(self.fd, data) :]


def main():
    global _channel
    job = json.loads(sys.stdin.read())
    reporter = Reporter(int(job["report_fd"]))
    timeout = float(job["test_timeout_s"])
    memory_mb = int(job["memory_limit_mb"])
    with contextlib.suppress(ValueError, OSError):
        limit = int(job["max_processes"])
        resource.setrlimit(resource.RLIMIT_NPROC, (limit, limit))
    sys.stdin = open(os.devnull)
    sys.dont_write_bytecode = True
    signal.signal(signal.SIGALRM, _on_alarm)
    _channel = Channel(int(job["call_fd"]), int(job["reply_fd"]), timeout)
    reporter.emit(event="started")
    if not _channel.greet():
        reporter.emit(event="student_unavailable")
        return
    try:  # the student's process has its own alarm; this one is for a swallowed one
        with time_limit(timeout + RESYNC_GRACE_S):
            problem = _channel.loaded()
    except TestTimeout:
        problem = describe(TestTimeout(), timeout, memory_mb)
    if problem is not None:
        reporter.emit(event="import_failed", message=problem or None)
        return

    sys.modules["solution"] = solution_module()
    tests_module = types.ModuleType("hidden_tests")
    try:
        with time_limit(timeout):
            exec(compile(job["tests"], TESTS_FILENAME, "exec"), tests_module.__dict__)
    except StudentGone:
        reporter.emit(event="import_failed", message=None)
        return
    except BaseException as exc:
        reporter.emit(event="import_failed", message=describe(exc, timeout, memory_mb))
        return

    tests = [(name, fn) for name, fn in list(vars(tests_module).items())
             if name.startswith("test_") and callable(fn)]
    reporter.emit(event="tests", names=[name for name, _ in tests])
    stopped = False
    for name, fn in tests:
        if stopped:
            passed, message = False, "Not run: an earlier test stopped the run."
        else:
            try:
                passed, message = run_one(fn, timeout, memory_mb)
            except StudentGone as gone:
                if not gone.args:
                    return  # the platform reports how the student's process ended
                passed, message, stopped = False, gone.args[0], True
        reporter.emit(event="result", name=name, passed=passed, message=message)
    reporter.emit(event="finished")


def run_one(fn, timeout, memory_mb):
    if isinstance(_channel.broken, StudentHung):
        return False, "Not run: an earlier test stopped the run."
    try:
        with time_limit(timeout):
            result = fn()
            if hasattr(result, "__await__"):
                import asyncio

                asyncio.run(_await(result))
    except StudentGone:
        raise
    except StudentHung:
        return False, "Not run: an earlier test stopped the run."
    except BaseException as exc:
        return False, describe(exc, timeout, memory_mb)
    return True, ""


async def _await(awaitable):
    await awaitable


@contextlib.contextmanager
def time_limit(seconds):
    signal.setitimer(signal.ITIMER_REAL, seconds, ALARM_REPEAT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _on_alarm(signum, frame):
    raise TestTimeout


def describe(exc, timeout, memory_mb):
    """A student-facing message: what went wrong, in the hidden tests and their code."""
    student = getattr(exc, "student", None)
    try:
        text = wire.limit_message(exc, TestTimeout, timeout, memory_mb)
        if text is not None:
            pass
        elif student is not None and student[0] == "SystemExit":
            text = student[1]
        elif student is not None:
            name, message, where = student
            text = f"{name}: {message}{_tests_traceback(exc)}{where}"
        elif isinstance(exc, AssertionError):
            text = f"{str(exc) or 'assertion failed'}{_tests_location(exc)}"
        else:
            text = f"{type(exc).__name__}: {exc}{_tests_traceback(exc)}"
    except BaseException:
        text = type(exc).__name__
    return wire.truncated(text)


def _tests_location(exc):
    lines = [n for f, n in traceback.walk_tb(exc.__traceback__) if _is_tests(f.f_code)]
    return f" (hidden test, line {lines[-1]})" if lines else ""


def _tests_traceback(exc):
    frames = [f"  hidden test, line {n}, in {f.f_code.co_name}"
              for f, n in traceback.walk_tb(exc.__traceback__) if _is_tests(f.f_code)]
    if isinstance(exc, SyntaxError) and exc.filename == TESTS_FILENAME and exc.lineno:
        frames.append(f"  hidden tests, line {exc.lineno}")
    frames = frames[-TRACEBACK_MAX_FRAMES:]
    return ("\n" + "\n".join(frames)) if frames else ""


def _is_tests(code):
    return code.co_filename == TESTS_FILENAME


if __name__ == "__main__":
    main()
