"""Staff extend and reopen a quiz attempt in a real browser: the student's open attempt
page gets the new time left without a reload, and a reopened attempt brings the page
back to answering by itself; the TA's proctor page follows live and equals a reload."""

from __future__ import annotations

import textwrap

import httpx
import pytest

from core.templating import dom_id
from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live, wait_loaded
from tests.browser.test_quiz_attempt import QUIZ_FILES
from tests.grading_app.live import PASSWORD, start_course_server

pytestmark = pytest.mark.browser

ADA = "ada@example.org"


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("quizstaff"),
                                 server="uvicorn",
                                 course_extra={k: textwrap.dedent(v) for k, v in
                                               QUIZ_FILES.items()})
    yield course
    course.server.stop()


def seconds_left(page) -> int:
    return int(page.get_attribute("#quiz-countdown", "data-seconds-left"))


def test_extend_and_reopen_reach_the_open_attempt_page_live(browser, live):
    base, cid = live.server.base, live.course_id
    student_ctx, student = log_in(browser, base, ADA, PASSWORD)
    staff_ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    proctor = f"{base}/courses/{cid}/quizzes/midterm/proctor"
    row = "#" + dom_id("proctor", cid, "midterm", live.ids[ADA])
    try:
        student.goto(f"{base}/courses/{cid}/units/paper")
        wait_loaded(student)
        student.click(".quiz-start")
        student.wait_for_selector("#quiz-countdown")
        wait_live(student)
        attempt_id = int(student.get_attribute("#quiz-attempt", "data-attempt"))
        assert "<title>Midterm (attempt 1)" in student.content()
        assert student.inner_text("h1").startswith("Midterm")
        before = seconds_left(student)
        assert before <= 30 * 60
        student.evaluate("() => { window.stillTheSamePage = true; }")
        staff.goto(proctor)
        wait_live(staff)
        old_deadline = staff.get_attribute(f"{row} .proctor-deadline", "datetime")

        r = httpx.post(f"{base}/api/v1/quiz-attempts/{attempt_id}/extend",
                       json={"minutes": 20}, headers=live.headers("ta@example.org"))
        assert r.status_code == 200, r.text
        student.wait_for_function(
            "() => +document.querySelector('#quiz-countdown').dataset.secondsLeft > 45 * 60",
            timeout=10_000)
        assert student.evaluate("() => window.stillTheSamePage") is True
        assert student.inner_text("#quiz-countdown").startswith(("49:", "50:"))
        assert "deadline was moved" in student.inner_text("#quiz-status")
        staff.wait_for_function(
            f"() => document.querySelector('{row} .proctor-deadline').getAttribute("
            f"'datetime') !== '{old_deadline}'", timeout=10_000)
        assert_live_equals_reload(staff_ctx, staff, proctor, "table.proctor")

        student.once("dialog", lambda dialog: dialog.accept())
        student.click("#quiz-submit")
        student.wait_for_selector('#quiz-attempt[data-status="graded"]', timeout=10_000)
        wait_live(student)
        staff.wait_for_selector(f'{row}[data-status="graded"]', timeout=10_000)

        # The TA reopens it from the attempt's history page (linked from the proctor row).
        staff.click(f"{row} a.proctor-history")
        staff.wait_for_selector("form.attempt-reopen")
        staff.fill("form.attempt-reopen input[name=minutes]", "15")
        staff.click("form.attempt-reopen button")
        staff.wait_for_selector('tr.history-row[data-action="reopened"]', timeout=10_000)
        assert "Tara TA" in staff.inner_text('tr.history-row[data-action="reopened"]')

        student.wait_for_selector('#quiz-attempt[data-status="in_progress"]', timeout=10_000)
        student.wait_for_selector("#quiz-submit")
        assert 14 * 60 < seconds_left(student) <= 15 * 60
        assert not student.is_disabled('.quiz-question[data-question="capital"]')
        staff.goto(proctor)
        wait_live(staff)
        assert staff.get_attribute(row, "data-status") == "in_progress"
    finally:
        student_ctx.close()
        staff_ctx.close()
