"""Forum search (API.md "Lists"): every word must match, the hits are what the thread pages
show the caller (an anonymous author stays anonymous, a hidden post is found only by
staff), and following the `Link: rel="next"` headers reaches every hit exactly once."""

from __future__ import annotations

import re

from forum.moderation import moderate
from forum.posts import create_post
from forum.threads import create_thread
from tests.support.people import bearer, browser_login, person, token

WORD = "Zymurgy"  # a word only the posts made here contain


def _next(response) -> str | None:
    found = re.match(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
    return found.group(1) if found else None


async def _search(client, course_id: str, headers, q: str, **params):
    return await client.get(f"/api/v1/courses/{course_id}/forum/search",
                            params={"q": q, **params}, headers=headers)


async def test_search_finds_titles_and_posts_with_every_word(client, app_cast):
    cast = app_cast
    thread = await create_thread(cast.bob, cast.course.id, f"{WORD} basics", "First post")
    reply = await create_post(cast.cy, thread.id, f"A reply about {WORD.lower()} and yeast")
    await create_post(cast.cy, thread.id, "Nothing to see")
    ada = bearer(await token(client, cast.ada.email))
    r = await _search(client, cast.course.id, ada, WORD.upper())
    assert r.status_code == 200, r.text
    hits = r.json()
    assert [(h["post"]["depth"], h["thread"]["id"]) for h in hits] == [(1, thread.id),
                                                                        (0, thread.id)]
    assert hits[0]["post"]["id"] == reply.id  # newest first; the title matched the root
    both = await _search(client, cast.course.id, ada, f"{WORD} yeast")
    assert [hit["post"]["id"] for hit in both.json()] == [reply.id]
    assert (await _search(client, cast.course.id, ada, "no-such-word-here")).json() == []
    for wildcard in ("%", "_", "\\"):  # LIKE's own characters are plain text to a search
        assert (await _search(client, cast.course.id, ada, wildcard)).json() == [], wildcard


async def test_search_keeps_anonymity_and_hidden_posts_as_the_thread_page(client, app_cast):
    cast = app_cast
    thread = await create_thread(cast.ada, cast.course.id, "Question", f"{WORD} one",
                                 "peers")
    hidden = await create_post(cast.bob, thread.id, f"{WORD} rude reply")
    await moderate(cast.ta, hidden.id, "hide", "rude")
    bob = bearer(await token(client, cast.bob.email))
    ta = bearer(await token(client, cast.ta.email))
    cy = bearer(await token(client, cast.cy.email))
    seen = (await _search(client, cast.course.id, cy, WORD)).json()
    assert [h["post"]["depth"] for h in seen] == [0]
    assert seen[0]["post"]["author"] is None and "Hiddenname" not in str(seen)
    assert seen[0]["thread"]["author"] is None
    staff = (await _search(client, cast.course.id, ta, WORD)).json()
    assert {h["post"]["id"] for h in staff} == {hidden.id, seen[0]["post"]["id"]}
    assert "Ada Hiddenname" in str(staff)  # peers-anonymous: staff see who (the detector)
    # Its author, like other students, no longer finds the hidden post's text.
    assert hidden.id not in {h["post"]["id"] for h in
                             (await _search(client, cast.course.id, bob, WORD)).json()}


async def test_following_next_links_reaches_every_hit_once(client, app_cast):
    cast = app_cast
    thread = await create_thread(cast.bob, cast.course.id, "Many", "start")
    made = [(await create_post(cast.cy, thread.id, f"{WORD} number {i}")).id
            for i in range(7)]
    ada = bearer(await token(client, cast.ada.email))
    r = await _search(client, cast.course.id, ada, WORD, limit=3)
    seen, pages = [], 0
    while True:
        assert r.status_code == 200, r.text
        seen += [hit["post"]["id"] for hit in r.json()]
        pages += 1
        url = _next(r)
        if url is None:
            break
        r = await client.get(url, headers=ada)
    assert seen == sorted(made, reverse=True) and pages == 3


async def test_bad_searches_are_clear_400s_and_outsiders_get_404(client, app_cast):
    cast = app_cast
    ada = bearer(await token(client, cast.ada.email))
    for params in ({"q": "  "}, {"q": "x" * 201}, {"q": WORD, "limit": "0"},
                   {"q": WORD, "limit": "51"}, {"q": WORD, "after": "abc"},
                   {"q": WORD, "after": "99999999999"}, {"q": WORD, "after": "1.2"}):
        r = await client.get(f"/api/v1/courses/{cast.course.id}/forum/search",
                             params=params, headers=ada)
        assert r.status_code == 400 and r.json()["error"]["message"], params
    await person("out@example.org", "Out Sider")
    out = bearer(await token(client, "out@example.org"))
    assert (await _search(client, cast.course.id, out, WORD)).status_code == 404


async def test_search_page_lists_hits_and_a_load_more_link(client, app_cast):
    cast = app_cast
    thread = await create_thread(cast.bob, cast.course.id, "Paged", "start")
    for i in range(3):
        await create_post(cast.cy, thread.id, f"{WORD} page post {i}")
    await browser_login(client, cast.ada.email)
    page = await client.get(f"/courses/{cast.course.id}/forum/search",
                            params={"q": WORD, "limit": "2"})
    assert page.status_code == 200
    assert page.text.count('class="search-hit"') == 2 and "page post 2" in page.text
    more = re.search(r'class="search-more" rel="next" href="([^"]+)"', page.text)
    assert more
    rest = await client.get(more.group(1).replace("&amp;", "&"))
    assert rest.text.count('class="search-hit"') == 1 and "page post 0" in rest.text
    assert 'class="search-more"' not in rest.text
    bad = await client.get(f"/courses/{cast.course.id}/forum/search",
                           params={"q": "x" * 201})
    assert bad.status_code == 400 and "at most 200 characters" in bad.text
