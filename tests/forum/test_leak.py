"""THE LEAK TEST: everything a student receives across a scripted forum session (pages,
JSON responses, websocket frames of both kinds) is collected, and no anonymous author's
name, email or user id may occur in any of it, nor the author's own rendering of their
anonymous posts and thread rows ("you (anonymous)"), which goes to the author alone, nor
anyone else's "My posts" lists. A second collection, everything a TA receives about a
thread anonymous to everyone, must not name its author either."""

import json
import re
from html.parser import HTMLParser

import httpx

from core.i18n import gettext, use_language
from courseware.service import DEMO_COURSE_FOLDER
from forum.fragments import list_id
from forum.resync import list_topic
from tests.content_app.conftest import archive_of
from tests.forum.live import COURSE, delivery_barrier, event_socket, page_socket

ADA_NAME, ADA_EMAIL, ADA_INITIALS = "Ada Student", "ada@demo.coursewire", "AS"
TOPIC, PANEL_BLOCK = "introductions", "introduce-yourself"  # the demo course's discussion
# Attributes that carry plain numbers that are not ids (sizes, limits, ban hours).
_NUMERIC_ATTRS = {"rows", "maxlength", "min", "max", "data-live-limit", "tabindex"}


def _author_ids(value, found):
    """Every id given for a person anywhere in a JSON document."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("author", "user", "reporter", "actor", "claimed_by") and isinstance(
                    item, dict):
                found.append(item.get("id"))
            if key in ("user_id", "author_id", "reporter_id", "target_user_id"):
                found.append(item)
            _author_ids(item, found)
    elif isinstance(value, list):
        for item in value:
            _author_ids(item, found)
    return found


def _ids_in_html(text: str) -> list[str]:
    """Numbers given as a person's id anywhere in markup: named ids, user URLs, data-*."""
    return (re.findall(r"(?:user|author|uid|member|person|owner|reporter)[-_]?(?:id)?"
                       r"[\"'=:\s-]+\"?(\d+)", text, re.I)
            + re.findall(r"/users?/(\d+)", text)
            + re.findall(r"\bdata-[\w-]+=[\"']?(\d+)", text))


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str | None, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.found.append((tag, name, value, dict(attrs)))


def _bare_id_attributes(text: str, person_id: int) -> list[tuple[str, str]]:
    """Attributes whose whole value is `person_id` (or ends in -<id>/_<id>), other than
    plain sizes and the post/thread ids that forms and element ids carry."""
    parser = _Attributes()
    parser.feed(text)
    hits = []
    for tag, name, value, attrs in parser.found:
        if value is None or name in _NUMERIC_ATTRS:
            continue
        if tag == "input" and attrs.get("name") in ("parent_id", "post_id", "hours"):
            continue
        if value == str(person_id) or re.search(rf"(?:user|author|member)[-_]{person_id}$",
                                                value, re.I):
            hits.append((tag, name))
    return hits


def _avatar_initials(text: str) -> list[str]:
    return re.findall(r'class="avatar"[^>]*>([^<]*)<', text)


async def test_no_anonymous_authors_identity_reaches_a_student(forum_server, live_people):
    p = live_people
    ada_id = p["ada"].api("GET", "/api/v1/me").json()["id"]
    linus_id = p["linus"].api("GET", "/api/v1/me").json()["id"]
    received: list[str] = []  # everything Linus (a student) is sent
    linus = p["linus"]

    def get(path: str, status: int = 200) -> None:
        r = linus.page(path) if not path.startswith("/api/") else linus.api("GET", path)
        assert r.status_code == status, (path, r.status_code)
        received.append(r.text)

    def ok(r, status: int = 200):
        """Each scripted action must have happened, or the test proves nothing."""
        assert r.status_code == status, (r.request.url, r.status_code, r.text)
        return r.json() if r.content else None

    # The demo course's content, so the unit page's discussion panel exists.
    ok(httpx.post(f"{forum_server.base}/api/v1/courses/{COURSE}/import",
                  content=archive_of(DEMO_COURSE_FOLDER), timeout=60,
                  headers={**p["teacher"].bearer, "content-type": "application/gzip"}))
    ok(p["teacher"].api("POST", f"/api/v1/courses/{COURSE}/publish"))
    assert p["teacher"].api("PUT", f"/api/v1/courses/{COURSE}/forum/settings",
                            json={"max_anonymity": "all"}).status_code == 200
    list_socket = await page_socket(forum_server, linus, ["user:me", f"course:{COURSE}:forum"])
    topic_socket = await page_socket(forum_server, linus, [
        "user:me", f"course:{COURSE}:forum", list_topic(COURSE, TOPIC),
        list_topic(COURSE, mine=True)])
    # The same pages in Finnish and Spanish: each language's frames are rendered apart
    # (realtime.publish.in_every_language), and anonymity must hold in every one of them.
    topic_socket_fi = await page_socket(forum_server, linus, [
        "user:me", f"course:{COURSE}:forum", list_topic(COURSE, TOPIC),
        list_topic(COURSE, mine=True)], language="fi")
    list_socket_es = await page_socket(forum_server, linus, ["user:me", f"course:{COURSE}:forum"],
                                       language="es")
    # Ada's own list page: where her personal renderings go (checked below, not collected).
    ada_list = await page_socket(forum_server, p["ada"], ["user:me", f"course:{COURSE}:forum"])
    json_socket, answer = await event_socket(
        forum_server, linus, ["user:me", f"course:{COURSE}:forum", f"course:{COURSE}:staff",
                              f"user:{ada_id}"])
    # (The answer only echoes the topics Linus asked for, so it isn't collected.)
    assert set(answer["denied"]) == {f"course:{COURSE}:staff", f"user:{ada_id}"}

    # Ada starts a thread anonymous to peers, and one anonymous to everyone.
    t1 = ok(p["ada"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                         json={"title": "Peer-anonymous", "body": "first", "anonymity": "peers",
                               "type": "question", "topic_id": TOPIC}), 201)
    t2 = ok(p["ada"].api("POST", f"/api/v1/courses/{COURSE}/forum/threads",
                         json={"title": "Fully anonymous", "body": "second",
                               "anonymity": "all"}), 201)
    # Linus follows both threads: the follower notices come to his user:me topic.
    for t in (t1, t2):
        received.append(json.dumps(ok(linus.api("PUT", f"/api/v1/forum/threads/{t['id']}/follow",
                                                json={"following": True}))))
    # A TA's view of the fully anonymous thread, collected on its own (see the end).
    ta_seen: list[str] = []
    ta_socket = await page_socket(forum_server, p["ta"], ["user:me", f"thread:{t2['id']}"])
    ta_json, _answer = await event_socket(forum_server, p["ta"], [f"thread:{t2['id']}"])
    thread_sockets, thread_sockets_fi = [], []
    for t in (t1, t2):
        thread_sockets.append(await page_socket(forum_server, linus,
                                                ["user:me", f"thread:{t['id']}"]))
        s, a = await event_socket(forum_server, linus, [f"thread:{t['id']}"])
        thread_sockets.append(s)
        received.append(json.dumps(a))
        thread_sockets_fi.append(await page_socket(
            forum_server, linus, ["user:me", f"thread:{t['id']}"], language="fi"))

    # Replies, comments, edits, votes, endorsements, flags, hides, deletions, pins.
    mine = p["linus"].api("POST", f"/api/v1/forum/threads/{t1['id']}/posts",
                          json={"body": "Linus answers"})
    ok(mine, 201)
    received.append(mine.text)
    r1 = ok(p["ada"].api("POST", f"/api/v1/forum/threads/{t1['id']}/posts",
                         json={"body": "Ada replies", "anonymity": "peers"}), 201)
    c1 = ok(p["ada"].api("POST", f"/api/v1/forum/threads/{t1['id']}/posts",
                         json={"body": "Ada comments", "anonymity": "all",
                               "parent_id": mine.json()["id"]}), 201)
    r2 = ok(p["ada"].api("POST", f"/api/v1/forum/threads/{t2['id']}/posts",
                         json={"body": "Ada in the dark", "anonymity": "all"}), 201)
    ok(p["ada"].api("PATCH", f"/api/v1/forum/posts/{r1['id']}", json={"body": "Ada edited"}))
    ok(p["ada"].api("PATCH", f"/api/v1/forum/posts/{t1['post_id']}",
                    json={"body": "first, edited"}))
    ok(p["ada"].api("PATCH", f"/api/v1/forum/posts/{r2['id']}", json={"body": "Ada, darker"}))
    ok(p["margaret"].api("POST", f"/api/v1/forum/posts/{r1['id']}/votes", json={"value": 1}))
    received.append(json.dumps(ok(linus.api("POST", f"/api/v1/forum/posts/{r1['id']}/votes",
                                            json={"value": 1}))))
    received.append(json.dumps(ok(linus.api("POST", f"/api/v1/forum/posts/{c1['id']}/flags",
                                            json={"reason": "odd"}), 201)))
    ok(p["margaret"].api("POST", f"/api/v1/forum/posts/{r2['id']}/flags",
                         json={"reason": "check"}), 201)
    for action in ("endorse", "hide", "unhide"):
        ok(p["ta"].api("POST", f"/api/v1/forum/posts/{r1['id']}/moderation",
                       json={"action": action, "reason": "checking"}))
    ok(p["ta"].api("POST", f"/api/v1/forum/posts/{t2['post_id']}/moderation",
                   json={"action": "pin"}))
    ok(p["ta"].api("POST", f"/api/v1/forum/posts/{c1['id']}/moderation",
                   json={"action": "delete"}))
    # Pre-moderation: Ada's held post is approved while Linus watches.
    ok(p["teacher"].api("PUT", f"/api/v1/courses/{COURSE}/forum/settings",
                        json={"moderation": "pre"}))
    held = ok(p["ada"].api("POST", f"/api/v1/forum/threads/{t1['id']}/posts",
                           json={"body": "Ada held", "anonymity": "peers"}), 201)
    ok(p["ta"].api("POST", f"/api/v1/forum/posts/{held['id']}/moderation",
                   json={"action": "approve"}))
    # An instructor (only they may: tests/trust/test_ban_by_anonymous_post.py).
    ban = ok(p["teacher"].api("POST", f"/api/v1/courses/{COURSE}/forum/bans",
                              json={"post_id": t2["post_id"], "hours": 1,
                                    "reason": "test ban"}), 201)
    assert ban["user_id"] is None  # staff can ban a fully anonymous author unnamed
    ta_seen.append(json.dumps(ban))
    # Loosening the setting later must not reveal past posts.
    ok(p["teacher"].api("PUT", f"/api/v1/courses/{COURSE}/forum/settings",
                        json={"max_anonymity": "none", "moderation": "post"}))
    await thread_sockets[0].wait_for(lambda f: f'id="reply-{held["id"]}"' in f)
    # Everything published so far has reached every socket: a barrier frame on each
    # thread (Margaret votes on its opening post and withdraws) came after all of it.
    await delivery_barrier(p["margaret"], t1["post_id"], list_socket, topic_socket, ada_list,
                           json_socket, *thread_sockets[:2], thread_sockets_fi[0],
                           topic_socket_fi, list_socket_es)
    await delivery_barrier(p["margaret"], t2["post_id"], *thread_sockets[2:], ta_socket,
                           ta_json, thread_sockets_fi[1])
    # Reconnecting re-sends the filtered lists (the resync-only forum_list topics).
    topic_socket_again = await page_socket(forum_server, linus, [
        "user:me", f"course:{COURSE}:forum", list_topic(COURSE, TOPIC)])
    unit_list = list_id(COURSE, False, TOPIC)
    await topic_socket_again.wait_for(
        lambda f: f'id="{unit_list}"' in f and f'id="thread-row-{t1["id"]}"' in f)

    # Every page and JSON view Linus can open.
    for t in (t1, t2):
        get(f"/forum/threads/{t['id']}")
        get(f"/api/v1/forum/threads/{t['id']}")
    for post_id in (t1["post_id"], r1["id"], held["id"]):
        get(f"/forum/posts/{post_id}/history")
        get(f"/api/v1/forum/posts/{post_id}")
        get(f"/api/v1/forum/posts/{post_id}/revisions")
    for path in (f"/courses/{COURSE}/forum", f"/courses/{COURSE}/forum?mine=1",
                 f"/courses/{COURSE}/forum?topic={TOPIC}", f"/courses/{COURSE}",
                 f"/courses/{COURSE}/units/hello",
                 f"/courses/{COURSE}/forum/discussions/{PANEL_BLOCK}",
                 f"/api/v1/courses/{COURSE}/forum/threads",
                 f"/api/v1/courses/{COURSE}/forum/threads?mine=1",
                 f"/api/v1/courses/{COURSE}/forum/threads?topic_id={TOPIC}",
                 f"/api/v1/courses/{COURSE}/forum/topics",
                 f"/api/v1/courses/{COURSE}/forum/settings", "/"):
        get(path)
    panel = linus.page(f"/courses/{COURSE}/forum/discussions/{PANEL_BLOCK}").text
    assert f'id="thread-row-{t1["id"]}"' in panel, panel  # the unit's panel lists Ada's thread
    for path in (f"/api/v1/courses/{COURSE}/forum/moderation",
                 f"/api/v1/courses/{COURSE}/forum/audit",
                 f"/courses/{COURSE}/forum/moderation"):
        get(path, 403)
    r = linus.api("POST", f"/api/v1/forum/posts/{r1['id']}/reveal", json={"reason": "curious"})
    assert r.status_code == 403
    received.append(r.text)
    r = linus.api("POST", f"/api/v1/courses/{COURSE}/forum/bans",
                  json={"post_id": r1["id"], "hours": 1, "reason": "x"})
    assert r.status_code == 403
    received.append(r.text)
    r = linus.api("POST", f"/api/v1/forum/posts/{r1['id']}/moderation",
                  json={"action": "hide"})
    assert r.status_code == 403
    received.append(r.text)

    # The TA's pages and JSON about the thread anonymous to everyone.
    for path in (f"/forum/threads/{t2['id']}", f"/forum/posts/{r2['id']}/history"):
        r = p["ta"].page(path)
        assert r.status_code == 200, path
        ta_seen.append(r.text)
    for path in (f"/api/v1/forum/threads/{t2['id']}", f"/api/v1/forum/posts/{r2['id']}",
                 f"/api/v1/forum/posts/{r2['id']}/revisions"):
        ta_seen.append(json.dumps(ok(p["ta"].api("GET", path))))
    queue = ok(p["ta"].api("GET", f"/api/v1/courses/{COURSE}/forum/moderation"))
    assert [i for i in queue if i["post_id"] == r2["id"]]  # margaret's report put it there
    ta_seen.extend(json.dumps(i) for i in queue if i["thread_id"] == t2["id"])
    for s in (ta_socket, ta_json):
        await s.close()
        ta_seen.extend(s.frames)
    assert any("Ada, darker" in f for f in ta_socket.frames)  # the frames were collected
    staff_view = "\n".join(ta_seen)
    assert "Ada in the dark" in staff_view and "Fully anonymous" in staff_view
    assert ADA_NAME not in staff_view and ADA_EMAIL not in staff_view
    assert ADA_INITIALS not in _avatar_initials(staff_view)
    assert str(ada_id) not in _ids_in_html(staff_view)
    staff_ids: list = []
    for text in ta_seen:
        for candidate in (text, *re.findall(r"^\{.*\}$", text, re.M)):
            try:
                _author_ids(json.loads(candidate), staff_ids)
            except ValueError:
                continue
    assert ada_id not in staff_ids and str(ada_id) not in map(str, staff_ids)

    sockets = [list_socket, topic_socket, topic_socket_again, json_socket, *thread_sockets,
               *thread_sockets_fi, topic_socket_fi, list_socket_es]
    for s in sockets:
        await s.close()
        received.extend(s.frames)

    await ada_list.close()
    # Ada did get her own rendering of her anonymous threads' rows (so the check below
    # has something to miss): on her own topic, after the shared frames.
    assert any(f'id="thread-row-{t1["id"]}"' in f and "you (anonymous)" in f
               for f in ada_list.frames)
    assert any(f'id="thread-row-{t2["id"]}"' in f and "you (anonymous)" in f
               for f in ada_list.frames)
    # Everyone who posted in a thread gets their own "My posts" lists re-sent on their own
    # topic: Ada's reads "you (anonymous)"; Linus's (he replied in t1) is collected above,
    # so the checks below cover it too.
    my_list = list_id(COURSE, False, "mine")
    assert any(f'id="{my_list}"' in f and f'id="my-thread-row-{t1["id"]}"' in f
               and "you (anonymous)" in f for f in ada_list.frames)
    assert any(f'id="{my_list}"' in f and f'id="my-thread-row-{t1["id"]}"' in f
               for f in topic_socket.frames)
    # Linus's own "My posts" list never holds Ada's thread (he didn't post there); the shared
    # frames that update such rows in place carry the audience's rendering, checked below.
    assert not any(f'id="{my_list}"' in f and f'id="my-thread-row-{t2["id"]}"' in f
                   for f in received)
    # Linus follows both threads: Ada's replies reached him as follower notices.
    assert any("New post in" in f and "Fully anonymous" in f for f in list_socket.frames)
    everything = "\n".join(received)
    assert len(received) > 40 and "Ada edited" in everything and "Ada held" in everything
    for language in ("en", "fi", "es"):  # Linus posted nothing anonymously
        with use_language(language):
            assert gettext("you (anonymous)") not in everything
    # The other languages' sockets got their own renderings (so they were checked too).
    with use_language("fi"):
        assert any(gettext("Anonymous") in f for f in topic_socket_fi.frames)
    with use_language("es"):
        assert any(gettext("Anonymous") in f for f in list_socket_es.frames)
    assert ADA_NAME not in everything
    assert ADA_EMAIL not in everything and "ada@" not in everything
    bodies = ("Ada in the dark", "Ada, darker", "Ada replies", "Ada comments", "Ada edited",
              "Ada held")  # her posts' own words
    assert "Ada" not in re.sub("|".join(map(re.escape, bodies)), "", everything)
    ids: list = []
    for text in received:
        for candidate in (text, *re.findall(r"^\{.*\}$", text, re.M)):
            try:
                _author_ids(json.loads(candidate), ids)
            except ValueError:
                continue
    assert ada_id not in ids and str(ada_id) not in map(str, ids)
    for text in received:
        assert str(ada_id) not in _ids_in_html(text), text
        assert not _bare_id_attributes(text, ada_id), (_bare_id_attributes(text, ada_id), text)
        assert ADA_INITIALS not in _avatar_initials(text), text
    # The checks can see what they look for: Linus's own avatar and his id in a URL-like
    # or data-* attribute would be caught the same way.
    assert "LS" in _avatar_initials(everything)
    assert _ids_in_html('<a href="/users/7">') == ["7"]
    assert _ids_in_html('<li data-x="7">') == ["7"]
    assert _bare_id_attributes('<li data-who="7" id="member-7">', 7) == [("li", "data-who"),
                                                                         ("li", "id")]
    # The check can see ids: Linus's own, non-anonymous post carries his.
    assert linus_id in ids
