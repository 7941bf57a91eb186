"""Times in a real browser: each viewer's page shows every time on their own clock (the zone
their browser reports, stored once), live fragments rendered once for everyone included, and
the live page equals a reload."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.human_time import human_time
from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live
from tests.conftest import REDIS_URL
from tests.support.live import seeded_server

pytestmark = pytest.mark.browser

COURSE = "course-v1:Coursewire+PY101+2026"
LIST = "#announcements-course_2dv1_3aCoursewire_2bPY101_2b2026"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    yield from seeded_server(db_factory, tmp_path_factory.mktemp("tz"), REDIS_URL)


def stored_zone(page) -> str | None:
    origin = "/".join(page.url.split("/")[:3])
    return page.request.get(origin + "/api/v1/me").json()["timezone"]


def wait_stored_zone(page, zone: str) -> None:
    """The page sends the browser's zone once; wait for it to be stored."""
    for _ in range(50):
        if stored_zone(page) == zone:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the browser's zone {zone} was never stored: {stored_zone(page)}")


def times_read_on(page, selector: str, zone: str) -> list[str]:
    """Every <time> in `selector`, checked to read as core.human_time says on `zone`'s clock."""
    times = page.locator(f"{selector} time[data-local]")
    texts = []
    for i in range(times.count()):
        el = times.nth(i)
        instant = datetime.fromisoformat(el.get_attribute("datetime").replace("Z", "+00:00"))
        text = el.inner_text()
        assert text.startswith(human_time(instant, zone)), (text, zone)
        texts.append(text)
    return texts


def test_each_viewer_reads_a_live_announcement_on_their_own_clock(browser, server):
    helsinki_ctx, helsinki = log_in(browser, server.base, "ada@demo.coursewire",
                                    timezone_id="Europe/Helsinki")
    madrid_ctx, madrid = log_in(browser, server.base, "linus@demo.coursewire",
                                timezone_id="Europe/Madrid")
    teacher_ctx, teacher = log_in(browser, server.base, "instructor@demo.coursewire",
                                  timezone_id="UTC")
    try:
        wait_stored_zone(helsinki, "Europe/Helsinki")
        wait_stored_zone(madrid, "Europe/Madrid")
        for page in (helsinki, madrid):
            page.reload()
            wait_live(page)
        assert helsinki.get_attribute('meta[name="cw-timezone"]', "content") == "Europe/Helsinki"
        teacher.goto(f"{server.base}/courses/{COURSE}")
        teacher.click("details.compose > summary")
        teacher.fill("#f-title", "Exam room changed")
        teacher.fill("#f-body", "See you in B201.")
        teacher.click("#announcement-form button[type=submit]")
        teacher.wait_for_selector("#announcement-form .form-message.ok")
        for page, zone, names in ((helsinki, "Europe/Helsinki", ("EET", "EEST")),
                                  (madrid, "Europe/Madrid", ("CET", "CEST"))):
            item = page.locator(f"{LIST} li", has_text="Exam room changed")
            item.wait_for(timeout=10_000)  # arrived over the socket, rendered once for all
            text = times_read_on(page, f"{LIST} li:has-text('Exam room changed')", zone)[0]
            assert text.split()[-1] in names
            times_read_on(page, LIST, zone)
        assert_live_equals_reload(helsinki_ctx, helsinki, server.base + "/", LIST)
        assert_live_equals_reload(madrid_ctx, madrid, server.base + "/", LIST)
        # The instructor's own page: UTC, as their browser said.
        teacher.locator(f"{LIST} li", has_text="Exam room changed").wait_for()
        times_read_on(teacher, LIST, "UTC")
    finally:
        for ctx in (helsinki_ctx, madrid_ctx, teacher_ctx):
            ctx.close()


def test_a_chosen_zone_wins_over_the_browsers(browser, server):
    ctx, page = log_in(browser, server.base, "margaret@demo.coursewire",
                       timezone_id="America/New_York")
    try:
        wait_stored_zone(page, "America/New_York")
        page.goto(server.base + "/profile")
        page.select_option("#f-timezone", "Europe/Helsinki")
        page.click("#profile-form button[type=submit]")
        page.wait_for_selector("#profile-form .form-message.ok")
        assert stored_zone(page) == "Europe/Helsinki"
        page.goto(f"{server.base}/courses/{COURSE}")
        assert page.get_attribute('meta[name="cw-timezone"]', "content") == "Europe/Helsinki"
        times_read_on(page, "main", "Europe/Helsinki")
        assert page.locator("main time[data-local]").count() > 0
        # a bad zone (a tampered form) is refused in place, keeping the form
        page.goto(server.base + "/profile")
        page.eval_on_selector("#f-timezone", "el => { el.add(new Option('Mars/Olympus', "
                                             "'Mars/Olympus', true, true)); }")
        page.click("#profile-form button[type=submit]")
        page.wait_for_selector("#f-timezone-error")
        assert page.input_value("#f-timezone") == "Mars/Olympus"
        assert stored_zone(page) == "Europe/Helsinki"
    finally:
        ctx.close()
