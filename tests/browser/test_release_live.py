"""A chapter released at its start time, in a real browser: a student's open course page
gains it in the outline without a reload (the release schedule's `content.released`), and
the outline then equals a fresh load's."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import expect

from courseware.service import DEMO_COURSE_FOLDER
from tests.browser.conftest import log_in, normalized_html, wait_live
from tests.conftest import REDIS_URL
from tests.content_app.conftest import archive_of
from tests.support.live import api_token, seeded_server

pytestmark = pytest.mark.browser

COURSE = "course-v1:Coursewire+PY101+2026"
OUTLINE = "#outline-course_2dv1_3aCoursewire_2bPY101_2b2026"
LOOPS = f'{OUTLINE} [data-block="loops"]'


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    yield from seeded_server(db_factory, tmp_path_factory.mktemp("browser-release"), REDIS_URL)


def publish_with_loops_starting(server, tmp_path, start: datetime) -> None:
    folder = tmp_path / "course"
    shutil.copytree(DEMO_COURSE_FOLDER, folder)
    chapter = folder / "02-loops" / "chapter.yaml"
    chapter.write_text(chapter.read_text().replace("start: 2026-01-26T09:00:00Z",
                                                   f"start: {start.isoformat()}"))
    token = api_token(server.base, "instructor@demo.coursewire")
    r = httpx.post(f"{server.base}/api/v1/courses/{COURSE}/import?publish=1",
                   content=archive_of(folder), timeout=60,
                   headers={"Authorization": f"Bearer {token}",
                            "content-type": "application/gzip"})
    assert r.status_code == 200, r.text


def outline_of(page) -> str:
    expect(page.locator('[hx-trigger="load"]')).to_have_count(0)
    return normalized_html(page, OUTLINE)


def test_open_outline_gains_a_chapter_when_its_start_passes(browser, server, tmp_path):
    start = datetime.now(UTC) + timedelta(seconds=20)
    publish_with_loops_starting(server, tmp_path, start)
    context, student = log_in(browser, server.base, "ada@demo.coursewire")
    try:
        student.goto(f"{server.base}/courses/{COURSE}")
        wait_live(student)
        assert datetime.now(UTC) < start, "the test ran too slowly to see the chapter arrive"
        expect(student.locator(f'{OUTLINE} [data-block="getting-started"]')).to_be_visible()
        expect(student.locator(LOOPS)).to_have_count(0)
        # The page is never reloaded: the chapter arrives over the socket at its start.
        expect(student.locator(LOOPS)).to_be_visible(timeout=45_000)
        assert datetime.now(UTC) >= start
        expect(student.locator(f'{LOOPS} a[href$="/units/for-loops"]')).to_be_visible()
        fresh = context.new_page()
        fresh.goto(f"{server.base}/courses/{COURSE}")
        assert outline_of(fresh) == outline_of(student)
        fresh.close()
    finally:
        context.close()
