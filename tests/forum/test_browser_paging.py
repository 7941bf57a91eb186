"""In Chromium, long lists page with "load more" and live updates still land in place.

The moderation queue shows its first page and a "load more" control; a report on an item
not loaded yet, and a report on a new post, land at the top live; a claim on an item not
loaded yet is not injected; "load more" then brings the rest with no item twice; and the
queue loaded to its end reads the same as after a reload loaded to its end. A thread's
replies do the same: a live reply lands at the end only on a page that shows the end, and
"load more" brings it once on the others."""

import json
import os
import re
import subprocess
import sys

import httpx
import pytest
from playwright.sync_api import expect

from forum.queue_pages import QUEUE_LIMIT
from forum.reply_pages import REPLIES_LIMIT
from tests.browser.conftest import browser  # noqa: F401 (the Chromium fixture)
from tests.conftest import REDIS_URL
from tests.forum.live import COURSE
from tests.forum.test_browser import NORMALIZE_JS, _login, _wait_live
from tests.support.live import api_token, server_env
from tests.support.servers import ROOT, ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

QUEUE = "modq-course_2dv1_3aCoursewire_2bPY101_2b2026"
TEACHER = "instructor@demo.coursewire"
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


# The live regions as the page loaded them, to tell when the socket's resync replaced them.
FIRST_REGIONS = """document.addEventListener("DOMContentLoaded", () => {
  window.__firstRegions = new Map();
  document.querySelectorAll("[aria-live][id]").forEach((e) => __firstRegions.set(e.id, e));
});"""


def _open_settled(page, path: str, region: str) -> None:
    """Open `path` and wait until the socket's first resync has replaced `region`: it
    re-sends the list's first page, so a "load more" before it would be undone."""
    page.add_init_script(FIRST_REGIONS)
    page.goto(path)
    _wait_live(page)
    page.wait_for_function("id => document.getElementById(id) !== "
                           "window.__firstRegions.get(id)", arg=region, timeout=10_000)


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
    _open_settled(ta, f"/courses/{COURSE}/forum/moderation", QUEUE)
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

    # Claims change items in place: one not loaded yet is not injected (the claim of a
    # loaded item, sent after it on the same topic, shows the first one has arrived).
    fresh = r.json()["id"]
    for post_id in (posts[1], posts[5]):
        claimed = httpx.post(f"{base}/api/v1/forum/posts/{post_id}/claim", json={},
                             headers={"Authorization": f"Bearer {api_token(base, TEACHER)}"})
        assert claimed.status_code == 200, claimed.text
    expect(ta.locator(f"#modq-item-{posts[5]}")).to_have_class(re.compile("claimed"),
                                                                timeout=10_000)
    assert f"modq-item-{posts[1]}" not in _ids(ta)
    assert len(_ids(ta)) == QUEUE_LIMIT + 2  # the first page and the two moved to the top

    _load_all(ta)
    expect(ta.locator(f"#modq-item-{posts[1]}")).to_have_class(re.compile("claimed"))
    live = _ids(ta)
    assert len(live) == len(set(live)) == SEEDED + 1
    assert live[:2] == [f"modq-item-{fresh}", f"modq-item-{posts[0]}"]
    assert live[2:] == [f"modq-item-{p}" for p in reversed(posts[1:])]
    live_html = ta.evaluate(NORMALIZE_JS, [QUEUE])

    _open_settled(ta, f"/courses/{COURSE}/forum/moderation", QUEUE)
    _load_all(ta)
    assert _ids(ta) == live
    assert ta.evaluate(NORMALIZE_JS, [QUEUE]) == live_html


def _reply_ids(page, thread_id: int) -> list[str]:
    return page.eval_on_selector_all(f"#thread-{thread_id}-posts > [id^=reply-]",
                                     "els => els.map(e => e.id)")


def _load_all_replies(page, thread_id: int) -> None:
    more = page.locator(f"#thread-{thread_id}-more button")
    while more.count():
        before = len(_reply_ids(page, thread_id))
        more.click()
        page.wait_for_function(f"n => document.querySelectorAll('#thread-{thread_id}-posts > "
                               f"[id^=reply-]').length > n", arg=before, timeout=10_000)
    page.wait_for_selector(f"#thread-{thread_id}-end", state="attached", timeout=10_000)


def test_thread_loads_more_replies_and_a_live_reply_lands_only_at_a_shown_end(
        browser, queue_server):  # noqa: F811
    server, seeded = queue_server
    base, thread_id = server.base, seeded["thread_id"]
    path = f"/forum/threads/{thread_id}"
    ada = _login(browser, base, "ada@demo.coursewire")
    margaret = _login(browser, base, "margaret@demo.coursewire")
    for page in (ada, margaret):
        _open_settled(page, path, f"thread-{thread_id}-posts")
    assert len(_reply_ids(ada, thread_id)) == REPLIES_LIMIT
    _load_all_replies(margaret, thread_id)
    shown = _reply_ids(margaret, thread_id)
    assert len(shown) == len(set(shown)) and len(shown) > REPLIES_LIMIT

    r = httpx.post(f"{base}/api/v1/forum/threads/{thread_id}/posts",
                   json={"body": "The newest reply of all"},
                   headers={"Authorization": f"Bearer {api_token(base, 'linus@demo.coursewire')}"})
    assert r.status_code == 201, r.text
    new = f"reply-{r.json()['id']}"
    # Shown at the end where the end is shown; the count says the frame reached both pages.
    expect(margaret.locator(f"#thread-{thread_id}-posts > [id^=reply-]").last).to_have_id(
        new, timeout=10_000)
    count = len(shown) + 1
    for page in (ada, margaret):
        expect(page.locator(f"#thread-{thread_id}-count")).to_contain_text(str(count),
                                                                           timeout=10_000)
    assert new not in _reply_ids(ada, thread_id)

    _load_all_replies(ada, thread_id)
    live = _reply_ids(ada, thread_id)
    assert live == [*shown, new] == _reply_ids(margaret, thread_id)
    live_html = ada.evaluate(NORMALIZE_JS, [f"thread-{thread_id}-posts"])
    _open_settled(ada, path, f"thread-{thread_id}-posts")
    _load_all_replies(ada, thread_id)
    assert _reply_ids(ada, thread_id) == live
    assert ada.evaluate(NORMALIZE_JS, [f"thread-{thread_id}-posts"]) == live_html


# While set, the page's socket may not reconnect (each attempt is cancelled and retried
# later with backoff, as after any failed attempt): the test changes the queue meanwhile.
HOLD_SOCKET = """document.addEventListener("htmx:ws:before:connection", (evt) => {
  if (window.__holdSocket) evt.detail.connection.cancelled = true;
});"""


def test_a_reconnect_resyncs_every_loaded_page_of_the_queue(browser, queue_server):  # noqa: F811
    server, _seeded = queue_server
    base = server.base
    ta = _login(browser, base, "ta@demo.coursewire")
    ta.add_init_script(HOLD_SOCKET)
    _open_settled(ta, f"/courses/{COURSE}/forum/moderation", QUEUE)
    _load_all(ta)  # two pages
    loaded = _ids(ta)
    assert len(loaded) > QUEUE_LIMIT
    # An item of the second page nobody has claimed yet.
    target = ta.evaluate(f"""() => [...document.querySelectorAll('#{QUEUE} > li.modq-item')]
        .slice({QUEUE_LIMIT}).find(e => !e.classList.contains('claimed')).id""")
    post_id = int(target.removeprefix("modq-item-"))

    # The socket drops; while it is down, the item on page 2 is claimed.
    ta.evaluate(f"""() => {{
      window.__holdSocket = true;
      window.__queueBefore = document.getElementById('{QUEUE}');
      document.getElementById('live')._htmx.ws.connection.socket.close();
    }}""")
    ta.wait_for_selector('#live-status[data-state="down"]', timeout=10_000)
    claimed = httpx.post(f"{base}/api/v1/forum/posts/{post_id}/claim", json={},
                         headers={"Authorization": f"Bearer {api_token(base, TEACHER)}"})
    assert claimed.status_code == 200, claimed.text
    ta.evaluate("() => { window.__holdSocket = false; "
                "window.dispatchEvent(new Event('online')); }")
    _wait_live(ta)
    # The reconnect's resync replaced the queue: with both pages, the claim on page 2 shown.
    ta.wait_for_function(f"() => document.getElementById('{QUEUE}') !== window.__queueBefore",
                         timeout=20_000)
    assert _ids(ta) == loaded
    expect(ta.locator(f"#{target}")).to_have_class(re.compile("claimed"))
    assert ta.locator(f"#{MORE} button").count() == 0  # nothing is left to load
    live_html = ta.evaluate(NORMALIZE_JS, [QUEUE])

    # The page equals a reload loaded as far.
    _open_settled(ta, f"/courses/{COURSE}/forum/moderation", QUEUE)
    _load_all(ta)
    assert _ids(ta) == loaded
    assert ta.evaluate(NORMALIZE_JS, [QUEUE]) == live_html
