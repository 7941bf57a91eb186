"""In Chromium: an instructor publishes an edit; the student's open unit page shows it
without a reload, and its live regions then equal a fresh load of the same page."""

import re

import pytest

from tests.browser.conftest import wait_loaded
from tests.conftest import REDIS_URL
from tests.content_app.conftest import COURSE
from tests.support.live import seeded_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OUTLINE = "#outline-course_2dv1_3aCoursewire_2bPY101_2b2026"
UNIT = "#unit-course_2dv1_3aCoursewire_2bPY101_2b2026-hello"
NEW_TEXT = "Edited live in the browser"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    yield from seeded_server(db_factory, tmp_path_factory.mktemp("content-browser"), REDIS_URL)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


def log_in(context, base: str, email: str):
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "coursewire-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def live_regions(page, unit: str = UNIT) -> dict[str, str]:
    def normal(html: str) -> str:
        html = re.sub(r'\s*class="live-flash"|\s?live-flash', "", html)
        return re.sub(r"\s+", " ", html).strip()
    return {sel: normal(page.inner_html(sel)) for sel in (OUTLINE, unit)}


def open_live(page, url: str):
    """Go to ``url`` and wait until its socket is connected and has delivered a frame
    (the resync of its live regions is sent on connect)."""
    frames: list[object] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f)))
    page.goto(url)
    page.wait_for_selector('#live-status[data-state="live"]', timeout=10_000)
    for _ in range(100):
        if frames:
            return page
        page.wait_for_timeout(100)
    raise AssertionError(f"{url}: the page's socket never delivered a frame")


def settled_regions(page, unit: str = UNIT) -> dict[str, str]:
    """The live regions once quiet, with their lazily loaded panels (the resync on
    connect re-sends regions, and their panels load again)."""
    previous = None
    for _ in range(20):
        wait_loaded(page)
        current = live_regions(page, unit)
        if current == previous:
            return current
        previous = current
        page.wait_for_timeout(250)
    return current


def test_a_published_edit_appears_on_the_open_unit_page_and_equals_a_reload(server, browser):
    teacher = browser.new_context()
    student = browser.new_context()
    try:
        student_page = open_live(log_in(student, server.base, "ada@demo.coursewire"),
                                 f"{server.base}/courses/{COURSE}/units/hello")
        assert NEW_TEXT not in student_page.inner_text(UNIT)

        editor = log_in(teacher, server.base, "instructor@demo.coursewire")
        editor.goto(f"{server.base}/courses/{COURSE}/studio/blocks/welcome")
        source = editor.input_value("#field-source")
        editor.fill("#field-source", f"{NEW_TEXT}.\n\n{source}")
        editor.click("text=Save to draft")
        editor.wait_for_selector("text=Saved to the draft.")
        assert NEW_TEXT not in student_page.inner_text(UNIT)  # a draft edit stays private

        open_live(editor, f"{server.base}/courses/{COURSE}/studio")
        editor.click(".studio-publish button[type=submit]")
        editor.wait_for_selector("#studio-message:has-text('Published')")

        student_page.wait_for_function(
            f"t => document.querySelector('{UNIT}').textContent.includes(t)", arg=NEW_TEXT,
            timeout=10_000)
        live = settled_regions(student_page)  # with the pushed unit's lazy panels loaded
        fresh_page = open_live(student.new_page(), f"{server.base}/courses/{COURSE}/units/hello")
        fresh = settled_regions(fresh_page)
        assert live == fresh
        assert NEW_TEXT in live[UNIT]
    finally:
        teacher.close()
        student.close()


def test_publishing_one_unit_updates_its_page_and_other_pages_equal_a_reload(server, browser):
    teacher = browser.new_context()
    student = browser.new_context()
    other_unit = "#unit-course_2dv1_3aCoursewire_2bPY101_2b2026-variables"
    try:
        hello = open_live(log_in(student, server.base, "ada@demo.coursewire"),
                          f"{server.base}/courses/{COURSE}/units/hello")
        variables = open_live(student.new_page(),
                              f"{server.base}/courses/{COURSE}/units/variables")

        editor = log_in(teacher, server.base, "instructor@demo.coursewire")
        editor.goto(f"{server.base}/courses/{COURSE}/studio/blocks/welcome")
        editor.fill("#field-source", f"Only this unit.\n\n{editor.input_value('#field-source')}")
        editor.click("text=Save to draft")
        editor.wait_for_selector("text=Saved to the draft.")
        open_live(editor, f"{server.base}/courses/{COURSE}/studio")
        row = "#studio-node-variables > .studio-row"
        editor.click(f"{row} summary")  # the row's action menu
        editor.fill(f"{row} .studio-rename input[name=title]", "Not yet")
        editor.click(f"{row} .studio-rename button")
        editor.wait_for_selector("#studio-message:has-text('Renamed')")
        editor.click("button[aria-label='Publish unit Hello, Python only']")
        editor.wait_for_selector("#studio-message:has-text('Published')")

        hello.wait_for_function(
            f"t => document.querySelector('{UNIT}').textContent.includes(t)",
            arg="Only this unit.", timeout=10_000)
        for page, unit in ((hello, UNIT), (variables, other_unit)):
            live = settled_regions(page, unit)
            fresh_page = open_live(student.new_page(), page.url)
            assert live == settled_regions(fresh_page, unit)
            assert "Not yet" not in live[OUTLINE]  # the renamed unit was not published
            fresh_page.close()
    finally:
        teacher.close()
        student.close()
