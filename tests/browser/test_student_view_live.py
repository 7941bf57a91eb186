""""View as student" holds for the page's socket too, in a real browser: an instructor
previewing a unit gets a publish's frames rendered for students (a hidden component's
title never arrives, the staff topic is refused), while the same instructor's staff page
gets the staff frame; the previewed unit, kept live, equals a fresh load's."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import httpx
import pytest
from playwright.sync_api import expect

from courseware.service import DEMO_COURSE_FOLDER
from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live
from tests.browser.test_release_live import COURSE, server
from tests.content_app.conftest import archive_of
from tests.support.live import api_token

pytestmark = pytest.mark.browser

SECRET = "Pangolin-Hidden-5127"  # only in a hidden component's title
FRESH = "Running, renamed live"  # a rename every reader may see: the frames' barrier
TEACHER = "instructor@demo.coursewire"
UNIT = "section.unit"
__all__ = ["server"]  # the seeded demo server of test_release_live, one per module


def publish_hidden_component(server, tmp_path) -> None:
    folder = tmp_path / "course"
    shutil.copytree(DEMO_COURSE_FOLDER, folder)
    hello = folder / "01-getting-started" / "01-first-steps" / "01-hello"
    for name, old, new in (("01-welcome.md", "title: Welcome", f"title: Welcome {SECRET}\n"
                            "hidden: true"),
                           ("02-running-python.yaml", "title: Running your first program",
                            f"title: {FRESH}")):
        text = (hello / name).read_text()
        assert old in text, name
        (hello / name).write_text(text.replace(old, new, 1))
    token = api_token(server.base, TEACHER)
    r = httpx.post(f"{server.base}/api/v1/courses/{COURSE}/import?publish=1",
                   content=archive_of(folder), timeout=60,
                   headers={"Authorization": f"Bearer {token}",
                            "content-type": "application/gzip"})
    assert r.status_code == 200, r.text


def topics_denied_to(page, base: str, topics: list[str]) -> list[str]:
    """Open a second page socket from `page` (its cookies) and read what it refuses."""
    url = base.replace("http", "ws", 1) + "/ws?topics=" + quote(",".join(topics))
    return page.evaluate("""url => new Promise((resolve, reject) => {
        const socket = new WebSocket(url);
        const timer = setTimeout(() => { socket.close(); resolve([]); }, 8000);
        socket.onmessage = (event) => {
          const found = /data-denied="([^"]*)"/.exec(event.data);
          if (!found) return;
          clearTimeout(timer); socket.close();
          const text = document.createElement("textarea");
          text.innerHTML = found[1];
          resolve(JSON.parse(text.value));
        };
        socket.onerror = () => reject(new Error("socket failed"));
    })""", url)


def test_a_previewing_page_gets_student_frames_only(browser, server, tmp_path):
    base, unit = server.base, f"{server.base}/courses/{COURSE}/units/hello"
    preview_context, preview = log_in(browser, base, TEACHER)
    staff_context, staff = log_in(browser, base, TEACHER)
    try:
        preview.goto(unit)
        preview.get_by_role("button", name="View as student").click()
        expect(preview.locator(".preview-banner")).to_contain_text("Viewing as a student")
        wait_live(preview)
        staff.goto(unit)
        wait_live(staff)
        # The preview's socket reads the course as a student: no staff topic for it.
        assert f"course:{COURSE}:staff" in topics_denied_to(
            preview, base, [f"course:{COURSE}", f"course:{COURSE}:staff"])
        assert topics_denied_to(staff, base, [f"course:{COURSE}:staff"]) == []

        publish_hidden_component(server, tmp_path)
        # The detector works: the staff page gets the hidden component's title, marked.
        expect(staff.locator(UNIT)).to_contain_text(SECRET, timeout=20_000)
        expect(staff.locator(UNIT)).to_contain_text("Not visible to students: Hidden")
        # The preview gets the same publish (the rename arrives) rendered for students.
        expect(preview.locator(UNIT)).to_contain_text(FRESH, timeout=20_000)
        expect(preview.locator(f'{UNIT} [data-block="welcome"]')).to_have_count(0)
        assert SECRET not in preview.content()

        assert_live_equals_reload(preview_context, preview, unit, UNIT)
    finally:
        preview_context.close()
        staff_context.close()
