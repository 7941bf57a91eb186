"""How a sandboxed run's report and ending become a grade, without running processes."""

from __future__ import annotations

import json
import signal

import pytest

from grading.sandbox import RunLimits, SandboxFailure
from grading.sandbox.process import ProcessOutcome
from grading.sandbox.report import grade_run

LIMITS = RunLimits.for_exercise(2.0, 128, n_tests=3)
NAMES = ("test_a", "test_b", "test_c")


def outcome(*events: dict[str, object], returncode: int = 0, **kw: object) -> ProcessOutcome:
    report = b"".join(json.dumps(e).encode() + b"\n" for e in events)
    values: dict[str, object] = {
        "returncode": returncode,
        "timed_out": False,
        "output_exceeded": False,
        "report_exceeded": False,
        "report": report,
        "output_head": b"",
        "output_bytes": 0,
        "wall_s": 0.1,
    }
    values.update(kw)
    return ProcessOutcome(**values)  # type: ignore[arg-type]


STARTED = {"event": "started"}
TESTS = {"event": "tests", "names": list(NAMES)}


def result(name: str, passed: bool, message: str = "") -> dict[str, object]:
    return {"event": "result", "name": name, "passed": passed, "message": message}


def test_points_are_max_points_times_the_fraction_of_tests_passed() -> None:
    run = outcome(
        STARTED,
        TESTS,
        result("test_a", True),
        result("test_b", False, "nope"),
        result("test_c", True),
        {"event": "finished"},
    )
    graded = grade_run(run, NAMES, LIMITS, max_points=6)
    assert graded.points == 4.0 and graded.summary == "2 of 3 tests passed."
    assert [(f.label, f.passed, f.message) for f in graded.feedback] == [
        ("test_a", True, ""),
        ("test_b", False, "nope"),
        ("test_c", True, ""),
    ]


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        ({"timed_out": True, "returncode": -9}, "time limit"),
        ({"returncode": -signal.SIGXCPU}, "CPU time"),
        ({"returncode": 128 + signal.SIGKILL}, "memory"),
        ({"output_exceeded": True, "returncode": -9}, "output limit"),
        ({"returncode": 0}, "os._exit"),
        ({"returncode": -signal.SIGSEGV}, "SIGSEGV"),
    ],
)
def test_run_that_stops_early_fails_the_test_in_progress_with_the_reason(
    kw: dict[str, object], reason: str
) -> None:
    graded = grade_run(outcome(STARTED, TESTS, result("test_a", True), **kw), NAMES, LIMITS, 3)
    assert graded.points == 1.0
    assert reason in graded.feedback[1].message
    assert graded.feedback[2].message.startswith("Not run")
    assert reason in graded.summary


def test_solution_that_does_not_load_fails_every_test_with_the_error() -> None:
    run = outcome(STARTED, {"event": "import_failed", "message": "SyntaxError: bad"})
    graded = grade_run(run, NAMES, LIMITS, 1)
    assert graded.points == 0
    assert all("SyntaxError: bad" in f.message for f in graded.feedback)


def test_runner_that_never_started_is_a_sandbox_failure_not_a_zero() -> None:
    with pytest.raises(SandboxFailure):
        grade_run(outcome(returncode=1, output_head=b"bwrap: oops"), NAMES, LIMITS, 1)


def test_garbage_and_repeated_results_in_the_report_are_ignored() -> None:
    run = outcome(
        STARTED,
        TESTS,
        result("test_a", False, "real"),
        result("test_a", True),
        {"event": "finished"},
    )
    run = ProcessOutcome(**{**run.__dict__, "report": b"not json\n[1]\n" + run.report})
    graded = grade_run(run, NAMES, LIMITS, 1)
    assert graded.feedback[0].message == "real" and graded.points == 0


def test_a_run_killed_for_output_says_so_even_when_the_test_also_timed_out() -> None:
    run = outcome(
        STARTED,
        TESTS,
        result("test_a", True),
        result("test_b", False, "Took longer than 2 s (time limit)."),
        output_exceeded=True,
        returncode=-9,
    )
    graded = grade_run(run, NAMES, LIMITS, max_points=3)
    assert graded.feedback[1].message == "Printed more than 1024 KB of output (output limit)."
