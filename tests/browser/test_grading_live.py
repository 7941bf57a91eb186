"""Grading in a real browser: a student submits on the unit page and watches the attempt go
queued -> graded without reloading; the TA's open gradebook updates live; both live regions
equal a fresh load."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, normalized_html, wait_live, wait_text
from tests.grading_app.live import PASSWORD, start_course_server

pytestmark = pytest.mark.browser

WIDGET = "#submission-course_2dv1_3aTest_2bGR101_2b2026-pick"

RECORD_STATUSES = """
window.seenStatuses = [];
const note = () => {
  const w = document.querySelector('WIDGET');
  const s = w && w.getAttribute('data-status');
  if (s && window.seenStatuses[window.seenStatuses.length - 1] !== s) window.seenStatuses.push(s);
};
new MutationObserver(note).observe(document.body, {subtree: true, childList: true,
                                                   attributes: true});
note();
""".replace("WIDGET", WIDGET)


@pytest.fixture(scope="module", params=["uvicorn", "daphne"])
def live(request, db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("gbrowser"),
                                 server=request.param)
    yield course
    course.server.stop()


def test_student_sees_grade_live_and_staff_gradebook_updates(browser, live):
    base, cid = live.server.base, live.course_id
    student_ctx, student = log_in(browser, base, "ada@example.org", PASSWORD)
    staff_ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    try:
        staff.goto(f"{base}/courses/{cid}/gradebook")
        wait_live(staff)
        uid = live.ids["ada@example.org"]
        cell = f"#gb-{uid}-pick"
        assert staff.inner_text(cell).strip() == "–"
        histogram_before = _histogram(staff)
        assert sum(histogram_before) == len(staff.query_selector_all("#gradebook .gb-total"))

        student.goto(f"{base}/courses/{cid}/units/unit-one")
        wait_live(student)
        student.wait_for_selector(f'{WIDGET}[data-status="none"]')
        student.evaluate(RECORD_STATUSES)
        student.check('#block-pick input[value="a"]')
        student.click("#block-pick button[type=submit]")
        student.wait_for_selector(f'{WIDGET}[data-status="graded"]', timeout=10_000)
        assert "2 / 2" in student.inner_text(WIDGET)
        seen = student.evaluate("window.seenStatuses")
        assert seen[0] == "none" and seen[-1] == "graded"
        assert "queued" in seen or "grading" in seen, seen  # the attempt was shown in flight
        # The TA's gradebook, open the whole time, shows the new score and total.
        staff.wait_for_function("sel => document.querySelector(sel).textContent.trim() === '2'",
                                arg=cell, timeout=10_000)
        # Its distribution chart follows: Ada's total left the lowest bin for a higher one.
        total = float(staff.inner_text(f"#gb-{uid}-total").strip().rstrip("%"))
        assert total > 0
        histogram = _histogram(staff)
        assert sum(histogram) == sum(histogram_before)
        assert histogram[0] == histogram_before[0] - 1
        assert histogram[min(9, int(total // 10))] == histogram_before[min(9, int(total // 10))] + 1
        # Live = reload, for both pages.
        fresh = student_ctx.new_page()
        fresh.goto(f"{base}/courses/{cid}/units/unit-one")
        fresh.wait_for_selector(f'{WIDGET} .submission-status[data-state="graded"]')
        fresh.wait_for_load_state("networkidle")
        assert normalized_html(fresh, WIDGET) == normalized_html(student, WIDGET)
        fresh.close()
        fresh = staff_ctx.new_page()
        fresh.goto(f"{base}/courses/{cid}/gradebook")
        assert normalized_html(fresh, "#gradebook-rows") == normalized_html(staff,
                                                                            "#gradebook-rows")
        fresh.close()
    finally:
        student_ctx.close()
        staff_ctx.close()


def _histogram(page):
    """The bars of the gradebook's "students by course total" chart."""
    return page.evaluate("""() => Chart.getChart(
        document.querySelector('figure.live-chart canvas')).data.datasets[0].data""")


def test_refused_answer_shows_why_and_uses_no_attempt(browser, live):
    base, cid = live.server.base, live.course_id
    ctx, page = log_in(browser, base, "bob@example.org", PASSWORD)
    try:
        page.goto(f"{base}/courses/{cid}/units/unit-one")
        wait_live(page)
        page.wait_for_selector(f'{WIDGET}[data-status="none"]')
        # The socket's resync re-renders the unit (content) after connecting; let it land.
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
        page.wait_for_selector(f'{WIDGET}[data-status="none"]')
        page.click("#block-pick button[type=submit]")  # nothing picked
        page.wait_for_selector(f"{WIDGET} [role=alert]")
        assert "Pick an answer" in page.inner_text(WIDGET)
        assert "Attempts used: 0 of 2" in page.inner_text(WIDGET)
    finally:
        ctx.close()


def test_extension_granted_and_revoked_updates_the_students_widget_live(browser, live):
    base, cid = live.server.base, live.course_id
    student_ctx, student = log_in(browser, base, "bob@example.org", PASSWORD)
    staff_ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    try:
        student.goto(f"{base}/courses/{cid}/units/unit-one")
        wait_live(student)
        student.wait_for_load_state("networkidle")
        wait_text(student, WIDGET, "Attempts used: 0 of 2")
        staff.goto(f"{base}/courses/{cid}/gradebook")
        staff.click("#extension-form >> xpath=.. >> summary")
        staff.select_option("#extension-form select[name=user_id]", label="Bob")
        staff.select_option("#extension-form select[name=block_id]", label="Pick one")
        staff.fill("#extension-form input[name=extra_attempts]", "1")
        staff.fill("#extension-form input[name=reason]", "lab machine crashed")
        staff.click("#extension-form button[type=submit]")
        staff.wait_for_selector("#extensions tbody tr form", state="attached")
        # Bob's open page follows without a reload.
        wait_text(student, WIDGET, "Attempts used: 0 of 3")
        fresh = student_ctx.new_page()
        fresh.goto(f"{base}/courses/{cid}/units/unit-one")
        fresh.wait_for_load_state("networkidle")
        assert normalized_html(fresh, WIDGET) == normalized_html(student, WIDGET)
        fresh.close()
        # Revoked: back to the block's own 2 attempts, live, and in the audit trail.
        staff.click("#extensions summary")
        staff.click("#extensions tbody tr form button")
        staff.wait_for_load_state("networkidle")
        wait_text(student, WIDGET, "Attempts used: 0 of 2")
        staff.click("#extensions summary")
        audit = staff.inner_text("#extensions table.audit")
        assert "revoked" in audit and "granted" in audit and "lab machine crashed" in audit
        fresh = student_ctx.new_page()
        fresh.goto(f"{base}/courses/{cid}/units/unit-one")
        fresh.wait_for_load_state("networkidle")
        assert normalized_html(fresh, WIDGET) == normalized_html(student, WIDGET)
        fresh.close()
    finally:
        student_ctx.close()
        staff_ctx.close()
