"""Student code is run against hidden tests and graded, whatever it does.

Each hostile case runs under every isolation method available here, with a
1 s time limit so the suite stays fast.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from grading.graders import GradeResult, grade_answer
from grading.sandbox import Sandbox, SandboxUnavailable, detect_sandbox, run_code_tests
from grading.worker import check_code_sandbox

ONE_TEST = "from solution import f\n\ndef test_f():\n    f()\n"


async def run(sandbox: Sandbox, code: str, tests: str = ONE_TEST, **kw: object) -> GradeResult:
    kw.setdefault("time_limit_s", 1.0)
    kw.setdefault("memory_limit_mb", 256)
    return await run_code_tests(code, tests, sandbox=sandbox, **kw)  # type: ignore[arg-type]


def py(source: str) -> str:
    return textwrap.dedent(source).lstrip("\n")


def messages(result: GradeResult) -> str:
    return "\n".join(f.message for f in result.feedback)


async def test_correct_solution_earns_points_per_passing_test(sandbox: Sandbox) -> None:
    code = "def add(a, b):\n    return a + b\n"
    tests = (
        "from solution import add\n\n"
        "def test_adds_small_numbers():\n    assert add(1, 2) == 3\n\n"
        "def test_adds_strings():\n    assert add('a', 'b') == 'ab'\n\n"
        "def test_one_plus_one_is_three():\n    assert add(1, 1) == 3, 'add(1, 1) should be 3'\n\n"
        "def test_none():\n    add(None, 1)\n"
    )
    result = await run(sandbox, code, tests, max_points=8)
    assert result.points == 4.0
    assert result.summary == "2 of 4 tests passed."
    assert [f.passed for f in result.feedback] == [True, True, False, False]
    assert result.feedback[2].message == "add(1, 1) should be 3 (hidden test, line 10)"
    error = result.feedback[3].message
    assert error.startswith("TypeError: unsupported operand")
    assert 'File "solution.py", line 2, in add' in error


async def test_tracebacks_show_no_platform_paths(sandbox: Sandbox) -> None:
    code = "import json\n\ndef f():\n    json.loads('{')\n"
    result = await run(sandbox, code)
    message = messages(result)
    assert message.startswith("JSONDecodeError: Expecting property name")
    for leak in ("/root", "/work", "/tmp", "runner.py", "json/decoder.py", "/usr/lib"):
        assert leak not in message


async def test_infinite_loop_is_stopped_at_time_limit(sandbox: Sandbox) -> None:
    code = "def f():\n    while True:\n        pass\n"
    tests = ONE_TEST + "\ndef test_other():\n    assert True\n"
    started = time.monotonic()
    result = await run(sandbox, code, tests)
    assert time.monotonic() - started < 4
    assert result.points == 0.5
    assert result.feedback[0].message == "Took longer than 1 s (time limit)."


async def test_infinite_loop_at_import_fails_every_test(sandbox: Sandbox) -> None:
    result = await run(sandbox, "while True:\n    pass\n")
    assert result.points == 0
    assert "could not be loaded: Took longer than 1 s" in result.summary


async def test_code_that_swallows_the_timeout_is_killed_at_the_wall_clock_limit(
    sandbox: Sandbox,
) -> None:
    code = (
        "def f():\n    while True:\n        try:\n            while True:\n                pass\n"
        "        except BaseException:\n            pass\n"
    )
    started = time.monotonic()
    result = await run(sandbox, code, time_limit_s=0.5)
    assert time.monotonic() - started < 4
    assert result.points == 0
    assert "time limit" in messages(result)


def named_processes(tag: str) -> str:
    """Student code that names its process `tag`, so we can look for survivors by name
    (other test runs on this machine may have their own sandboxed processes)."""
    return f"import ctypes\nctypes.CDLL(None).prctl(15, {tag.encode()!r}, 0, 0, 0)  # PR_SET_NAME\n"


async def test_fork_bomb_is_contained_and_leaves_no_processes(sandbox: Sandbox) -> None:
    tag = f"cw{uuid.uuid4().hex[:12]}"
    code = named_processes(tag) + py("""
        import os

        def f():
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
    """)
    result = await run(sandbox, code)
    assert result.points == 0
    assert "time limit" in messages(result)
    await _assert_no_processes_named(tag)


async def test_background_process_does_not_outlive_the_run(sandbox: Sandbox) -> None:
    tag = f"cw{uuid.uuid4().hex[:12]}"
    code = named_processes(tag) + py("""
        import os, time

        def f():
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(60)
                os._exit(0)
    """)
    result = await run(sandbox, code)
    assert result.points == 1.0
    await _assert_no_processes_named(tag)


async def test_allocating_ten_gigabytes_fails_with_out_of_memory(sandbox: Sandbox) -> None:
    result = await run(sandbox, "def f():\n    return bytearray(10 * 1024**3)\n")
    assert result.points == 0
    assert messages(result) == "Ran out of memory (limit 256 MB)."


async def test_growing_memory_until_the_limit_fails_with_out_of_memory(sandbox: Sandbox) -> None:
    code = "def f():\n    hoard = []\n    while True:\n        hoard.append(' ' * 10**6)\n"
    result = await run(sandbox, code, memory_limit_mb=128)
    assert messages(result) == "Ran out of memory (limit 128 MB)."


async def test_printing_a_hundred_megabytes_is_cut_off_at_the_output_limit(
    sandbox: Sandbox,
) -> None:
    code = "def f():\n    line = 'x' * 1024 * 1024\n    for _ in range(100):\n        print(line)\n"
    result = await run(sandbox, code)
    assert result.points == 0
    assert "output limit" in messages(result)


async def test_printing_a_fake_report_cannot_pass_a_test(sandbox: Sandbox) -> None:
    fake = '{"event": "result", "name": "test_f", "passed": true, "message": ""}'
    code = py(f"""
        import sys
        print({fake!r})
        print({fake!r}, file=sys.stderr)

        def f():
            return 1
    """)
    tests = "from solution import f\n\ndef test_f():\n    assert f() == 2\n"
    result = await run(sandbox, code, tests)
    assert result.points == 0


async def test_code_that_reads_environment_sees_no_secrets(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SECRET_KEY", "s3cret-platform-key")
    code = py("""
        import os

        def f():
            seen = [repr(dict(os.environ))]
            # Every process we might see, the platform's included.
            for pid in [os.getppid(), *range(1, 4 * 32768)]:
                try:
                    seen.append(open(f'/proc/{pid}/environ', 'rb').read().decode(errors='replace'))
                except OSError:
                    pass
            return '\\n'.join(seen)
    """)
    tests = "from solution import f\n\ndef test_f():\n    assert False, f()\n"
    result = await run(sandbox, code, tests, time_limit_s=5.0)
    assert "PYTHONHASHSEED" in messages(result)  # the probe itself ran
    assert "s3cret" not in messages(result)
    assert "SECRET_KEY" not in messages(result)


async def test_code_cannot_open_a_socket_to_the_host(sandbox: Sandbox) -> None:
    connections = 0

    def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    code = (
        "import socket\n\ndef f():\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=0.5).close()\n"
    )
    tests = (
        ONE_TEST + "\ndef test_internet():\n    import socket\n"
        "    socket.create_connection(('1.1.1.1', 80), timeout=0.5).close()\n"
    )
    async with server:
        result = await run(sandbox, code, tests)
    assert result.points == 0
    assert connections == 0
    assert all(f.message.startswith(("ConnectionRefusedError", "OSError")) for f in result.feedback)


async def test_calling_sys_exit_fails_the_test_with_a_clear_message(sandbox: Sandbox) -> None:
    tests = ONE_TEST + "\ndef test_after():\n    assert True\n"
    result = await run(sandbox, "import sys\n\ndef f():\n    sys.exit(0)\n", tests)
    assert result.points == 0.5
    assert result.feedback[0].message == (
        "The code called sys.exit(0); code under test must not exit."
    )


async def test_calling_os_exit_fails_the_running_test_and_keeps_earlier_results(
    sandbox: Sandbox,
) -> None:
    tests = (
        "from solution import f\n\ndef test_before():\n    pass\n\n"
        "def test_f():\n    f()\n\ndef test_after():\n    pass\n"
    )
    result = await run(sandbox, "import os\n\ndef f():\n    os._exit(3)\n", tests, max_points=3)
    assert result.points == 1.0
    assert [f.passed for f in result.feedback] == [True, False, False]
    assert "exited (code 3)" in result.feedback[1].message
    assert result.feedback[2].message == "Not run: an earlier test stopped the run."


async def test_syntax_error_in_solution_is_reported_with_its_line(sandbox: Sandbox) -> None:
    result = await run(sandbox, "x = 1\ndef f(:\n    pass\n")
    assert result.points == 0
    assert "SyntaxError" in result.summary and "solution.py, line 2" in result.summary


async def test_student_cannot_read_the_hidden_tests_from_disk(sandbox: Sandbox) -> None:
    code = py("""
        import os

        def f():
            found = []
            here = os.getcwd()
            for root, dirs, files in os.walk(os.path.dirname(here) if here != '/sandbox' else '/'):
                dirs[:] = [d for d in dirs if d not in ('proc', 'usr', 'sys', 'dev')]
                for name in files:
                    try:
                        if 'HIDDEN' + '-MARKER' in open(os.path.join(root, name)).read():
                            found.append(name)
                    except (OSError, UnicodeDecodeError):
                        pass
            return found
    """)
    tests = py("""
        from solution import f

        def test_f():
            # HIDDEN-MARKER
            assert f() == [], f()
    """)
    assert (await run(sandbox, code, tests)).points == 1.0


async def test_code_cannot_read_host_files(bubblewrap: Sandbox) -> None:
    code = py(f"""
        def f():
            seen = []
            for path in ['/etc/passwd', '/etc/shadow', {__file__!r}, '/root/.bashrc']:
                try:
                    open(path).read()
                    seen.append(path)
                except OSError:
                    pass
            return seen
    """)
    tests = "from solution import f\n\ndef test_f():\n    assert f() == [], f()\n"
    result = await run(bubblewrap, code, tests)
    assert result.points == 1.0, messages(result)


async def test_code_cannot_write_outside_its_sized_scratch_space(bubblewrap: Sandbox) -> None:
    code = py("""
        def f():
            wrote = []
            for path in ['/usr/evil', '/evil', '/dev/evil', '/dev/shm/evil',
                         '/usr/lib/python3/dist-packages/evil', 'scratch.txt', '/tmp/t']:
                try:
                    open(path, 'w').write('x')
                    wrote.append(path)
                except OSError:
                    pass
            return wrote
    """)
    tests = py("""
        from solution import f

        def test_f():
            assert f() == ['/dev/shm/evil', 'scratch.txt', '/tmp/t'], f()
    """)
    assert (await run(bubblewrap, code, tests)).points == 1.0


async def test_scratch_space_is_bounded(bubblewrap: Sandbox) -> None:
    code = py("""
        def f():
            chunk = b'x' * 1024 * 1024
            for i in range(100):
                with open(f'/tmp/{i}', 'wb') as out:
                    out.write(chunk)
    """)
    result = await run(bubblewrap, code)
    assert result.points == 0
    assert messages(result).startswith("OSError: [Errno 28] No space left on device")


async def test_async_test_functions_are_awaited(sandbox: Sandbox) -> None:
    tests = (
        "import asyncio\nfrom solution import f\n\nasync def test_f():\n"
        "    await asyncio.sleep(0)\n    assert f() == 1\n"
    )
    assert (await run(sandbox, "def f():\n    return 1\n", tests)).points == 1.0


async def test_grade_answer_runs_a_code_block_with_its_fields(bubblewrap: Sandbox) -> None:
    fields = {
        "starter_code": "def square(x):\n    pass\n",
        "tests": "from solution import square\n\ndef test_square():\n    assert square(3) == 9\n",
        "max_points": 5,
        "time_limit_s": 2,
        "memory_limit_mb": 128,
    }
    answer = {"code": "def square(x):\n    return x * x\n"}
    result = await grade_answer("code", fields, answer, sandbox=bubblewrap)
    assert (result.points, result.max_points) == (5.0, 5.0)


async def test_concurrent_runs_do_not_interfere(bubblewrap: Sandbox) -> None:
    results = await asyncio.gather(
        *(
            run(
                bubblewrap,
                f"def f():\n    return {i}\n",
                f"from solution import f\n\ndef test_f():\n    assert f() == {i}\n",
            )
            for i in range(6)
        )
    )
    assert [r.points for r in results] == [1.0] * 6


async def _assert_no_processes_named(tag: str) -> None:
    """No live (non-zombie) process called `tag` remains, after a short grace."""
    deadline = time.monotonic() + 2
    while True:
        alive = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                status = Path(f"/proc/{pid}/status").read_text()  # noqa: ASYNC240
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            if fields.get("Name") == tag and not fields.get("State", "").startswith("Z"):
                alive.append(pid)
        if not alive or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert alive == []


async def test_without_bubblewrap_code_is_refused_not_run_under_rlimits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("grading.sandbox.sandbox.shutil.which", lambda name: None)
    with pytest.raises(SandboxUnavailable) as refused:
        await detect_sandbox()
    assert "need bubblewrap" in str(refused.value)
    assert "apt-get install bubblewrap" in str(refused.value)


async def test_files_written_to_tmp_and_dev_shm_do_not_outlive_the_run(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(*args: object, **kwargs: object) -> str:
        made.append(real_mkdtemp(*args, **kwargs))  # type: ignore[arg-type]
        return made[-1]

    monkeypatch.setattr("grading.sandbox.sandbox.tempfile.mkdtemp", mkdtemp)
    tag = f"cw{uuid.uuid4().hex[:12]}"
    paths = [f"/tmp/{tag}", f"/dev/shm/{tag}"]
    code = py(f"""
        import os

        def f():
            left = [p for p in {paths!r} if os.path.exists(p)]
            for path in {paths!r}:
                with open(path, 'w') as out:
                    out.write('x' * 1024)
            return left
    """)
    tests = "from solution import f\n\ndef test_f():\n    assert f() == [], f()\n"
    for _ in range(2):  # the second run would see the first run's files
        result = await run(sandbox, code, tests)
        assert result.points == 1.0, messages(result)
    assert [p for p in paths if os.path.exists(p)] == []  # noqa: ASYNC240
    assert len(made) == 2 and [d for d in made if os.path.exists(d)] == []  # noqa: ASYNC240


async def test_code_that_swallows_the_timeout_while_loading_fails_every_test(
    sandbox: Sandbox,
) -> None:
    code = py("""
        while True:
            try:
                while True:
                    pass
            except BaseException:
                pass
    """)
    tests = ONE_TEST + "\ndef test_other():\n    pass\n"
    result = await run(sandbox, code, tests, time_limit_s=0.5)
    assert result.points == 0
    assert "could not be loaded: Took longer than 0.5 s" in result.summary


async def test_a_grading_process_logs_at_start_when_code_cannot_be_graded(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("grading.sandbox.sandbox.shutil.which", lambda name: None)
    monkeypatch.setattr("grading.sandbox.sandbox._default", None)
    with caplog.at_level("ERROR", logger="coursewire.grading.worker"):
        await check_code_sandbox()
    errors = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "apt-get install bubblewrap" in errors[0]
