"""The inbox in Chromium: Ada's thread page is open; Linus replies to her thread; her bell's
unread count goes up without a reload. On the inbox page a further reply appears at the top
live, and the live page equals a fresh load; marking it read there lowers the bell."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import assert_live_equals_reload, log_in, wait_live
from tests.browser.test_accessibility import violations
from tests.conftest import REDIS_URL
from tests.support.live import api_token, server_env, start_seeded

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COURSE = "course-v1:Coursewire+PY101+2026"


@pytest.fixture(scope="module")
def server(db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("inbox"), REDIS_URL)
    proc, _ = start_seeded("uvicorn", env)
    yield proc
    proc.stop()


def _bell(page, unread: int) -> None:
    """Wait until the header's bell (loaded, not the placeholder) shows `unread`."""
    page.wait_for_function(
        """(n) => { const bell = document.querySelector('#inbox-bell:not([hx-get])');
                    if (!bell) return false;
                    const count = bell.querySelector('.unread-count');
                    return n === 0 ? !count : !!count && count.textContent === String(n); }""",
        arg=unread, timeout=15_000)


def test_reply_raises_the_bell_live_and_the_inbox_equals_a_reload(browser, server):
    base = server.base
    ada_auth = {"Authorization": f"Bearer {api_token(base, 'ada@demo.coursewire')}"}
    linus_auth = {"Authorization": f"Bearer {api_token(base, 'linus@demo.coursewire')}"}
    r = httpx.post(f"{base}/api/v1/courses/{COURSE}/forum/threads", headers=ada_auth,
                   json={"title": "Where is the lab?", "body": "Room?"})
    assert r.status_code == 201, r.text
    thread = r.json()["id"]
    context, ada = log_in(browser, base, "ada@demo.coursewire")
    try:
        ada.goto(f"{base}/forum/threads/{thread}")
        wait_live(ada)
        _bell(ada, 0)
        r = httpx.post(f"{base}/api/v1/forum/threads/{thread}/posts", headers=linus_auth,
                       json={"body": "Room 101, anonymously", "anonymity": "peers"})
        assert r.status_code == 201, r.text
        _bell(ada, 1)  # never reloaded: pushed on her own topic
        assert "1" in ada.inner_text("#inbox-bell")

        ada.goto(f"{base}/inbox")
        wait_live(ada)
        _bell(ada, 1)
        assert "Where is the lab?" in ada.inner_text("#inbox-list")
        r = httpx.post(f"{base}/api/v1/forum/threads/{thread}/posts", headers=linus_auth,
                       json={"body": "Bring a laptop"})
        assert r.status_code == 201, r.text
        _bell(ada, 2)
        ada.wait_for_function(
            "() => document.querySelectorAll('#inbox-list li.unread').length === 2")
        # Linus posted anonymously once: his name is nowhere in her inbox.
        assert "Linus" not in ada.inner_text("#inbox-list")
        assert_live_equals_reload(context, ada, f"{base}/inbox", "#inbox-list")
        ada.click("#inbox-list li.unread button")
        _bell(ada, 1)
        ada.wait_for_function(
            "() => document.querySelectorAll('#inbox-list li.unread').length === 1")
        assert_live_equals_reload(context, ada, f"{base}/inbox", "#inbox-list")
        assert violations(ada) == []  # axe: no serious or critical finding on the inbox
    finally:
        context.close()
