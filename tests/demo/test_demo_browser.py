"""The seeded demo in Chromium: its videos (course files) play."""

from __future__ import annotations

import pytest

from tests.browser.conftest import browser, log_in  # noqa: F401 (the Chromium fixture)
from tests.conftest import REDIS_URL
from tests.support.live import seed_demo, server_env
from tests.support.servers import ServerProcess

COURSE = "course-v1:Coursewire+PY101+2026"
PLAYABLE = """() => {
  const v = document.querySelector('video');
  return v && v.readyState >= 2 && isFinite(v.duration) && v.duration > 5 && !v.error;
}"""


@pytest.fixture
def demo_server(db_factory, tmp_path):
    env = server_env(db_factory, tmp_path / "data", REDIS_URL)
    seed_demo(env)
    server = ServerProcess("uvicorn", env).start(timeout=60)
    yield server
    server.stop()


def test_the_demo_videos_play_in_chromium(browser, demo_server):  # noqa: F811
    context, page = log_in(browser, demo_server.base, "ada@demo.coursewire")
    try:
        for unit in ("hello", "writing-def"):
            page.goto(f"{demo_server.base}/courses/{COURSE}/units/{unit}")
            page.wait_for_selector("video")
            # Muted playback is allowed without a gesture; playing loads the first frames.
            page.evaluate("() => { const v = document.querySelector('video'); "
                          "v.muted = true; v.play().catch(() => {}); }")
            page.wait_for_function(PLAYABLE, timeout=60_000)
    finally:
        context.close()
