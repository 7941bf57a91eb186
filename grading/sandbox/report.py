"""Turn what the judge reported (and how the student's process ended) into a GradeResult.

Every test gets a result: the judge's if it reported one, otherwise the reason the
student's process stopped (time limit, output limit, exit, crash). Points are
max_points * passed / total. Only the judge's report pipe is read here; nothing the
student's process writes reaches it.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass, field
from typing import Any

from grading.graders.result import FeedbackItem, GradeResult, scaled_points

from .limits import RunLimits
from .process import ProcessOutcome


class SandboxFailure(RuntimeError):
    """The sandbox itself failed before student code ran. Not the student's fault:
    the submission should end in `error` (and be retried), not be graded 0."""


@dataclass
class RunReport:
    """The runner's events, parsed."""

    started: bool = False
    student_unavailable: bool = False
    finished: bool = False
    import_failed: bool = False
    import_error: str | None = None
    names: list[str] | None = None
    results: dict[str, tuple[bool, str]] = field(default_factory=dict)


def parse_report(raw: bytes) -> RunReport:
    """Parse the runner's JSON lines; lines that are not valid events are ignored."""
    report = RunReport()
    for line in raw.decode("utf-8", "replace").splitlines():
        try:
            event: Any = json.loads(line)
        except ValueError:
            continue
        if not isinstance(event, dict):
            continue
        kind = event.get("event")
        if kind == "started":
            report.started = True
        elif kind == "student_unavailable":
            report.student_unavailable = True
        elif kind == "import_failed":
            report.import_failed = True
            if isinstance(event.get("message"), str):
                report.import_error = event["message"]
        elif kind == "tests" and isinstance(event.get("names"), list):
            report.names = [str(n) for n in event["names"]]
        elif kind == "result" and isinstance(event.get("name"), str):
            if event["name"] not in report.results:  # first report of a test wins
                report.results[event["name"]] = (
                    event.get("passed") is True,
                    str(event.get("message", "")),
                )
        elif kind == "finished":
            report.finished = True
    return report


def grade_run(
    outcome: ProcessOutcome, expected_names: tuple[str, ...], limits: RunLimits, max_points: float
) -> GradeResult:
    """The GradeResult for one run. Raises SandboxFailure if the judge or the student's
    process never started."""
    report = parse_report(outcome.report)
    if not report.started or report.student_unavailable:
        which, rc, head = (
            ("judge", outcome.judge_returncode, outcome.judge_output_head)
            if not report.started else ("student", outcome.returncode, outcome.output_head))
        raise SandboxFailure(
            f"the code sandbox ({which}) failed before running the code "
            f"(exit {rc}): {head[-1000:].decode(errors='replace')}"
        )
    names = report.names or list(expected_names)
    stop_reason = why_run_stopped(outcome, limits)
    if report.import_failed:
        message = f"Your code could not be loaded: {report.import_error or stop_reason}"
        feedback = [FeedbackItem(name, False, message) for name in names]
        return _result(feedback, max_points, summary=message)

    feedback = []
    in_progress_marked = False
    for name in names:
        if name in report.results:
            passed, message = report.results[name]
            if not passed and outcome.output_exceeded and message.startswith("Took longer"):
                # Killed for printing too much while the judge's clock ran: the cause.
                message = stop_reason
        elif not in_progress_marked:
            passed, message, in_progress_marked = False, stop_reason, True
        else:
            passed, message = False, "Not run: an earlier test stopped the run."
        feedback.append(FeedbackItem(name, passed, message))
    if not names:
        return GradeResult(0.0, max_points, [], "The exercise has no tests; tell the course staff.")
    summary = None if report.finished else stop_reason
    return _result(feedback, max_points, summary=summary)


def why_run_stopped(outcome: ProcessOutcome, limits: RunLimits) -> str:
    """A student-facing reason for a run that ended before reporting every test."""
    if outcome.output_exceeded:
        return f"Printed more than {limits.output_bytes // 1024} KB of output (output limit)."
    if outcome.report_exceeded:
        return "Produced too much test output."
    if outcome.timed_out:
        return f"Stopped after {limits.wall_s:g} s (time limit)."
    sig = outcome.signal
    if sig == signal.SIGXCPU:
        return f"Used more than {limits.cpu_s} s of CPU time (time limit)."
    if sig == signal.SIGKILL:
        return f"Was killed, most likely for using too much memory (limit {limits.memory_mb} MB)."
    if sig == signal.SIGXFSZ:
        return f"Wrote a file larger than {limits.file_bytes // (1024 * 1024)} MB."
    if sig is not None:
        return f"Crashed ({signal.Signals(sig).name})." if sig in _SIGNALS else "Crashed."
    return (
        f"The program exited (code {outcome.returncode}) before the tests finished; "
        "code under test must not call os._exit or exit the interpreter."
    )


_SIGNALS = {s.value for s in signal.Signals}


def _result(feedback: list[FeedbackItem], max_points: float, *, summary: str | None) -> GradeResult:
    total = len(feedback)
    passed = sum(item.passed for item in feedback)
    points = scaled_points(passed / total, max_points) if total else 0.0
    text = f"{passed} of {total} tests passed."
    if summary:
        text = f"{text} {summary}"
    return GradeResult(points, max_points, feedback, text)
