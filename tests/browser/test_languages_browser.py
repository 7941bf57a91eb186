"""Languages in a real browser: a student picks Suomi on the profile page and the pages,
the live status and a live announcement are Finnish (equal to a reload); a signed-out
visitor whose browser asks for Spanish gets the Spanish sign-in page."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live
from tests.conftest import REDIS_URL
from tests.support.live import api_token, server_env, start_seeded

pytestmark = pytest.mark.browser

COURSE = "course-v1:Coursewire+PY101+2026"
LIST = "#announcements-course_2dv1_3aCoursewire_2bPY101_2b2026"
FINNISH_DAYS = ("ma", "ti", "ke", "to", "pe", "la", "su")


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("browser"), REDIS_URL)
    proc, _ = start_seeded("uvicorn", env)
    yield proc
    proc.stop()


def test_a_student_picks_finnish_and_a_live_update_arrives_in_finnish(browser, server):
    context, page = log_in(browser, server.base, "ada@demo.coursewire", locale="en-GB")
    try:
        assert page.get_attribute("html", "lang") == "en"
        page.goto(server.base + "/profile")
        page.select_option("#f-language", "fi")
        page.click("#profile-form button[type=submit]")
        page.wait_for_function("() => document.documentElement.lang === 'fi'")
        assert page.inner_text("h1") == "Profiilisi"
        page.goto(server.base + "/")
        assert page.get_attribute("html", "lang") == "fi"
        assert page.inner_text("h1") == "Kurssisi"
        wait_live(page)
        token = api_token(server.base, "instructor@demo.coursewire")
        r = httpx.post(f"{server.base}/api/v1/courses/{COURSE}/announcements",
                       json={"title": "Tentti siirtyy", "body": "Sali 101"},
                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201, r.text
        item = page.locator(f"{LIST} li", has_text="Tentti siirtyy")
        item.wait_for(timeout=10_000)
        when = item.locator("time").inner_text()
        assert when.split(" ")[0] in FINNISH_DAYS, when
        # the Finnish habit (core/locale/fi.po's layout), written by local_time.js in the browser
        assert re.fullmatch(r"\w+ \d{1,2}\.\d{1,2}\.\d{4} klo \d{1,2}\.\d\d \S+", when), when
        assert_live_equals_reload(context, page, server.base + "/", LIST)
        # the browser's own strings follow: the catalogue is Finnish
        assert page.evaluate("cwT('Reconnect now')") == "Yhdistä nyt"
        # times the browser rewrites use the same words as the server (core/human_time.py)
        in_three_days = page.evaluate(
            "coursewireTime.relativeTime(new Date(Date.now() + 3 * 86400e3 + 60e3), Date.now())")
        assert in_three_days == "3 päivän päästä"
    finally:
        context.close()


def test_a_signed_out_visitor_asking_for_spanish_gets_spanish(browser, server):
    context = browser.new_context(locale="es-ES")
    try:
        page = context.new_page()
        page.goto(server.base + "/login")
        assert page.get_attribute("html", "lang") == "es"
        assert page.inner_text("h1") == "Iniciar sesión"
        assert re.search("Contraseña", page.inner_text("#login-form"))
        # the footer's switcher changes it for this visitor
        page.select_option("#f-footer-language", "fi")
        page.wait_for_function("() => document.documentElement.lang === 'fi'")
        assert page.inner_text("h1") == "Kirjaudu sisään"
    finally:
        context.close()
