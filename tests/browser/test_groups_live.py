"""Groups in a real browser: a TA assigned to group A opens the gradebook and sees only
group A's students by default, then switches to all; a group's new due date reaches the
open unit page of its student live, and the live widget equals a reload."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import log_in, normalized_html, wait_live, wait_text
from tests.grading_app.live import PASSWORD, start_course_server

pytestmark = pytest.mark.browser

LATE = "#submission-course_2dv1_3aTest_2bGR101_2b2026-late"


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("groups"),
                                 server="uvicorn")
    prof = course.headers("prof@example.org")
    with httpx.Client(base_url=course.server.base) as c:
        for email, group in (("ada@example.org", "A"), ("bob@example.org", "B")):
            r = c.put(f"/api/v1/courses/{course.course_id}/members/{course.ids[email]}",
                      json={"role": "student", "group": group}, headers=prof)
            assert r.status_code == 200, r.text
        groups = {g["name"]: g["id"] for g in c.get(
            f"/api/v1/courses/{course.course_id}/groups", headers=prof).json()}
        r = c.patch(f"/api/v1/courses/{course.course_id}/groups/{groups['A']}",
                    json={"staff": [course.ids["ta@example.org"]]}, headers=prof)
        assert r.status_code == 200, r.text
    yield course
    course.server.stop()


def test_ta_sees_their_group_by_default_and_switches_to_all(browser, live):
    base, cid = live.server.base, live.course_id
    ada, bob = live.ids["ada@example.org"], live.ids["bob@example.org"]
    ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    try:
        staff.goto(f"{base}/courses/{cid}/gradebook")
        wait_live(staff)
        assert staff.input_value("#gradebook-group") == "mine"
        assert staff.query_selector(f"#gb-{ada}-total") is not None
        assert staff.query_selector(f"#gb-{bob}-total") is None
        staff.select_option("#gradebook-group", "all")
        staff.click(".gradebook-filters button[type=submit]")
        staff.wait_for_selector(f"#gb-{bob}-total")
        assert staff.query_selector(f"#gb-{ada}-total") is not None
        assert staff.input_value("#gradebook-group") == "all"
        staff.select_option("#gradebook-group", "B")
        staff.click(".gradebook-filters button[type=submit]")
        staff.wait_for_selector(f"#gb-{ada}-total", state="detached")
        assert staff.query_selector(f"#gb-{bob}-total") is not None
    finally:
        ctx.close()


def test_a_group_due_date_reaches_its_students_open_page_live(browser, live):
    base, cid = live.server.base, live.course_id
    student_ctx, student = log_in(browser, base, "ada@example.org", PASSWORD)
    staff_ctx, staff = log_in(browser, base, "ta@example.org", PASSWORD)
    try:
        student.goto(f"{base}/courses/{cid}/units/unit-two")
        wait_live(student)
        student.wait_for_load_state("networkidle")
        student.wait_for_selector(LATE)
        assert "your group" not in student.inner_text(LATE)
        staff.goto(f"{base}/courses/{cid}/gradebook")
        staff.click("#group_dates-form >> xpath=.. >> summary")
        staff.select_option("#group_dates-form select[name=group_id]", label="A")
        staff.select_option("#group_dates-form select[name=block_id]", label="Already due")
        staff.fill("#group_dates-form input[name=due_at]", "2099-01-01T12:00")
        staff.click("#group_dates-form button[type=submit]")
        staff.wait_for_selector("table.group-dates tbody tr form", state="attached")
        # Ada's open page follows without a reload.
        wait_text(student, LATE, "your group's date")
        fresh = student_ctx.new_page()
        fresh.goto(f"{base}/courses/{cid}/units/unit-two")
        fresh.wait_for_load_state("networkidle")
        assert normalized_html(fresh, LATE) == normalized_html(student, LATE)
        fresh.close()
    finally:
        student_ctx.close()
        staff_ctx.close()
