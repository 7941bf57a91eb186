"""A thread's replies and the moderation queue page by keyset (API.md "Lists"): following
`Link: rel="next"` reaches every item once, in the pages' order, while items arrive between
pages; the queue page shows its first page and a "load more" control for the rest."""

from __future__ import annotations

import re

from forum import queue_pages
from forum.flags import flag_post
from forum.moderation import moderate
from forum.posts import create_post
from forum.threads import create_thread
from tests.support.paging import follow_pages
from tests.support.people import bearer, browser_login, token


async def test_replies_page_in_thread_order_with_their_comments(client, app_cast):
    cast = app_cast
    thread = await create_thread(cast.teacher, cast.course.id, "Paged", "text")
    replies = [await create_post(who, thread.id, f"reply {i}")
               for i, who in enumerate((cast.ada, cast.bob, cast.cy, cast.ada, cast.bob))]
    comment = await create_post(cast.cy, thread.id, "a comment", parent_id=replies[1].id)
    await moderate(cast.ta, replies[2].id, "hide", "off topic")
    url = f"/api/v1/forum/threads/{thread.id}/posts?limit=2"

    async def between(page: int) -> None:
        if page == 1:
            late.append(await create_post(cast.cy, thread.id, "posted meanwhile"))

    late: list = []
    ta = bearer(await token(client, cast.ta.email))
    staff, pages = await follow_pages(client, url, ta, between)
    assert [p["id"] for p in staff] == [replies[0].id, replies[1].id, comment.id,
                                        *(r.id for r in replies[2:]), late[0].id]
    assert pages == 3
    ada = bearer(await token(client, cast.ada.email))
    students, _ = await follow_pages(client, url, ada)
    assert replies[2].id not in [p["id"] for p in students] and len(students) == 6
    whole = await client.get(f"/api/v1/forum/threads/{thread.id}", headers=ada)
    assert whole.json()["posts"] == students


async def test_bad_reply_keys_are_clear_400s(client, app_cast):
    cast = app_cast
    one = await create_thread(cast.teacher, cast.course.id, "One", "text")
    two = await create_thread(cast.teacher, cast.course.id, "Two", "text")
    elsewhere = await create_post(cast.ada, two.id, "not in thread one")
    ada = bearer(await token(client, cast.ada.email))
    for query in (f"?after={elsewhere.id}", "?after=1.2", "?after=x", "?limit=0",
                  "?limit=101", "?after=99999999999"):
        r = await client.get(f"/api/v1/forum/threads/{one.id}/posts{query}", headers=ada)
        assert r.status_code == 400 and r.json()["error"]["message"], query


async def _flagged(cast, thread, n: int, start: int = 0) -> list[int]:
    ids = []
    for i in range(start, start + n):
        post = await create_post(cast.bob, thread.id, f"flag me {i}")
        await flag_post(cast.ada, post.id, "rude")
        ids.append(post.id)
    return ids


async def test_moderation_queue_pages_newest_first_once_each(client, app_cast):
    cast = app_cast
    thread = await create_thread(cast.teacher, cast.course.id, "Queue", "text")
    flagged = await _flagged(cast, thread, 5)
    base = f"/api/v1/courses/{cast.course.id}/forum/moderation"

    async def between(page: int) -> None:
        if page == 1:  # a new report, and an unread item reported again: both move up
            arrived.extend(await _flagged(cast, thread, 1, start=5))
            await flag_post(cast.cy, flagged[0], "still rude")

    arrived: list[int] = []
    ta = bearer(await token(client, cast.ta.email))
    items, pages = await follow_pages(client, base + "?limit=2", ta, between)
    assert [i["post_id"] for i in items] == flagged[::-1][:-1] and pages == 2
    fresh, _ = await follow_pages(client, base + "?limit=2", ta)
    assert [i["post_id"] for i in fresh] == [flagged[0], *arrived, *flagged[:0:-1]]
    ada = bearer(await token(client, cast.ada.email))
    assert (await client.get(base, headers=ada)).status_code == 403
    for query in ("?after=5", "?after=1.2.3", "?limit=101", "?after=x"):
        r = await client.get(base + query, headers=ta)
        assert r.status_code == 400 and r.json()["error"]["message"], query


async def test_queue_page_loads_more_below_its_first_page(client, app_cast, monkeypatch):
    cast = app_cast
    monkeypatch.setattr(queue_pages, "QUEUE_LIMIT", 2)
    monkeypatch.setattr("forum.moderation_pages.QUEUE_LIMIT", 2)
    thread = await create_thread(cast.teacher, cast.course.id, "Queue", "text")
    flagged = await _flagged(cast, thread, 3)
    await browser_login(client, cast.ta.email)
    page = await client.get(f"/courses/{cast.course.id}/forum/moderation")
    shown = [int(i) for i in re.findall(r'id="modq-item-(\d+)"', page.text)]
    assert shown == flagged[:0:-1]
    more = re.search(r'hx-get="([^"]+/forum/moderation/more[^"]*)"', page.text)
    assert more
    rest = await client.get(more.group(1).replace("&amp;", "&"))
    assert rest.status_code == 200
    assert re.findall(r'id="modq-item-(\d+)"', rest.text) == [str(flagged[0])]
    assert "/moderation/more" not in rest.text
    bad = await client.get(f"/courses/{cast.course.id}/forum/moderation/more?after=oops")
    assert bad.status_code == 400


async def test_thread_page_loads_more_replies_and_marks_its_end(client, app_cast, monkeypatch):
    cast = app_cast
    monkeypatch.setattr("forum.reply_pages.REPLIES_LIMIT", 2)
    monkeypatch.setattr("forum.thread_pages.REPLIES_LIMIT", 2)
    thread = await create_thread(cast.teacher, cast.course.id, "Long", "text")
    replies = [await create_post(cast.bob, thread.id, f"reply number {i}") for i in range(3)]
    await browser_login(client, cast.ada.email)
    page = await client.get(f"/forum/threads/{thread.id}")
    shown = re.findall(r'id="reply-(\d+)"', page.text)
    assert shown == [str(r.id) for r in replies[:2]]
    assert f'id="thread-{thread.id}-end"' not in page.text
    more = re.search(r'hx-get="(/forum/threads/\d+/replies[^"]*)"', page.text)
    assert more
    rest = await client.get(more.group(1).replace("&amp;", "&"))
    assert re.findall(r'id="reply-(\d+)"', rest.text) == [str(replies[2].id)]
    assert f'id="thread-{thread.id}-end"' in rest.text and "/replies?" not in rest.text
    bad = await client.get(f"/forum/threads/{thread.id}/replies?after=1.2")
    assert bad.status_code == 400


async def test_a_resync_renders_as_many_items_as_the_page_had_loaded(client, app_cast,
                                                                    monkeypatch):
    from forum import fragments
    from forum.resync import resync_queue, resync_thread
    from realtime.resync import LOADED, LOADED_MAX, loaded_count, parse_loaded
    from realtime.topics import Topic

    cast = app_cast
    monkeypatch.setattr(queue_pages, "QUEUE_LIMIT", 2)
    monkeypatch.setattr("forum.reply_pages.REPLIES_LIMIT", 2)
    thread = await create_thread(cast.teacher, cast.course.id, "Resync", "text")
    flagged = await _flagged(cast, thread, 5)
    queue = Topic(f"course:{cast.course.id}:staff", "course_staff", cast.course.id)
    replies = Topic(f"thread:{thread.id}", "thread", str(thread.id))

    def shown(html: str, prefix: str) -> list[int]:
        return [int(i) for i in re.findall(rf'id="{prefix}-(\d+)"', html)]

    async def render(loaded: str) -> tuple[str, str]:
        reset = LOADED.set(parse_loaded(loaded))
        try:
            return (await resync_queue(queue, cast.ta, "staff"),
                    await resync_thread(replies, cast.ta, "staff"))
        finally:
            LOADED.reset(reset)

    # A page that said nothing (or less than a page) gets the first page, with "load more".
    for said in ("", f"{fragments.queue_id(cast.course.id)}:1,thread-{thread.id}-posts:0"):
        modq, posts = await render(said)
        assert shown(modq, "modq-item") == flagged[:2:-1] and "/moderation/more" in modq
        assert shown(posts, "reply") == flagged[:2] and f"thread-{thread.id}-more" in posts
    # A page that loaded 4 of each gets 4, still with "load more"; 9 gets all, and the end.
    modq, posts = await render(f"{fragments.queue_id(cast.course.id)}:4,"
                               f"thread-{thread.id}-posts:4")
    assert shown(modq, "modq-item") == flagged[:0:-1] and "/moderation/more" in modq
    assert shown(posts, "reply") == flagged[:4] and f"thread-{thread.id}-more" in posts
    modq, posts = await render(f"{fragments.queue_id(cast.course.id)}:9,"
                               f"thread-{thread.id}-posts:9")
    assert shown(modq, "modq-item") == flagged[::-1] and "/moderation/more" not in modq
    assert shown(posts, "reply") == flagged and f'id="thread-{thread.id}-end"' in posts
    # What a page says is bounded and malformed entries are ignored.
    assert parse_loaded("a:3,b:x,c d:4,:5,e:9999999,f:12") == {"a": 3, "f": 12}
    reset = LOADED.set(parse_loaded("big:999999"))
    assert loaded_count("big") == LOADED_MAX and loaded_count("other") == 0
    LOADED.reset(reset)
    assert len(parse_loaded(",".join(f"l{i}:1" for i in range(50)))) == 20
