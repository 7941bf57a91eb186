"""Forum events over real sockets: per-audience frames, hides vanish, the live queue."""

import json
import re

from tests.forum.live import COURSE, event_socket, page_socket


async def test_anonymous_reply_reaches_students_as_anonymous_and_staff_by_name(
        forum_server, live_people):
    p = live_people
    t = p["teacher"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                         json={"title": "Live thread", "body": "Ask away"}).json()
    linus = await page_socket(forum_server, p["linus"], ["user:me", f"thread:{t['id']}"])
    ta = await page_socket(forum_server, p["ta"], ["user:me", f"thread:{t['id']}"])
    ada = await page_socket(forum_server, p["ada"], ["user:me", f"thread:{t['id']}"])
    for sock in (linus, ta, ada):
        await sock.wait_for(lambda f: f"thread-{t['id']}-head" in f)
    r = p["ada"].api("POST", f"/api/v1/forum/threads/{t['id']}/posts",
                     json={"body": "my secret question", "anonymity": "peers"})
    post_id = r.json()["id"]
    marker = f'id="reply-{post_id}"'
    student_frame = await linus.wait_for(lambda f: marker in f)
    staff_frame = await ta.wait_for(lambda f: marker in f)
    own_frame = await ada.wait_for(lambda f: marker in f and "you (anonymous)" in f)
    assert "Anonymous" in student_frame and "Ada Student" not in student_frame
    assert "Ada Student" in staff_frame
    assert "Edit" in own_frame
    r = p["ta"].api("POST", f"/api/v1/forum/posts/{post_id}/moderation",
                    json={"action": "hide", "reason": "spoiler"})
    assert r.status_code == 200
    gone = await linus.wait_for(lambda f: marker in f and "hx-swap-oob" in f and "hidden" in f
                                and "secret" not in f)
    assert "reply gone" in gone
    await ada.wait_for(lambda f: "was hidden by a moderator" in f and "spoiler" in f)
    for sock in (linus, ta, ada):
        await sock.close()


async def test_event_socket_data_obeys_the_same_visibility(forum_server, live_people):
    p = live_people
    t = p["teacher"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                         json={"title": "JSON thread", "body": "x"}).json()
    topics = [f"thread:{t['id']}", f"course:{COURSE}:forum", "user:me",
              f"course:{COURSE}:staff"]
    linus, answer = await event_socket(forum_server, p["linus"], topics)
    assert f"course:{COURSE}:staff" in answer["denied"]
    ta, answer = await event_socket(forum_server, p["ta"], topics)
    assert not answer["denied"]
    p["ada"].api("POST", f"/api/v1/forum/threads/{t['id']}/posts",
                 json={"body": "json secret", "anonymity": "peers"})
    frame = json.loads(await linus.wait_for(
        lambda f: '"forum.post.created"' in f and f'"thread:{t["id"]}"' in f))
    assert frame["data"]["author"] is None and frame["data"]["author_label"] == "Anonymous"
    frame = json.loads(await ta.wait_for(
        lambda f: '"forum.post.created"' in f and f'"thread:{t["id"]}"' in f))
    assert frame["data"]["author"]["name"] == "Ada Student"
    listed = json.loads(await linus.wait_for(
        lambda f: '"forum.post.created"' in f and ":forum" in f))
    assert listed["data"]["thread"]["id"] == t["id"]
    await linus.close()
    await ta.close()


async def test_moderation_queue_updates_live_for_every_ta(forum_server, live_people):
    p = live_people
    assert p["teacher"].api("PUT", f"/api/v1/courses/{COURSE}/forum/settings",
                            json={"moderation": "pre"}).status_code == 200
    try:
        t = p["teacher"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                             json={"title": "Queue thread", "body": "x"}).json()
        ta = await page_socket(forum_server, p["ta"], ["user:me", f"course:{COURSE}:staff"])
        prof = await page_socket(forum_server, p["teacher"],
                                 ["user:me", f"course:{COURSE}:staff"])
        ada = await page_socket(forum_server, p["ada"], ["user:me"])
        r = p["margaret"].api("POST", f"/api/v1/forum/threads/{t['id']}/posts",
                              json={"body": "held for review"})
        post_id = r.json()["id"]
        assert r.json()["status"] == "pending"
        item = f'id="modq-item-{post_id}"'
        await ta.wait_for(lambda f: item in f and "Held for approval" in f)
        await prof.wait_for(lambda f: item in f)
        assert p["ta"].form(f"/forum/posts/{post_id}/claim", {}).status_code == 204
        await prof.wait_for(lambda f: item in f and "Being handled by Alan TA" in f)
        r = p["teacher"].form(f"/forum/posts/{post_id}/moderate", {"action": "approve"})
        assert r.status_code == 409 and "Alan TA" in r.text
        r = p["ta"].form(f"/forum/posts/{post_id}/moderate",
                         {"action": "reject", "reason": "please stay on topic"})
        assert r.status_code == 204
        await prof.wait_for(lambda f: item in f and 'hx-swap-oob="delete"' in f)
        p2 = p["linus"].api("POST", f"/api/v1/forum/threads/{t['id']}/posts",
                            json={"body": "another"}).json()
        p["ada"].api("POST", f"/api/v1/forum/posts/{p2['id']}/flags", json={"reason": "x"})
        await ta.wait_for(lambda f: f'id="modq-item-{p2["id"]}"' in f)
        for sock in (ta, prof, ada):
            await sock.close()
    finally:
        p["teacher"].api("PUT", f"/api/v1/courses/{COURSE}/forum/settings",
                         json={"moderation": "post"})


async def test_margaret_rejection_reason_reaches_her_own_topic(forum_server, live_people):
    p = live_people
    p["teacher"].api("PUT", f"/api/v1/courses/{COURSE}/forum/settings",
                     json={"moderation": "pre"})
    try:
        t = p["teacher"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                             json={"title": "Reasons", "body": "x"}).json()
        margaret, _ = await event_socket(forum_server, p["margaret"], ["user:me"])
        post = p["margaret"].api("POST", f"/api/v1/forum/threads/{t['id']}/posts",
                                 json={"body": "hold me"}).json()
        p["ta"].api("POST", f"/api/v1/forum/posts/{post['id']}/moderation",
                    json={"action": "reject", "reason": "duplicate question"})
        frame = json.loads(await margaret.wait_for(lambda f: "forum.moderation.decision" in f))
        assert frame["topic"] == "user:me" and frame["data"]["reason"] == "duplicate question"
        await margaret.close()
    finally:
        p["teacher"].api("PUT", f"/api/v1/courses/{COURSE}/forum/settings",
                         json={"moderation": "post"})


def _list_markup(html: str, course_scope: str) -> list[str]:
    """The pinned and unpinned thread lists of one scope, as a page or frame carries them."""
    lists = []
    for kind in ("forum-pinned", "forum-threads"):
        m = re.search(rf'<ul id="{kind}-{course_scope}".*?</ul>', html, re.S)
        assert m, f"{kind} missing"
        lists.append(m.group(0).replace(' hx-swap-oob="outerHTML"', ""))
    return lists


async def test_pinning_moves_the_row_where_a_reload_puts_it(forum_server, live_people):
    p = live_people
    threads = [p["ta"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                           json={"title": f"Pin order {n}", "body": f"body {n}"}).json()
               for n in range(3)]
    oldest, middle, _newest = (t["id"] for t in threads)
    root_of = {t["id"]: t["post_id"] for t in threads}
    linus = await page_socket(forum_server, p["linus"], ["user:me", f"course:{COURSE}:forum"])
    scope = "course_2dv1_3aCoursewire_2bPY101_2b2026-all"
    await linus.wait_for(lambda f: f"forum-pinned-{scope}" in f)  # the resync on connect
    try:
        for thread_id in (middle, oldest):  # the older one is pinned last
            r = p["ta"].api("POST", f"/api/v1/forum/posts/{root_of[thread_id]}/moderation",
                            json={"action": "pin"})
            assert r.status_code == 200, r.text
            frame = await linus.wait_for(
                lambda f, t=thread_id: f"forum-pinned-{scope}" in f
                and f'id="thread-row-{t}"' in f.split(f"forum-threads-{scope}")[0])
        pinned, others = _list_markup(frame, scope)
        # A reload lists pinned threads by latest activity: the middle one above the oldest.
        assert pinned.index(f'"thread-row-{middle}"') < pinned.index(f'"thread-row-{oldest}"')
        assert f'"thread-row-{oldest}"' not in others
        fresh = p["linus"].page(f"/courses/{COURSE}/forum").text
        assert _list_markup(fresh, scope) == [pinned, others]
    finally:
        for thread_id in (middle, oldest):
            p["ta"].api("POST", f"/api/v1/forum/posts/{root_of[thread_id]}/moderation",
                        json={"action": "unpin"})
        await linus.close()
