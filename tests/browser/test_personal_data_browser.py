"""Personal data in a real browser: a student downloads their data from the profile, then
deletes their account there (a wrong password is refused and the tick stays). Their other
open tab is signed out and the instructor's open members page shows "Deleted user" in
their place, both without a reload; the live page equals a fresh load."""

from __future__ import annotations

import json

import pytest

from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live
from tests.conftest import REDIS_URL
from tests.support.live import seeded_server

pytestmark = pytest.mark.browser

ADA = "ada@demo.coursewire"
COURSE = "course-v1:Coursewire+PY101+2026"
TABLE = "#members-course_2dv1_3aCoursewire_2bPY101_2b2026"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    yield from seeded_server(db_factory, tmp_path_factory.mktemp("gdpr"), REDIS_URL)


def test_download_my_data_then_delete_my_account_live_everywhere(browser, server):
    base = server.base
    teacher_ctx, teacher = log_in(browser, base, "instructor@demo.coursewire")
    other_tab_ctx, other_tab = log_in(browser, base, ADA)
    ctx, page = log_in(browser, base, ADA)
    try:
        teacher.goto(f"{base}/courses/{COURSE}/members")
        wait_live(teacher)
        assert teacher.locator(TABLE, has_text="Ada Student").count() == 1
        wait_live(other_tab)

        page.goto(base + "/profile")
        with page.expect_download() as download:
            page.click("#download-my-data")
        data = json.loads(open(download.value.path()).read())
        assert data["profile"]["email"] == ADA
        assert any(m["course_id"] == COURSE for m in data["courses"]["memberships"])
        assert {"grading", "forum", "quizzes", "peer_review", "events"} <= set(data)

        page.fill("#f-delete-password", "not my password")
        page.check("#f-delete-confirm")
        page.click("#delete-account-form button[type=submit]")
        page.wait_for_selector("#delete-account-form .form-message.error")
        assert page.is_checked("#f-delete-confirm")  # kept on refusal
        page.fill("#f-delete-password", "coursewire-demo")
        page.click("#delete-account-form button[type=submit]")
        page.wait_for_selector("#account-deleted")
        assert "Log out" not in page.content()

        # The other tab learns it is signed out; the instructor's list changes; no reloads.
        other_tab.wait_for_selector('#live-status[data-state="signed-out"]', timeout=10_000)
        teacher.locator(TABLE, has_text="Deleted user").wait_for(timeout=10_000)
        assert teacher.locator(TABLE, has_text="Ada Student").count() == 0
        assert_live_equals_reload(teacher_ctx, teacher, f"{base}/courses/{COURSE}/members",
                                  TABLE)
        assert ctx.request.get(base + "/api/v1/me").status == 401
        page.goto(base + "/login")
        page.fill("#f-email", ADA)
        page.fill("#f-password", "coursewire-demo")
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#login-form .form-message.error")
    finally:
        teacher_ctx.close()
        other_tab_ctx.close()
        ctx.close()
