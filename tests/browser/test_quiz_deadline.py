"""Issue 14: the deadline passes with the attempt page open. The server hands the attempt in
with what was saved (no browser asks it to), and the open pages follow without a reload:
the student's own page stops taking answers and shows the hand-in and then the grade, and a
TA's read-only view of the same attempt does too. A deadline round sends these pages a
frame that makes each fetch its own regions (quizzes.events.attempts_changed), after a delay
spread over the attempts; both then equal a fresh load."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from quizzes.events import close_fetch_delay
from quizzes.timing import GRACE_SECONDS
from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live
from tests.browser.test_quiz_attempt import (
    answer,
    live,  # noqa: F401 (the quiz course's server)
    shown_answers,
)
from tests.grading_app.live import PASSWORD
from tests.support.servers import ROOT

pytestmark = pytest.mark.browser


def move_deadline(course, attempt_id: int, seconds_from_now: float) -> None:
    """Move the attempt's deadline (fixed by the server at its start) in the server's
    database, as if its time limit ran out `seconds_from_now` from now (negative: past)."""
    script = textwrap.dedent(f"""
        import asyncio
        from datetime import UTC, datetime, timedelta
        from tortoise import Tortoise
        from models.db import tortoise_config
        from models.quizzes import QuizAttempt

        async def main():
            await Tortoise.init(config=tortoise_config({course.server.env["DATABASE_URL"]!r}))
            try:
                assert await QuizAttempt.filter(id={attempt_id}).update(
                    deadline_at=datetime.now(UTC) + timedelta(seconds={seconds_from_now}))
            finally:
                await Tortoise.close_connections()

        asyncio.run(main())
        """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def _deadline_passes(course, attempt_id: int) -> None:
    """The deadline a second beyond the grace the server gives answers still on their way:
    the server's next round hands the attempt in."""
    move_deadline(course, attempt_id, -(GRACE_SECONDS + 1))


RECORD_REFRESH_FRAMES = """
window.refreshFrames = [];
window.WebSocket = class extends window.WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (String(event.data).includes("quiz-attempt-refresh")) {
        window.refreshFrames.push(performance.now());
      }
    });
  }
};
"""
FIRST_FETCH = ("performance.getEntriesByType('resource')"
               ".filter(e => e.name.endsWith('/regions'))[0]?.startTime")


def test_the_deadline_hands_in_and_the_open_pages_follow(browser, live):  # noqa: F811
    base, cid = live.server.base, live.course_id
    student_ctx, student = log_in(browser, base, "ada@example.org", PASSWORD)
    staff_ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    # When the student's page got the close's frame, on the page's own clock: Playwright
    # reports a frame to this process later than the page had it, more so on a busy box.
    student.add_init_script(RECORD_REFRESH_FRAMES)
    try:
        student.goto(f"{base}/courses/{cid}/units/paper")
        wait_live(student)
        student.click(".quiz-start")
        student.wait_for_selector("#quiz-countdown")
        wait_live(student)
        url = student.url
        attempt_id = int(student.get_attribute("#quiz-attempt", "data-attempt"))
        answer(student, "capital")
        student.wait_for_selector('.quiz-question[data-question="capital"] '
                                  '.save-state[data-state="saved"]')
        saved = shown_answers(student)
        staff.goto(url)
        wait_live(staff)
        assert staff.get_attribute("#quiz-attempt-head", "data-status") == "in_progress"

        _deadline_passes(live, attempt_id)
        for page in (student, staff):
            page.wait_for_selector('#quiz-attempt-head[data-status="graded"]', timeout=15_000)
        assert student.query_selector("#quiz-submit") is None
        assert student.query_selector("#quiz-countdown") is None
        assert shown_answers(student) == saved
        assert "1 / 3 points" in student.inner_text(".quiz-outcome")
        # Said in the live region: handed in, or already graded if the page's fetch, spread
        # after the close, came after the grade.
        status = student.inner_text("#quiz-status")
        assert "handed in" in status or "graded" in status, status
        # The frame's fetch waited its spread delay (htmx 4's `load delay:`): both times
        # on the page's clock (its resource timing for the fetch).
        student.wait_for_function(f"() => {FIRST_FETCH} !== undefined", timeout=10_000)
        frame_at = student.evaluate("window.refreshFrames[0]")
        fetch_at = student.evaluate(f"() => {FIRST_FETCH}")
        assert frame_at is not None, "the page never got the close's frame"
        waited = (fetch_at - frame_at) / 1000
        assert waited >= close_fetch_delay(attempt_id) / 1000 - 0.05, waited
        for region in ("#quiz-attempt-head", "#quiz-actions", "#question-1", "#question-2",
                       "#question-3"):
            assert_live_equals_reload(student_ctx, student, url, region)
            assert_live_equals_reload(staff_ctx, staff, url, region)
    finally:
        student_ctx.close()
        staff_ctx.close()
