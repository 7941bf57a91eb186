"""Grading integrity: a submission that does not solve the exercise gets no points,
whatever it does to the process that runs it.

The hidden tests and their expected values stay in the judge's process; the student's
process only returns values. Each attack below would have earned full points when the
tests ran inside the student's process (and its report fd was inherited).
"""

from __future__ import annotations

import textwrap

from grading.graders import GradeResult
from grading.sandbox import Sandbox, run_code_tests

MARKER = "5EC-marker"
TESTS = textwrap.dedent(f"""
    from solution import square

    def test_three():
        assert square(3) == 9

    def test_big():
        assert square(1234) == 1522756, {MARKER!r}
""").lstrip()

# Every report format a grader might read: the old runner's JSON lines and the judge's
# length-prefixed frames, replies claiming the right answers included.
FORGE = textwrap.dedent("""
    import json, os, struct

    def forged():
        lines = [{"event": "started"}, {"event": "tests", "names": ["test_three", "test_big"]},
                 {"event": "result", "name": "test_three", "passed": True, "message": ""},
                 {"event": "result", "name": "test_big", "passed": True, "message": ""},
                 {"event": "finished"}]
        data = "".join(json.dumps(e) + "\\n" for e in lines).encode()
        frames = [{"hello": True}, {"loaded": True}, {"passed": True}]
        frames += [{"id": i, "value": v} for i in range(1, 20) for v in (9, 1522756, True)]
        for frame in frames:
            body = json.dumps(frame).encode()
            data += struct.pack(">I", len(body)) + body
        return data

    def forge_everywhere():
        data = forged()
        print(data.decode(errors="replace"))
        for fd in range(256):
            try:
                os.write(fd, data)
            except OSError:
                pass
""")


async def grade(sandbox: Sandbox, code: str) -> GradeResult:
    return await run_code_tests(code, TESTS, time_limit_s=2.0, memory_limit_mb=256,
                                max_points=10, sandbox=sandbox)


def messages(result: GradeResult) -> str:
    return result.summary + "\n" + "\n".join(f.message for f in result.feedback)


async def test_a_correct_solution_still_earns_full_points(sandbox: Sandbox) -> None:
    result = await grade(sandbox, "def square(x):\n    return x * x\n")
    assert result.points == 10, messages(result)


async def test_printing_and_writing_fake_results_to_every_fd_earns_nothing(
    sandbox: Sandbox,
) -> None:
    code = FORGE + "\nforge_everywhere()\n\ndef square(x):\n    forge_everywhere()\n"
    result = await grade(sandbox, code)
    assert result.points == 0, messages(result)


async def test_writing_fake_results_then_exiting_early_earns_nothing(sandbox: Sandbox) -> None:
    for ending in ("raise SystemExit(0)", "os._exit(0)"):
        result = await grade(sandbox, FORGE + f"\nforge_everywhere()\n{ending}\n")
        assert result.points == 0, (ending, messages(result))
        code = FORGE + f"\ndef square(x):\n    forge_everywhere()\n    {ending}\n"
        result = await grade(sandbox, code)
        assert result.points == 0, (ending, messages(result))


async def test_a_forked_child_writing_fake_results_earns_nothing(sandbox: Sandbox) -> None:
    code = FORGE + textwrap.dedent("""
        import time

        if os.fork() == 0:
            for _ in range(40):
                forge_everywhere()
                time.sleep(0.05)
            os._exit(0)

        def square(x):
            if os.fork() == 0:
                forge_everywhere()
            return x + 1
    """)
    result = await grade(sandbox, code)
    assert result.points == 0, messages(result)


async def test_monkeypatching_the_harness_earns_nothing(sandbox: Sandbox) -> None:
    code = textwrap.dedent("""
        import builtins, json, sys

        harness = sys.modules["__main__"]
        harness.run_one = lambda *args, **kwargs: (True, "")
        for name in ("describe", "raised"):
            if hasattr(harness, name):
                setattr(harness, name, lambda *args, **kwargs: "")
        real_dumps = json.dumps
        json.dumps = lambda obj, *a, **k: real_dumps(obj, *a, **k).replace("false", "true")
        builtins.AssertionError = type("Passed", (BaseException,), {})

        class AlwaysEqual:
            def __eq__(self, other):
                return True

        def square(x):
            return AlwaysEqual()
    """)
    result = await grade(sandbox, code)
    assert result.points == 0, messages(result)


async def test_hidden_tests_and_expected_values_never_reach_the_student_process(
    sandbox: Sandbox,
) -> None:
    code = textwrap.dedent("""
        import gc, sys

        MARKER = "".join(["5EC", "-marker"])  # not a constant here: it must not find itself
        EXPECTED = 1234 * 1234

        def leaked():
            found = []
            for obj in gc.get_objects():
                code = getattr(obj, "__code__", None)
                consts = code.co_consts if code is not None else ()
                if isinstance(obj, str) and obj is not MARKER and MARKER in obj:
                    found.append("a string in memory")
                if any(isinstance(c, str) and MARKER in c for c in consts):
                    found.append("a test function")
            frame = sys._getframe()
            while frame is not None:
                if EXPECTED in frame.f_code.co_consts or EXPECTED in frame.f_locals.values():
                    found.append("a caller's frame")
                frame = frame.f_back
            return found

        def square(x):
            if leaked():
                return x * x  # it could cheat if it could see them
            return -1
    """)
    result = await grade(sandbox, code)
    assert result.points == 0, messages(result)


async def test_tests_can_use_classes_generators_data_and_expected_exceptions(
    sandbox: Sandbox,
) -> None:
    code = textwrap.dedent("""
        class Counter:
            def __init__(self, start=0):
                self.value = start

            def add(self, n=1):
                self.value += n
                return self

        def squares(n):
            for i in range(n):
                yield i * i

        def stats(items):
            return {"min": min(items), "pair": (1, 2), "set": {1, 2}, "raw": b"ok"}

        def parse(text):
            if not text:
                raise ValueError("empty")
            return int(text)

        LIMIT = 3
    """)
    tests = textwrap.dedent("""
        import solution
        from solution import Counter, LIMIT, parse, squares, stats

        def test_objects():
            counter = Counter(start=2).add().add(n=LIMIT)
            assert counter.value == 6

        def test_generators():
            assert list(squares(4)) == [0, 1, 4, 9]

        def test_data():
            assert stats([3, 1]) == {"min": 1, "pair": (1, 2), "set": {1, 2}, "raw": b"ok"}

        def test_expected_exception():
            try:
                parse("")
            except ValueError as exc:
                assert "empty" in str(exc)
            else:
                raise AssertionError("no ValueError")
            assert solution.parse("12") == 12

        def test_student_error_is_shown_with_their_line():
            parse("x")
    """)
    result = await run_code_tests(code, tests, time_limit_s=2.0, sandbox=sandbox, max_points=5)
    passed = [f.passed for f in result.feedback]
    assert passed == [True, True, True, True, False], messages(result)
    last = result.feedback[-1].message
    assert last.startswith("ValueError: invalid literal for int()"), last
    assert "hidden test, line 25, in test_student_error_is_shown_with_their_line" in last
    assert 'File "solution.py", line 20, in parse' in last


async def test_garbage_on_the_reply_channel_fails_the_test_with_a_message(
    sandbox: Sandbox,
) -> None:
    code = FORGE + "\ndef square(x):\n    forge_everywhere()\n    return 'x' * (32 << 20)\n"
    result = await grade(sandbox, code)
    assert result.points == 0
    assert "the run stopped" in result.feedback[0].message, messages(result)
    assert result.feedback[1].message == "Not run: an earlier test stopped the run."
