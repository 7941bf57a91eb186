"""An LTI launch in Chromium: a learner clicks the link in a (simulated) platform, lands
signed in on the Coursewire unit the link targets, submits and sees the grade arrive live
(equal to a reload), and the instructor's gradebook lists the new student's score."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, normalized_html, wait_live
from tests.grading_app.live import PASSWORD, start_course_server
from tests.lti.platform_server import PlatformServer
from tests.support.live import session_cookie
from tests.support.servers import ROOT

pytestmark = pytest.mark.browser

WIDGET = "#submission-course_2dv1_3aTest_2bGR101_2b2026-pick"
ADMIN = "admin@example.org"


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("lti"), server="uvicorn")
    platform = PlatformServer().start()
    out = subprocess.run([sys.executable, "-m", "app.cli", "createuser", ADMIN, "--name",
                          "Admin", "--password", "-", "--admin"], cwd=ROOT,
                         env={**os.environ, **course.server.env}, input=PASSWORD + "\n",
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    base = course.server.base
    token = httpx.post(base + "/api/v1/auth/token",
                       json={"email": ADMIN, "password": PASSWORD}).json()["access_token"]
    r = httpx.post(base + "/api/v1/lti/registrations", json=platform.platform.registration(),
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 201, r.text
    cookie, csrf = session_cookie(base, "prof@example.org", PASSWORD)  # the course's instructor
    r = httpx.post(f"{base}/courses/{course.course_id}/lti", headers={"Cookie": cookie},
                   data={"csrf_token": csrf, "registration_id": str(r.json()["id"]),
                         "action": "connect"})
    assert r.status_code == 200 and 'data-connected="yes"' in r.text
    yield course, platform
    platform.stop()
    course.server.stop()


def test_a_learner_launch_lands_signed_in_on_the_unit_and_grades_arrive_live(browser, live):
    course, platform = live
    base, cid = course.server.base, course.course_id
    platform.targets["student"] = f"{base}/courses/{cid}/units/unit-one"
    staff_ctx, staff = log_in(browser, base, "prof@example.org", PASSWORD)
    learner_ctx = browser.new_context()
    learner = learner_ctx.new_page()
    try:
        learner.goto(platform.login_url(base, sub="moodle-user-77", role="student",
                                        target=platform.targets["student"]))
        learner.wait_for_url(f"{base}/courses/{cid}/units/unit-one")
        assert "First unit" in learner.inner_text("main")
        wait_live(learner)
        learner.wait_for_selector(f'{WIDGET}[data-status="none"]')
        learner.check('#block-pick input[value="a"]')
        learner.click("#block-pick button[type=submit]")
        learner.wait_for_selector(f'{WIDGET}[data-status="graded"]', timeout=30_000)
        assert "2 / 2" in learner.inner_text(WIDGET)
        fresh = learner_ctx.new_page()  # live = reload for the launched student
        fresh.goto(f"{base}/courses/{cid}/units/unit-one")
        fresh.wait_for_selector(f'{WIDGET} .submission-status[data-state="graded"]')
        fresh.wait_for_load_state("networkidle")
        assert normalized_html(fresh, WIDGET) == normalized_html(learner, WIDGET)
        fresh.close()
        # The launch enrolled them: the instructor's gradebook lists their score.
        me = learner_ctx.request.get(f"{base}/api/v1/me").json()
        assert me["name"] == "Platform moodle-user-77"
        staff.goto(f"{base}/courses/{cid}/gradebook")
        expect(staff.locator(f"#gb-{me['id']}-pick")).to_have_text("2")
        assert platform.platform.jwks_fetches == 1
    finally:
        learner_ctx.close()
        staff_ctx.close()


def test_a_launch_inside_the_platforms_iframe_shows_the_course_page_live(browser, live):
    """The platform (another origin: another port) frames the tool: the launched unit page
    renders in the frame with the course frame around it, and its socket goes live."""
    course, platform = live
    base, cid = course.server.base, course.course_id
    platform.targets["student"] = f"{base}/courses/{cid}/units/unit-one"
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(platform.framed_url(platform.login_url(
            base, sub="moodle-user-79", role="student", target=platform.targets["student"])))
        tool = page.frame_locator("#tool")
        expect(tool.locator("main")).to_contain_text("First unit", timeout=15_000)
        expect(tool.locator(".course-frame .breadcrumbs")).to_be_visible()
        expect(tool.locator('#live-status[data-state="live"]')).to_have_count(1,
                                                                            timeout=10_000)
        frame = next(f for f in page.frames if f.url.startswith(base))
        assert frame.url == f"{base}/courses/{cid}/units/unit-one"
    finally:
        context.close()


def test_a_refused_launch_shows_a_clear_page_in_the_browser(browser, live):
    course, platform = live
    base = course.server.base
    platform.targets["student"] = f"{base}/courses/{course.course_id}/units/unit-one"
    context = browser.new_context()
    page = context.new_page()
    try:
        platform.platform.deployment_id = "deployment-unknown"
        page.goto(platform.login_url(base, sub="moodle-user-78", role="student",
                                     target=platform.targets["student"]))
        page.wait_for_url(f"{base}/lti/login*")
        assert "not registered" in page.inner_text("main")
    finally:
        platform.platform.deployment_id = "deployment-1"
        context.close()
