"""Announcements in a real browser: an instructor posts; a student's open dashboard shows it
without reloading, highlighted, and equal to a fresh load."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live
from tests.conftest import REDIS_URL
from tests.support.live import api_token, server_env, start_seeded
from tests.support.servers import ServerProcess

pytestmark = pytest.mark.browser

COURSE = "course-v1:Coursewire+PY101+2026"
LIST = "#announcements-course_2dv1_3aCoursewire_2bPY101_2b2026"


@pytest.fixture(scope="module", params=["uvicorn", "daphne"])
def server(request, db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("browser"), REDIS_URL)
    proc, _ = start_seeded(request.param, env)
    proc.env_used = env  # type: ignore[attr-defined]
    yield proc
    proc.stop()


def test_instructor_posts_and_students_open_dashboard_shows_it_live(browser, server):
    student_ctx, student = log_in(browser, server.base, "ada@demo.coursewire")
    teacher_ctx, teacher = log_in(browser, server.base, "instructor@demo.coursewire")
    try:
        wait_live(student)
        assert student.get_attribute(LIST, "aria-live") == "polite"
        teacher.goto(f"{server.base}/courses/{COURSE}")
        teacher.click("details.compose > summary")
        teacher.fill("#f-title", "Lab moved to room 101")
        teacher.fill("#f-body", "Bring your **laptop**.")
        teacher.click("#announcement-form button[type=submit]")
        teacher.wait_for_selector("#announcement-form .form-message.ok")
        # The student's page was never reloaded: the item arrives over the socket.
        item = student.locator(f"{LIST} li", has_text="Lab moved to room 101")
        item.wait_for(timeout=10_000)
        assert "laptop" in item.inner_text()
        assert "live-flash" in (item.get_attribute("class") or "")  # a visible highlight
        # The instructor's own open course page got it too.
        teacher.locator(f"{LIST} li", has_text="Lab moved to room 101").wait_for()
        assert_live_equals_reload(student_ctx, student, server.base + "/", LIST)
    finally:
        student_ctx.close()
        teacher_ctx.close()


def test_announcement_missed_while_disconnected_appears_after_reconnect(
        browser, server, tmp_path):
    if server.server != "uvicorn":
        pytest.skip("one restart scenario is enough")
    student_ctx, student = log_in(browser, server.base, "linus@demo.coursewire")
    try:
        wait_live(student)
        server.stop()
        student.wait_for_selector('#live-status[data-state="down"]', timeout=10_000)
        assert "reconnecting" in student.inner_text("#live-status").lower()
        # Meanwhile another process (same database) takes the post; this page can't hear it.
        other_env = {**server.env_used, "COURSEWIRE_DATA_DIR": str(tmp_path)}
        other = ServerProcess("uvicorn", other_env).start()
        try:
            tok = api_token(other.base, "instructor@demo.coursewire")
            r = httpx.post(f"{other.base}/api/v1/courses/{COURSE}/announcements",
                           json={"title": "Posted while you were away", "body": "hi"},
                           headers={"Authorization": f"Bearer {tok}"})
            assert r.status_code == 201
        finally:
            other.stop()
        server.start()
        wait_live(student, timeout=20_000)
        student.locator(f"{LIST} li", has_text="Posted while you were away").wait_for(
            timeout=10_000)
        assert_live_equals_reload(student_ctx, student, server.base + "/", LIST)
    finally:
        student_ctx.close()
