"""In Chromium, thread lists keep "live = reload": a student's own anonymous thread reads
"you (anonymous)" on their open list as after a reload (and "Anonymous" to everyone else)
through new replies and re-sent lists; a list filtered to one topic, on the forum page and
in a unit's discussion block, catches up on a thread started while its socket was down; a
student's open "My posts" list moves their thread to the top when someone replies in it."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser  # noqa: F401 (the Chromium fixture)
from tests.forum.live import COURSE
from tests.forum.test_browser import _live_equals_reload, _login, _wait_live
from tests.forum.test_browser import content_server as server  # noqa: F401 (restarted here)
from tests.support.live import api_token
from tests.support.servers import ServerProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLUG = "course_2dv1_3aCoursewire_2bPY101_2b2026"
ALL_LISTS = [f"forum-pinned-{SLUG}-all", f"forum-threads-{SLUG}-all"]
MINE_LISTS = [f"forum-pinned-{SLUG}-mine", f"forum-threads-{SLUG}-mine"]
TOPIC_LISTS = [f"forum-pinned-{SLUG}-introductions", f"forum-threads-{SLUG}-introductions"]


def _open(browser, base: str, visits: list[tuple[str, str]]):  # noqa: F811
    """A logged-in context per (email, path), each page open on its path and live."""
    contexts, pages = [], []
    for email, path in visits:
        contexts.append(browser.new_context(base_url=base))
        pages.append(_login(browser, base, email, contexts[-1]))
        pages[-1].goto(path)
    for page in pages:
        _wait_live(page)
    return contexts, pages


def _bearer(base: str, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(base, email)}"}


def _start_thread(base: str, auth: dict[str, str], title: str, **fields) -> dict:
    r = httpx.post(f"{base}/api/v1/courses/{COURSE}/forum/threads", headers=auth,
                   json={"title": title, "body": f"About {title}", **fields})
    assert r.status_code == 201, r.text
    return r.json()


def _row_says(page, thread_id: int, text: str) -> None:
    author = page.locator(f"#thread-row-{thread_id} .author").first
    expect(author).to_have_text(text, timeout=10_000)


def test_own_anonymous_thread_reads_the_same_live_and_after_reload(browser, server):  # noqa: F811
    base = server.base
    forum = f"/courses/{COURSE}/forum"
    contexts, (ada, linus) = _open(browser, base, [("ada@demo.coursewire", forum),
                                                   ("linus@demo.coursewire", forum)])
    try:
        mine = _start_thread(base, _bearer(base, "ada@demo.coursewire"), "Mine, unnamed",
                             anonymity="peers")
        _row_says(ada, mine["id"], "you (anonymous)")
        _row_says(linus, mine["id"], "Anonymous")

        # Someone else's reply moves the row to the top, rendered for the student audience.
        r = httpx.post(f"{base}/api/v1/forum/threads/{mine['id']}/posts", json={"body": "Hi"},
                       headers=_bearer(base, "linus@demo.coursewire"))
        assert r.status_code == 201, r.text
        for page in (ada, linus):
            page.locator(f"#thread-row-{mine['id']} .reply-count", has_text="1 reply").wait_for(
                timeout=10_000)
        _row_says(ada, mine["id"], "you (anonymous)")

        # Pinning another thread re-sends whole lists, this row among them.
        ta = _bearer(base, "ta@demo.coursewire")
        other = _start_thread(base, ta, "To be pinned")
        r = httpx.post(f"{base}/api/v1/forum/posts/{other['post_id']}/moderation", headers=ta,
                       json={"action": "pin"})
        assert r.status_code == 200, r.text
        for page in (ada, linus):
            page.wait_for_selector(f"#{ALL_LISTS[0]} #thread-row-{other['id']}",
                                   timeout=10_000)
        _row_says(ada, mine["id"], "you (anonymous)")
        _row_says(linus, mine["id"], "Anonymous")
        assert "you (anonymous)" not in linus.content()
        _live_equals_reload(ada, ALL_LISTS)
        _live_equals_reload(linus, ALL_LISTS)
        _row_says(ada, mine["id"], "you (anonymous)")
    finally:
        for context in contexts:
            context.close()


def test_topic_lists_catch_up_on_a_thread_started_while_disconnected(
        browser, server, tmp_path):  # noqa: F811
    base = server.base
    ta = _bearer(base, "ta@demo.coursewire")
    _start_thread(base, ta, "Already here", topic_id="introductions")
    panel = f"#discussion-{SLUG}-introduce_2dyourself"
    contexts, (linus, ada) = _open(browser, base, [
        ("linus@demo.coursewire", f"/courses/{COURSE}/forum?topic=introductions"),
        ("ada@demo.coursewire", f"/courses/{COURSE}/units/hello")])
    try:
        ada.wait_for_selector(f"{panel} #{TOPIC_LISTS[1]}", state="attached", timeout=10_000)

        server.stop()
        for page in (linus, ada):
            page.wait_for_selector('#live-status[data-state="down"]', timeout=10_000)
        # Another process (same database) takes the thread; these pages can't hear it.
        other = ServerProcess("uvicorn", {**server.env, "COURSEWIRE_DATA_DIR": str(tmp_path)})
        other.start()
        try:
            made = _start_thread(other.base, _bearer(other.base, "margaret@demo.coursewire"),
                                 "Started while you were away", topic_id="introductions")
        finally:
            other.stop()
        server.start()

        for page in (linus, ada):  # reconnect backs off while the server is down
            page.wait_for_selector("#live-status[data-state=live]", timeout=30_000)
            page.wait_for_selector(f"#{TOPIC_LISTS[1]} #thread-row-{made['id']}",
                                   timeout=10_000)
        assert re.search(r"/forum\?topic=introductions$", linus.url)
        _live_equals_reload(linus, TOPIC_LISTS)
        _live_equals_reload(ada, TOPIC_LISTS)
    finally:
        for context in contexts:
            context.close()


def test_my_posts_list_moves_a_replied_thread_to_the_top_live_as_after_reload(
        browser, server):  # noqa: F811
    base = server.base
    ada_auth = _bearer(base, "ada@demo.coursewire")
    asked = _start_thread(base, ada_auth, "Ada asks first")
    _start_thread(base, ada_auth, "Ada asks again")  # newer: on top until the reply
    contexts, (ada, linus) = _open(browser, base, [
        ("ada@demo.coursewire", f"/courses/{COURSE}/forum?mine=1"),
        ("linus@demo.coursewire", f"/courses/{COURSE}/forum")])
    top = f"#{MINE_LISTS[1]} > li:first-child"
    try:
        ada.locator(top, has_text="Ada asks again").wait_for(timeout=10_000)
        r = httpx.post(f"{base}/api/v1/forum/threads/{asked['id']}/posts",
                       json={"body": "Linus answers"},
                       headers=_bearer(base, "linus@demo.coursewire"))
        assert r.status_code == 201, r.text
        linus.locator(f"#{ALL_LISTS[1]} > li:first-child", has_text="Ada asks first").wait_for(
            timeout=10_000)
        # Ada's own list: the thread moved up, with its new reply count, not gone.
        ada.locator(f"{top} .reply-count", has_text="1 reply").wait_for(timeout=10_000)
        ada.locator(top, has_text="Ada asks first").wait_for(timeout=10_000)
        assert ada.locator(f"#{MINE_LISTS[1]} > li", has_text="Ada asks again").count() == 1
        assert linus.locator(f"#{MINE_LISTS[1]}").count() == 0
        _live_equals_reload(ada, MINE_LISTS)
        _live_equals_reload(linus, ALL_LISTS)
    finally:
        for context in contexts:
            context.close()


def test_my_posts_row_of_someone_elses_thread_moves_up_through_the_shared_frame(
        browser, server):  # noqa: F811
    """Margaret replied in two TA threads; a reply by Linus moves the older one to the top
    of her open "My posts" list, though no list is re-rendered for her (she neither wrote
    the new reply nor started the thread), and her list then equals a reload."""
    base = server.base
    ta = _bearer(base, "ta@demo.coursewire")
    margaret_auth = _bearer(base, "margaret@demo.coursewire")
    older = _start_thread(base, ta, "Margaret answered first")
    newer = _start_thread(base, ta, "Margaret answered last")
    for thread in (older, newer):
        r = httpx.post(f"{base}/api/v1/forum/threads/{thread['id']}/posts",
                       json={"body": f"Margaret on {thread['id']}"}, headers=margaret_auth)
        assert r.status_code == 201, r.text
    contexts, (margaret,) = _open(browser, base, [
        ("margaret@demo.coursewire", f"/courses/{COURSE}/forum?mine=1")])
    top = f"#{MINE_LISTS[1]} > li:first-child"
    try:
        margaret.locator(top, has_text="Margaret answered last").wait_for(timeout=10_000)
        r = httpx.post(f"{base}/api/v1/forum/threads/{older['id']}/posts",
                       json={"body": "Linus joins"},
                       headers=_bearer(base, "linus@demo.coursewire"))
        assert r.status_code == 201, r.text
        margaret.locator(f"{top} .reply-count", has_text="2 replies").wait_for(timeout=10_000)
        margaret.locator(top, has_text="Margaret answered first").wait_for(timeout=10_000)
        assert margaret.locator(f"#my-thread-row-{older['id']}").count() == 1
        _live_equals_reload(margaret, MINE_LISTS)
    finally:
        for context in contexts:
            context.close()


def test_vote_button_shows_your_vote_live_through_other_changes_and_after_reload(
        browser, server):  # noqa: F811
    base = server.base
    ta = _bearer(base, "ta@demo.coursewire")
    thread = _start_thread(base, ta, "Vote on me")
    contexts, (linus, ada) = _open(browser, base, [
        ("linus@demo.coursewire", f"/forum/threads/{thread['id']}"),
        ("ada@demo.coursewire", f"/forum/threads/{thread['id']}")])
    button = f"#vote-{thread['post_id']}"
    try:
        mark = linus.locator(f"{button} .voted-mark")
        assert not mark.is_visible()
        linus.click(button)
        mark.wait_for(state="visible", timeout=10_000)
        for page in (linus, ada):  # the score, for everyone
            page.locator(f"#post-{thread['post_id']}-score", has_text="1").wait_for(
                timeout=10_000)
        assert not ada.locator(f"{button} .voted-mark").is_visible()
        # An endorsement re-renders the post for everyone: Linus's mark stays.
        r = httpx.post(f"{base}/api/v1/forum/posts/{thread['post_id']}/moderation",
                       headers=ta, json={"action": "endorse"})
        assert r.status_code == 200, r.text
        linus.locator(".endorsed-badge").first.wait_for(timeout=10_000)
        assert mark.is_visible()
        linus.reload()
        _wait_live(linus)
        assert linus.locator(f"{button} .voted-mark").is_visible()
        assert linus.locator(f"#post-{thread['post_id']}-score").inner_text() == "1"
    finally:
        for context in contexts:
            context.close()
