"""Enrolment in a real browser: an instructor's open members page gains the row of a student
who accepts an invite in another browser, without a reload, and equals a fresh load; a
visitor follows an invite link through sign-up into the course."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live
from tests.conftest import REDIS_URL
from tests.support.live import api_token, seeded_server

pytestmark = pytest.mark.browser

COURSE = "course-v1:Coursewire+PY101+2026"
TABLE = "#members-course_2dv1_3aCoursewire_2bPY101_2b2026"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    yield from seeded_server(db_factory, tmp_path_factory.mktemp("enrol"), REDIS_URL)


def register(base: str, email: str, name: str) -> None:
    r = httpx.post(f"{base}/api/v1/auth/register",
                   json={"email": email, "password": "coursewire-demo", "name": name})
    assert r.status_code == 201, r.text


def test_joining_by_invite_appears_live_on_the_instructors_members_page(browser, server):
    base = server.base
    register(base, "grace@example.org", "Grace Hopper")
    teacher_ctx, teacher = log_in(browser, base, "instructor@demo.coursewire")
    student_ctx, student = log_in(browser, base, "grace@example.org")
    try:
        teacher.goto(f"{base}/courses/{COURSE}/members")
        wait_live(teacher)
        assert teacher.locator(TABLE, has_text="Grace Hopper").count() == 0
        # The instructor makes the link on the page and reads it from the list.
        teacher.select_option("#invite-role", "student")
        teacher.fill("#f-max_uses", "5")
        teacher.click("#invites button[type=submit]")
        link = teacher.locator("#invites input.invite-url").first
        link.wait_for()
        url = link.input_value()
        assert re.search(r"/invites/[A-Za-z0-9_-]{32}$", url)
        # Another browser accepts it; the instructor's page is never reloaded.
        student.goto(url)
        student.click("text=Join the course")
        student.wait_for_url(f"{base}/courses/{COURSE}")
        row = teacher.locator(f"{TABLE} tr", has_text="grace@example.org")
        row.wait_for(timeout=10_000)
        assert row.locator("select").input_value() == "student"
        assert_live_equals_reload(teacher_ctx, teacher, f"{base}/courses/{COURSE}/members",
                                  TABLE)
        # Removal asks first, then the row leaves, live as well.
        teacher.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="Remove Grace Hopper").click()
        row.wait_for(state="detached", timeout=10_000)
        assert_live_equals_reload(teacher_ctx, teacher, f"{base}/courses/{COURSE}/members",
                                  TABLE)
    finally:
        teacher_ctx.close()
        student_ctx.close()


def test_a_visitor_signs_up_from_an_invite_and_lands_in_the_course(browser, server):
    base = server.base
    tok = api_token(base, "instructor@demo.coursewire")
    r = httpx.post(f"{base}/api/v1/courses/{COURSE}/invites", json={"role": "student"},
                   headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 201, r.text
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(r.json()["url"])
        assert "invited to join as" in page.inner_text("main")
        page.click("text=Create an account")
        page.fill("#f-name", "Katherine Johnson")
        page.fill("#f-email", "katherine@example.org")
        page.fill("#f-password", "coursewire-demo")
        page.click("#register-form button[type=submit]")
        page.wait_for_url(r.json()["url"])  # back at the invite, now signed in
        page.click("text=Join the course")
        page.wait_for_url(f"{base}/courses/{COURSE}")
        assert page.locator("h1, .course-title").count() > 0
    finally:
        context.close()


def test_self_enrolment_from_the_catalogue_appears_live_too(browser, server):
    base = server.base
    register(base, "dorothy@example.org", "Dorothy Vaughan")
    teacher_ctx, teacher = log_in(browser, base, "instructor@demo.coursewire")
    walker_ctx, walker = log_in(browser, base, "dorothy@example.org")
    try:
        teacher.goto(f"{base}/courses/{COURSE}/members")
        wait_live(teacher)
        teacher.check("#self-enrolment input[name=self_enrolment]")
        teacher.click("#self-enrolment button[type=submit]")
        teacher.wait_for_selector("#self-enrolment .form-message.ok")
        walker.goto(f"{base}/catalogue")
        walker.get_by_role("button", name="Enrol in Python from scratch").click()
        walker.wait_for_url(f"{base}/courses/{COURSE}")
        teacher.locator(f"{TABLE} tr", has_text="dorothy@example.org").wait_for(timeout=10_000)
        assert_live_equals_reload(teacher_ctx, teacher, f"{base}/courses/{COURSE}/members",
                                  TABLE)
    finally:
        teacher_ctx.close()
        walker_ctx.close()
