"""The moderation queue under "My groups" in a real browser: a TA assigned to group A has
the queue open; a report on a group B student's post arrives live but stays hidden, one on
a group A student's post shows; what shows equals a reload."""

from __future__ import annotations

import httpx
import pytest

from tests.browser.conftest import log_in, wait_live
from tests.forum.live import COURSE
from tests.support.live import api_token

pytestmark = pytest.mark.browser

VISIBLE = """() => [...document.querySelectorAll('li.modq-item')]
  .filter((li) => !li.hidden).map((li) => li.id).sort()"""


def _api(base: str, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(base, email)}"}


def _reported_thread(base: str, author: str, reporter: dict[str, str], title: str) -> int:
    made = httpx.post(f"{base}/api/v1/courses/{COURSE}/forum/threads", headers=_api(
        base, author), json={"title": title, "body": f"{title} body"}, timeout=10)
    assert made.status_code == 201, made.text
    post_id = made.json()["post_id"]
    r = httpx.post(f"{base}/api/v1/forum/posts/{post_id}/flags", headers=reporter,
                   json={"reason": "off topic"}, timeout=10)
    assert r.status_code == 201, r.text
    return post_id


def test_ta_queue_shows_their_group_live_and_after_reload(browser, forum_server):
    base = forum_server.base
    teacher = _api(base, "instructor@demo.coursewire")
    with httpx.Client(base_url=base, headers=teacher, timeout=10) as c:
        members = c.get(f"/api/v1/courses/{COURSE}/members").json()
        ids = {m["email"]: m["user_id"] for m in members}
        for email, group in (("ada@demo.coursewire", "A"), ("linus@demo.coursewire", "B")):
            r = c.put(f"/api/v1/courses/{COURSE}/members/{ids[email]}",
                      json={"role": "student", "group": group})
            assert r.status_code == 200, r.text
        group_a = next(g["id"] for g in c.get(f"/api/v1/courses/{COURSE}/groups").json()
                       if g["name"] == "A")
        r = c.patch(f"/api/v1/courses/{COURSE}/groups/{group_a}",
                    json={"staff": [ids["ta@demo.coursewire"]]})
        assert r.status_code == 200, r.text
    ctx, ta = log_in(browser, base, "ta@demo.coursewire")
    try:
        ta.goto(f"{base}/courses/{COURSE}/forum/moderation")
        wait_live(ta)
        assert ta.input_value("#modq-group") == "mine"
        before = ta.evaluate(VISIBLE)
        reporter = _api(base, "margaret@demo.coursewire")
        theirs = _reported_thread(base, "linus@demo.coursewire", reporter, "Group B post")
        ours = _reported_thread(base, "ada@demo.coursewire", reporter, "Group A post")
        ta.wait_for_selector(f"#modq-item-{ours}", timeout=10_000)
        ta.wait_for_selector(f"#modq-item-{theirs}", state="attached", timeout=10_000)
        assert ta.is_hidden(f"#modq-item-{theirs}") and ta.is_visible(f"#modq-item-{ours}")
        live = ta.evaluate(VISIBLE)
        assert f"modq-item-{ours}" in live and f"modq-item-{theirs}" not in live
        assert set(before) <= set(live)
        ta.reload()
        wait_live(ta)
        assert ta.evaluate(VISIBLE) == live
        # All groups: both show.
        ta.select_option("#modq-group", "all")
        ta.click(".modq-groups button[type=submit]")
        ta.wait_for_selector(f"#modq-item-{theirs}")
        assert ta.is_visible(f"#modq-item-{ours}")
    finally:
        ctx.close()
