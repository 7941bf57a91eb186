"""In Chromium, the moderation queue pages: a TA's open queue shows its first page and a
"load more" control; a report on an item not loaded yet, and a report on a new post, land
at the top live; "load more" then brings the rest with no item twice; and the whole queue,
loaded to its end, reads the same as after a reload loaded to its end."""

import json
import os
import subprocess
import sys

import httpx
import pytest
from playwright.sync_api import expect

from forum.queue_pages import QUEUE_LIMIT
from tests.browser.conftest import browser  # noqa: F401 (the Chromium fixture)
from tests.conftest import REDIS_URL
from tests.forum.live import COURSE
from tests.forum.test_browser import NORMALIZE_JS, _login, _wait_live
from tests.support.live import api_token, server_env
from tests.support.servers import ROOT, ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUEUE = "modq-course_2dv1_3aCoursewire_2bPY101_2b2026"
MORE = "modq-more-course_2dv1_3aCoursewire_2bPY101_2b2026"
SEEDED = QUEUE_LIMIT + 2


@pytest.fixture(scope="module")
def queue_server(db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("modq"), REDIS_URL)
    for module in (["tests.forum.seed"], ["tests.forum.seed_queue", str(SEEDED)]):
        done = subprocess.run([sys.executable, "-m", *module], cwd=ROOT, check=True,
                              env={**os.environ, **env}, capture_output=True, text=True,
                              timeout=300)
    server = ServerProcess("uvicorn", env).start(timeout=60)
    yield server, json.loads(done.stdout.strip().splitlines()[-1])
    server.stop()


def _ids(page) -> list[str]:
    return page.eval_on_selector_all(f"#{QUEUE} > li.modq-item", "els => els.map(e => e.id)")


def _load_all(page) -> None:
    more = page.locator(f"#{MORE} button")
    while more.count():
        before = len(_ids(page))
        more.click()
        page.wait_for_function(f"n => document.querySelectorAll('#{QUEUE} > li.modq-item')"
                               ".length > n", arg=before, timeout=10_000)


def _report(base: str, who: str, post_id: int) -> None:
    r = httpx.post(f"{base}/api/v1/forum/posts/{post_id}/flags", json={"reason": "spam"},
                   headers={"Authorization": f"Bearer {api_token(base, who)}"})
    assert r.status_code == 201, r.text


def test_queue_loads_more_and_live_reports_land_on_top(browser, queue_server):  # noqa: F811
    server, seeded = queue_server
    base, posts = server.base, seeded["post_ids"]
    ta = _login(browser, base, "ta@demo.coursewire")
    ta.goto(f"/courses/{COURSE}/forum/moderation")
    _wait_live(ta)
    assert len(_ids(ta)) == QUEUE_LIMIT and ta.locator(f"#{MORE} button").count() == 1
    assert f"modq-item-{posts[0]}" not in _ids(ta)

    # A report on the oldest item (not loaded yet) moves it to the top, where a reload has it.
    _report(base, "margaret@demo.coursewire", posts[0])
    expect(ta.locator(f"#{QUEUE} > li.modq-item").first).to_have_id(
        f"modq-item-{posts[0]}", timeout=10_000)
    # A report on a brand-new post lands on top too.
    r = httpx.post(f"{base}/api/v1/forum/threads/{seeded['thread_id']}/posts",
                   json={"body": "A fresh reply to report"},
                   headers={"Authorization": f"Bearer {api_token(base, 'linus@demo.coursewire')}"})
    assert r.status_code == 201, r.text
    _report(base, "margaret@demo.coursewire", r.json()["id"])
    expect(ta.locator(f"#{QUEUE} > li.modq-item").first).to_have_id(
        f"modq-item-{r.json()['id']}", timeout=10_000)

    _load_all(ta)
    live = _ids(ta)
    assert len(live) == len(set(live)) == SEEDED + 1
    assert live[:2] == [f"modq-item-{r.json()['id']}", f"modq-item-{posts[0]}"]
    assert live[2:] == [f"modq-item-{p}" for p in reversed(posts[1:])]
    live_html = ta.evaluate(NORMALIZE_JS, [QUEUE])

    ta.reload()
    _wait_live(ta)
    _load_all(ta)
    assert _ids(ta) == live
    assert ta.evaluate(NORMALIZE_JS, [QUEUE]) == live_html
