"""The thread list API pages by keyset (API.md "Lists"): following `Link: rel="next"` from
the first page reaches every thread the caller may see exactly once, in the pages' order
(pinned first, then latest activity), skipping threads not listed for them."""

from __future__ import annotations

import re

from forum.moderation import moderate
from forum.queries import LIST_LIMIT
from forum.threads import create_thread
from tests.forum.test_search import _next
from tests.support.people import bearer, browser_login, token


async def _all_pages(client, url: str, headers) -> tuple[list[int], int]:
    seen, pages = [], 0
    while url:
        r = await client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        seen += [t["id"] for t in r.json()]
        pages += 1
        url = _next(r)
    return seen, pages


async def test_following_next_links_lists_every_thread_once(client, app_cast):
    cast = app_cast
    made = [await create_thread(cast.bob, cast.course.id, f"Thread {i}", "text")
            for i in range(7)]
    await moderate(cast.ta, (await made[1].posts.all())[0].id, "hide", "off topic")
    await moderate(cast.ta, (await made[4].posts.all())[0].id, "pin")
    base = f"/api/v1/courses/{cast.course.id}/forum/threads"
    newest_first = [t.id for t in reversed(made)]
    expected_staff = [made[4].id, *(i for i in newest_first if i != made[4].id)]
    ta = bearer(await token(client, cast.ta.email))
    ada = bearer(await token(client, cast.ada.email))
    staff, pages = await _all_pages(client, base + "?limit=2", ta)
    assert staff == expected_staff and pages == 4
    students, _ = await _all_pages(client, base + "?limit=2", ada)
    assert students == [i for i in expected_staff if i != made[1].id]
    whole = await client.get(base, headers=ada)
    assert [t["id"] for t in whole.json()] == students and "link" not in whole.headers


async def test_bad_paging_parameters_are_clear_400s(client, app_cast):
    cast = app_cast
    ada = bearer(await token(client, cast.ada.email))
    base = f"/api/v1/courses/{cast.course.id}/forum/threads"
    for query in ("?limit=0", "?limit=101", "?limit=x", "?after=1.2", "?after=a.b.c",
                  "?after=" + "9" * 40, "?after=99999999999", "?after=999999"):
        r = await client.get(base + query, headers=ada)
        assert r.status_code == 400 and r.json()["error"]["message"], query


async def test_the_forum_page_links_the_threads_past_its_live_list(client, app_cast):
    cast = app_cast
    made = [await create_thread(cast.bob, cast.course.id, f"Numbered thread {i:02}", "text")
            for i in range(LIST_LIMIT + 2)]
    await browser_login(client, cast.ada.email)
    forum = await client.get(f"/courses/{cast.course.id}/forum")
    assert forum.text.count('class="thread-row') == LIST_LIMIT
    older = re.search(r'class="older-threads" rel="next" href="([^"]+)"', forum.text)
    assert older and "Numbered thread 01" not in forum.text
    rest = await client.get(older.group(1).replace("&amp;", "&"))
    assert rest.status_code == 200 and rest.text.count('class="thread-row') == 2
    assert f"/forum/threads/{made[0].id}" in rest.text and "older-threads" not in rest.text
