"""Serves the student's `solution` module to the judge. Executes INSIDE the student's sandbox.

Standard library only. Usage: student.py TIMEOUT_S MEMORY_MB MAX_PROCESSES REPLY_FD.

This process holds no hidden test and decides nothing: it imports solution.py, then
answers the judge's requests (stdin) one frame each on REPLY_FD (see wire.py):
    -> {"id": 1, "op": "get", "ref": 0, "name": "add"}      ref 0 is the module
    -> {"id": 2, "op": "call", "ref": 5, "args": [...], "kwargs": [...], "timeout": 4.2}
    -> {"id": 3, "op": "iter" | "next" | "len", "ref": 7, "timeout": 4.2}
    <- {"id": 2, "value": <data or reference>}
    <- {"id": 2, "raised": {"type": "TypeError", "builtin": true, "message": "...",
                            "where": "  File \"solution.py\", line 2, in add"}}
    <- {"id": 3, "stop": true}        (StopIteration)
    <- {"id": 2, "timeout": true}
Before the first request it sends {"hello": true}, then {"loaded": true} or
{"import_error": "..."}. Student code can write anything anywhere it likes; the judge
only ever takes returned values from it, and compares them itself.
"""

import builtins
import importlib
import os
import resource
import signal
import sys
import traceback

# wire.py is mounted beside this script in the sandbox: a sibling file, not a package
# (imported as grading.sandbox.* outside the sandbox, e.g. by tools that import every module).
wire = importlib.import_module(f"{__package__}.wire" if __package__ else "wire")

ALARM_REPEAT_S = 0.2
TRACEBACK_MAX_FRAMES = 6

_exit = os._exit
_getpid = os.getpid


class TestTimeout(BaseException):
    """Raised by SIGALRM; a BaseException so `except Exception` does not swallow it."""


def main():
    timeout, memory_mb = float(sys.argv[1]), int(sys.argv[2])
    max_processes, reply_fd = int(sys.argv[3]), int(sys.argv[4])
    try:  # inside the user namespace, this counts only this run's processes
        resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
    except (ValueError, OSError):
        pass
    requests = wire.FrameReader(0)
    sys.stdin = open(os.devnull)  # input() gets EOF instead of reading the channel
    sys.path.append(os.getcwd())
    sys.dont_write_bytecode = True
    signal.signal(signal.SIGALRM, _on_alarm)
    pid = _getpid()
    send = _sender(reply_fd)
    send({"hello": True})
    try:
        set_alarm(timeout)
        module = __import__("solution")
        set_alarm(0)
    except BaseException as exc:
        set_alarm(0)
        send({"import_error": describe(exc, timeout, memory_mb)})
        _exit(0)
    send({"loaded": True})
    objects = {0: module}

    def register(value):
        key = len(objects) + 1
        objects[key] = value
        return key

    while True:
        try:
            request = requests.read()
        except (wire.ChannelClosed, wire.BadFrame):
            _exit(0)
        reply = answer(request, objects, register, timeout, memory_mb)
        if _getpid() != pid:
            _exit(0)  # a child the student forked, returning from their function
        send(reply)


def answer(request, objects, register, timeout, memory_mb):
    key = request.get("id")
    try:
        set_alarm(float(request.get("timeout") or timeout))
        try:
            target = objects[request["ref"]]
            op = request["op"]
            if op == "get":
                value = getattr(target, request["name"])
            elif op == "call":
                args = wire.decode(request["args"], lambda ref, _type: objects[ref])
                kwargs = wire.decode(request["kwargs"], lambda ref, _type: objects[ref])
                value = target(*args, **kwargs)
            elif op == "iter":
                value = iter(target)
            elif op == "next":
                value = next(target)
            elif op == "len":
                value = len(target)
            else:
                raise ValueError(f"unknown request {op!r}")
        finally:
            set_alarm(0)
    except StopIteration:
        return {"id": key, "stop": True}
    except TestTimeout:
        return {"id": key, "timeout": True}
    except BaseException as exc:
        return {"id": key, "raised": raised(exc, timeout, memory_mb)}
    try:
        return {"id": key, "value": wire.encode(value, register)}
    except (TypeError, ValueError, RecursionError, MemoryError) as exc:
        problem = ValueError(f"the returned value cannot be checked: {exc}")
        return {"id": key, "raised": raised(problem, timeout, memory_mb)}


def raised(exc, timeout, memory_mb):
    kind = type(exc)
    info = {
        "type": kind.__name__,
        "builtin": kind.__module__ == "builtins" and getattr(builtins, kind.__name__, None) is kind,
        "message": describe(exc, timeout, memory_mb, with_type=False),
        "where": _student_traceback(exc),
    }
    if isinstance(exc, SystemExit):
        info["exit_code"] = repr(exc.code)
    return info


def _sender(fd):
    def send(message):
        try:
            wire.write_frame(fd, message)
        except OSError:
            _exit(0)  # the judge is gone

    return send


def set_alarm(seconds):
    # Repeat: an exception raised in a __del__ or a signal handler is dropped by CPython.
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001) if seconds else 0, ALARM_REPEAT_S)


def _on_alarm(signum, frame):
    raise TestTimeout


def describe(exc, timeout, memory_mb, with_type=True):
    """A student-facing message: what went wrong and where in *their* code."""
    try:
        text = wire.limit_message(exc, TestTimeout, timeout, memory_mb)
        if text is not None:
            pass
        elif isinstance(exc, SystemExit):
            text = f"The code called sys.exit({exc.code!r}); code under test must not exit."
        elif not with_type:
            text = _scrub(str(exc))
        else:
            text = f"{type(exc).__name__}: {_scrub(str(exc))}{_student_traceback(exc)}"
    except BaseException:
        text = type(exc).__name__
    return wire.truncated(text)


def _student_traceback(exc):
    """Only frames from the student's solution.py; no sandbox paths."""
    frames = []
    try:
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            code = frame.f_code
            if os.path.basename(code.co_filename) == "solution.py":
                frames.append(f'  File "solution.py", line {lineno}, in {code.co_name}')
        if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
            frames.append(f"  solution.py, line {exc.lineno}")
    except BaseException:
        pass
    exc.__traceback__ = None  # let big allocations in the frames be freed
    frames = frames[-TRACEBACK_MAX_FRAMES:]
    return ("\n" + "\n".join(frames)) if frames else ""


def _scrub(text):
    """Hide interpreter and sandbox paths that leak into exception messages."""
    for prefix in {sys.base_prefix, sys.prefix, os.path.dirname(os.path.abspath(__file__))}:
        if prefix and prefix not in ("/", "/usr", "/usr/local"):
            text = text.replace(prefix, "<python>")
    return text.replace(os.getcwd() + os.sep, "")


if __name__ == "__main__":
    main()
