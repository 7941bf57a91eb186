"""The proctor page says live whether each student's attempt page is open (on any device)
and how much time the attempt has left, counted down on the page; once the deadline passes
the row says "handing in" until the server hands the attempt in after the grace. The
filter shows only the attempts with no page open, live, with the counts above the table;
the search finds a student by part of the name and stays on as rows arrive.
Each state equals a fresh load of the proctor page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.templating import dom_id
from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live, wait_loaded
from tests.browser.test_quiz_attempt import (
    answer,
    live,  # noqa: F401 (the quiz course's server)
)
from tests.browser.test_quiz_deadline import move_deadline
from tests.grading_app.live import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.both_modes]


def _left(page, row: str) -> int:
    """The seconds left the row shows, from its "(mm:ss left)"."""
    text = page.inner_text(f"{row} .proctor-left")
    minutes, seconds = re.search(r"(\d+):(\d\d)", text).groups()  # type: ignore[union-attr]
    return int(minutes) * 60 + int(seconds)


def test_the_proctor_sees_the_page_open_and_closed_time_left_and_handing_in(
        browser, live):  # noqa: F811
    base, cid = live.server.base, live.course_id
    staff_ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    student_ctx, student = log_in(browser, base, "bob@example.org", PASSWORD)
    proctor = f"{base}/courses/{cid}/quizzes/midterm/proctor"
    unit = f"{base}/courses/{cid}/units/paper"
    row = "#" + dom_id("proctor", cid, "midterm", live.ids["bob@example.org"])
    page_cell = f"{row} .proctor-page"
    try:
        staff.goto(proctor)
        wait_live(staff)
        assert staff.inner_text(page_cell).strip() == "–"  # not started
        student.goto(unit)
        wait_loaded(student)
        student.click(".quiz-start")
        student.wait_for_selector("#quiz-countdown")
        wait_live(student)
        url = student.url
        attempt_id = int(student.get_attribute("#quiz-attempt", "data-attempt"))

        staff.wait_for_selector(f'{page_cell}[data-connected="true"]', timeout=10_000)
        assert staff.inner_text(page_cell).strip() == "open now"
        first = _left(staff, row)
        assert 28 * 60 < first <= 30 * 60
        staff.wait_for_function(
            "([sel, first]) => { const m = document.querySelector(sel).textContent"
            ".match(/(\\d+):(\\d\\d)/); return m && +m[1] * 60 + +m[2] < first; }",
            arg=[f"{row} .proctor-left", first], timeout=5_000)  # it counts down
        assert_live_equals_reload(staff_ctx, staff, proctor, "table.proctor")

        student.goto(unit)  # leaves the attempt page
        wait_loaded(student)
        staff.wait_for_selector(f'{page_cell}[data-connected="false"]', timeout=10_000)
        assert staff.inner_text(page_cell).strip() == "closed"
        assert staff.get_attribute(row, "data-status") == "in_progress"
        assert_live_equals_reload(staff_ctx, staff, proctor, "table.proctor")

        # The filter: only attempts in progress with no page open, and the counts.
        staff.select_option("#proctor-show", "closed")
        assert "show=closed" in staff.url  # a reload keeps it
        assert staff.is_visible(row)
        assert staff.locator("tr.proctor-row:visible").count() == 1
        expect(staff.locator('.proctor-summary [data-count="closed"]')).to_have_text("1")
        assert_live_equals_reload(staff_ctx, staff, staff.url, "table.proctor")

        student.goto(url)  # and comes back: the row leaves the filtered view live
        student.wait_for_selector("#quiz-countdown")
        staff.wait_for_selector(f'{page_cell}[data-connected="true"]', state="attached",
                                timeout=10_000)
        staff.wait_for_selector(row, state="hidden")
        expect(staff.locator('.proctor-summary [data-count="closed"]')).to_have_text("0")
        assert_live_equals_reload(staff_ctx, staff, staff.url, "table.proctor")
        staff.select_option("#proctor-show", "all")
        assert "show=" not in staff.url and staff.is_visible(row)

        # The search: part of a name, in any case; it stays on while rows arrive below.
        staff.fill("#proctor-q", "BO")
        staff.wait_for_function("() => location.search.includes('q=BO')")
        assert staff.locator("tr.proctor-row:visible").count() == 1 and staff.is_visible(row)
        assert staff.inner_text('.proctor-summary [data-count="not_started"]') != "0"
        assert_live_equals_reload(staff_ctx, staff, staff.url, "table.proctor")
        assert not staff.is_visible(".proctor-none")
        staff.fill("#proctor-q", "nobody by this name")
        staff.wait_for_selector(".proctor-none", state="visible")
        assert staff.locator("tr.proctor-row:visible").count() == 0
        staff.fill("#proctor-q", "BO")
        staff.wait_for_selector(".proctor-none", state="hidden")

        # The time runs out a few seconds from now; the student's next save pushes the
        # row with its new time left, which the proctor page counts down to zero.
        move_deadline(live, attempt_id, 8)
        answer(student, "capital")
        student.wait_for_selector('.quiz-question[data-question="capital"] '
                                  '.save-state[data-state="saved"]')
        staff.wait_for_function(
            "sel => document.querySelector(sel).textContent.trim() === 'handing in'",
            arg=f"{row} .proctor-phase", timeout=15_000)
        assert _left(staff, row) == 0
        if staff.get_attribute(row, "data-status") == "in_progress":  # still in the grace
            assert_live_equals_reload(staff_ctx, staff, staff.url, "table.proctor")
        staff.wait_for_selector(f'{row}[data-status="graded"]', timeout=30_000)
        assert staff.inner_text(page_cell).strip() == "–"
        assert staff.locator("tr.proctor-row:visible").count() == 1
        assert_live_equals_reload(staff_ctx, staff, staff.url, "table.proctor")
    finally:
        staff_ctx.close()
        student_ctx.close()
