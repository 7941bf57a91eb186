"""In Chromium: an instructor publishes an edit; the student's open unit page shows it
without a reload, and its live regions then equal a fresh load of the same page."""

import re

import pytest

from tests.browser.conftest import wait_loaded
from tests.conftest import REDIS_URL
from tests.content_app.conftest import COURSE
from tests.support.live import server_env, start_seeded

pytestmark = [pytest.mark.browser, pytest.mark.slow]
OUTLINE = "#outline-course-v1_Coursewire_PY101_2026"
UNIT = "#unit-course-v1_Coursewire_PY101_2026-hello"
NEW_TEXT = "Edited live in the browser"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("content-browser"), REDIS_URL)
    server, _ = start_seeded("uvicorn", env)
    yield server
    server.stop()


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


def test_a_published_edit_appears_on_the_open_unit_page_and_equals_a_reload(server, browser):
    teacher = browser.new_context()
    student = browser.new_context()
    try:
        student_page = log_in(student, server.base, "ada@demo.coursewire")
        student_page.goto(f"{server.base}/courses/{COURSE}/units/hello")
        student_page.wait_for_selector("#live-status[data-state=live]")
        assert NEW_TEXT not in student_page.inner_text(UNIT)

        editor = log_in(teacher, server.base, "instructor@demo.coursewire")
        editor.goto(f"{server.base}/courses/{COURSE}/studio/blocks/welcome")
        source = editor.input_value("#field-source")
        editor.fill("#field-source", f"{NEW_TEXT}.\n\n{source}")
        editor.click("text=Save to draft")
        editor.wait_for_selector("text=Saved to the draft.")
        assert NEW_TEXT not in student_page.inner_text(UNIT)  # a draft edit stays private

        editor.goto(f"{server.base}/courses/{COURSE}/studio")
        editor.wait_for_selector("#live-status[data-state=live]")
        editor.click(".studio-publish button[type=submit]")
        editor.wait_for_selector("#studio-message:has-text('Published')")

        student_page.wait_for_function(
            f"t => document.querySelector('{UNIT}').textContent.includes(t)", arg=NEW_TEXT,
            timeout=10_000)
        wait_loaded(student_page)  # the pushed unit's lazily loaded panels (discussion)
        live = live_regions(student_page)
        fresh_page = student.new_page()
        fresh_page.goto(f"{server.base}/courses/{COURSE}/units/hello")
        wait_loaded(fresh_page)
        fresh = live_regions(fresh_page)
        assert live == fresh
        assert NEW_TEXT in live[UNIT]
    finally:
        teacher.close()
        student.close()


def test_publishing_one_unit_updates_its_page_and_other_pages_equal_a_reload(server, browser):
    teacher = browser.new_context()
    student = browser.new_context()
    other_unit = "#unit-course-v1_Coursewire_PY101_2026-variables"
    try:
        hello = log_in(student, server.base, "ada@demo.coursewire")
        hello.goto(f"{server.base}/courses/{COURSE}/units/hello")
        variables = student.new_page()
        variables.goto(f"{server.base}/courses/{COURSE}/units/variables")
        for page in (hello, variables):
            page.wait_for_selector("#live-status[data-state=live]")

        editor = log_in(teacher, server.base, "instructor@demo.coursewire")
        editor.goto(f"{server.base}/courses/{COURSE}/studio/blocks/welcome")
        editor.fill("#field-source", f"Only this unit.\n\n{editor.input_value('#field-source')}")
        editor.click("text=Save to draft")
        editor.wait_for_selector("text=Saved to the draft.")
        editor.goto(f"{server.base}/courses/{COURSE}/studio")
        editor.wait_for_selector("#live-status[data-state=live]")
        editor.fill("#studio-node-variables .studio-rename input[name=title]", "Not yet")
        editor.click("#studio-node-variables .studio-rename button")
        editor.wait_for_selector("#studio-message:has-text('Renamed')")
        editor.click("button[aria-label='Publish unit Hello, Python only']")
        editor.wait_for_selector("#studio-message:has-text('Published')")

        hello.wait_for_function(
            f"t => document.querySelector('{UNIT}').textContent.includes(t)",
            arg="Only this unit.", timeout=10_000)
        for page, unit in ((hello, UNIT), (variables, other_unit)):
            wait_loaded(page)
            live = live_regions(page, unit)
            fresh_page = student.new_page()
            fresh_page.goto(page.url)
            wait_loaded(fresh_page)
            assert live == live_regions(fresh_page, unit)
            assert "Not yet" not in live[OUTLINE]  # the renamed unit was not published
            fresh_page.close()
    finally:
        teacher.close()
        student.close()
