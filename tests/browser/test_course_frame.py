"""The course frame in Chromium, on a desktop and a phone: each role's navigation with the
current page marked, the outline as a keyboard-usable menu on a phone, the staff
moderation count kept live, and the outline's unit marks filling in live (equal to a
fresh load). Screenshots of the pages go to $COURSEWIRE_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
import re

import httpx
import pytest
from playwright.sync_api import expect

from core.templating import dom_id
from tests.browser.conftest import assert_converges, wait_live
from tests.grading_app.live import PASSWORD, start_course_server

pytestmark = pytest.mark.browser

DESKTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}
STUDENT_NAV = ["Outline", "Progress", "Forum", "Announcements"]
STAFF_NAV = ["Gradebook", "Moderation"]


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    course = start_course_server(db_factory, tmp_path_factory.mktemp("frame"),
                                 server="uvicorn")
    yield course
    course.server.stop()


def open_as(browser, live, email: str, viewport: dict):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(live.server.base + "/login")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(re.escape(live.server.base) + r"/$"))
    return context, page


def nav_labels(page) -> list[str]:
    links = page.locator('nav[aria-label="Course"] a')
    return [re.sub(r"\s+\d+\s*waiting$", "", t).strip() for t in links.all_inner_texts()]


def shoot(page, name: str) -> None:
    folder = os.environ.get("COURSEWIRE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name + ".png"))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_each_role_gets_its_navigation_with_the_current_page_marked(browser, live, viewport):
    base, cid = live.server.base, live.course_id
    expected = {"ada@example.org": STUDENT_NAV,
                "ta@example.org": STUDENT_NAV + STAFF_NAV,
                "prof@example.org": STUDENT_NAV + STAFF_NAV + ["Studio", "Members"]}
    for email, labels in expected.items():
        context, page = open_as(browser, live, email, viewport)
        try:
            page.goto(f"{base}/courses/{cid}/units/unit-one")
            got = nav_labels(page)
            assert [g for g in got if g != "Peer review board"] == labels, got
            current = page.locator('nav[aria-label="Course"] a[aria-current="page"]')
            expect(current).to_have_text("Outline")
            crumbs = page.locator('nav[aria-label="Breadcrumb"]')
            expect(crumbs).to_contain_text("Courses")
            expect(page.locator(".course-outline a[aria-current='page']")).to_have_count(1)
            menu = page.locator("details.outline-menu")
            outline = page.locator(".course-outline")
            if viewport is PHONE:  # folded into a menu, opened from the keyboard
                expect(outline).to_be_hidden()
                page.locator("details.outline-menu > summary").focus()
                page.keyboard.press("Enter")
                expect(menu).to_have_attribute("open", "")
                expect(outline).to_be_visible()
            else:
                expect(outline).to_be_visible()
                expect(page.locator("details.outline-menu > summary")).to_be_hidden()
            shoot(page, f"{email.split('@')[0]}-unit-{'phone' if viewport is PHONE else 'desktop'}")
            page.goto(f"{base}/courses/{cid}/progress")
            expect(page.locator('nav[aria-label="Course"] a[aria-current="page"]')
                   ).to_have_text("Progress")
            # The live badge sits in the header's flow: it covers nothing.
            badge = page.locator("#live-status")
            expect(badge).to_be_visible()
            assert page.evaluate("getComputedStyle(document.getElementById('live-status'))"
                                 ".position") == "static"
        finally:
            context.close()


def test_moderation_count_is_live_on_every_staff_page(browser, live):
    base, cid = live.server.base, live.course_id
    count = "#modq-count-" + _dom(cid)
    context, page = open_as(browser, live, "ta@example.org", DESKTOP)
    try:
        page.goto(f"{base}/courses/{cid}/gradebook")
        wait_live(page)
        before = int(page.locator(count).get_attribute("data-count"))
        with httpx.Client(base_url=base) as c:
            r = c.post(f"/api/v1/courses/{cid}/forum/threads",
                       json={"title": "Help with loops", "body": "How?", "anonymity": "none"},
                       headers=live.headers("ada@example.org"))
            assert r.status_code == 201, r.text
            post_id = r.json()["post_id"]
            r = c.post(f"/api/v1/forum/posts/{post_id}/flags", json={"reason": "spam"},
                       headers=live.headers("bob@example.org"))
            assert r.status_code in (200, 201), r.text
        expect(page.locator(count)).to_have_attribute("data-count", str(before + 1))
        fresh = context.new_page()
        fresh.goto(f"{base}/courses/{cid}/gradebook")
        expect(fresh.locator(count)).to_have_attribute("data-count", str(before + 1))
        assert fresh.inner_html(count) == page.inner_html(count)
        fresh.close()
    finally:
        context.close()


def test_outline_marks_fill_in_live_and_equal_a_reload(browser, live):
    base, cid = live.server.base, live.course_id
    context, page = open_as(browser, live, "ada@example.org", DESKTOP)
    other, submitter = open_as(browser, live, "ada@example.org", PHONE)
    mark = "#mark-" + _dom(cid) + "-unit_2done"
    try:
        page.goto(f"{base}/courses/{cid}/units/unit-two")
        wait_live(page)
        expect(page.locator(mark)).to_have_attribute("data-state", "not-started")
        # Another browser (a phone) submits in the unit itself.
        submitter.goto(f"{base}/courses/{cid}/units/unit-one")
        wait_live(submitter)
        submitter.locator("details.outline-menu > summary").click()  # the phone's menu
        submitter.check('#block-pick input[value="a"]')
        submitter.click("#block-pick button[type=submit]")
        expect(page.locator(mark)).not_to_have_attribute("data-state", "not-started")
        expect(submitter.locator(mark)).not_to_have_attribute("data-state", "not-started")
        shoot(page, "ada-unit-after-grade-desktop")
        fresh = context.new_page()
        fresh.goto(f"{base}/courses/{cid}/units/unit-two")
        expect(fresh.locator(mark)).not_to_have_attribute("data-state", "loading")
        expect(fresh.locator(".course-outline[hx-get]")).to_have_count(0)
        assert_converges(fresh, page, ".course-outline")
        fresh.close()
    finally:
        context.close()
        other.close()


def _dom(value: str) -> str:
    return dom_id("x", value)[2:]


def test_staff_view_as_student_is_marked_and_cannot_write(browser, live):
    base, cid = live.server.base, live.course_id
    context, page = open_as(browser, live, "prof@example.org", DESKTOP)
    try:
        page.goto(f"{base}/courses/{cid}/units/unit-one")
        page.get_by_role("button", name="View as student").click()
        banner = page.locator(".preview-banner")
        expect(banner).to_contain_text("Viewing as a student")
        assert nav_labels(page) == STUDENT_NAV
        assert page.url.endswith("/units/unit-one")
        shoot(page, "prof-view-as-student-desktop")
        # Staff pages answer as they would to a student; writes are refused.
        assert page.goto(f"{base}/courses/{cid}/gradebook").status == 403
        page.goto(f"{base}/courses/{cid}/units/unit-one")
        page.check('#block-pick input[value="a"]')
        page.click("#block-pick button[type=submit]")
        r = page.request.post(f"{base}/courses/{cid}/blocks/pick/submissions",
                              form={"answer": "a"},
                              headers={"X-CSRF-Token": page.locator(
                                  'meta[name="csrf-token"]').get_attribute("content")})
        assert r.status == 403 and "viewing this course as a student" in r.text()
        page.get_by_role("button", name="Back to staff view").click()
        expect(page.locator(".preview-banner")).to_have_count(0)
        assert "Gradebook" in nav_labels(page)
        assert page.goto(f"{base}/courses/{cid}/gradebook").status == 200
    finally:
        context.close()
