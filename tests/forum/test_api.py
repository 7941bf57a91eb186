"""The forum JSON API and pages: the API contract's paths and fields, same visibility as pages."""

import re
from html.parser import HTMLParser

from tests.support.people import bearer, browser_login, token

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "<svg onload=alert(1)><circle/></svg>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "![x](data:text/html;base64,PHNjcmlwdD4=)",
    "<div style=\"background:url(javascript:alert(1))\">css</div>",
    "<style>body{display:none}</style>",
    "<iframe src=//evil.example></iframe>",
    "<<script>script>alert(1)<</script>/script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "`<script>` in code is fine",
]


async def _tokens(client, cast):
    return {name: bearer(await token(client, getattr(cast, name).email))
            for name in ("teacher", "ta", "ada", "bob")}


async def test_threads_and_posts_follow_the_api_contract(client, app_cast):
    cast = app_cast
    h = await _tokens(client, cast)
    base = f"/api/v1/courses/{cast.course.id}/forum"
    r = await client.post(base + "/threads", headers=h["ada"],
                          json={"title": "Loops?", "body": "How do **loops** work?",
                                "anonymity": "peers"})
    assert r.status_code == 201, r.text
    thread = r.json()
    assert thread["title"] == "Loops?" and thread["author_label"] == "you (anonymous)"
    r = await client.post(f"/api/v1/forum/threads/{thread['id']}/posts", headers=h["bob"],
                          json={"body": "Like this", "anonymity": "none"})
    assert r.status_code == 201
    reply = r.json()
    assert reply["author"] == {"id": cast.bob.id, "name": "Bob Student"}
    r = await client.post(f"/api/v1/forum/threads/{thread['id']}/posts", headers=h["ada"],
                          json={"body": "thanks", "parent_id": reply["id"]})
    assert r.status_code == 201 and r.json()["depth"] == 2
    seen_by_bob = (await client.get(f"/api/v1/forum/threads/{thread['id']}",
                                    headers=h["bob"])).json()
    assert seen_by_bob["author"] is None and seen_by_bob["author_label"] == "Anonymous"
    assert next(p["id"] for p in seen_by_bob["posts"]) == reply["id"]
    seen_by_ta = (await client.get(f"/api/v1/forum/threads/{thread['id']}",
                                   headers=h["ta"])).json()
    assert seen_by_ta["author"] == {"id": cast.ada.id, "name": "Ada Hiddenname"}
    listing = (await client.get(base + "/threads", headers=h["bob"])).json()
    assert listing[0]["id"] == thread["id"] and listing[0]["author"] is None


async def test_moderation_and_flags_over_the_api(client, app_cast):
    cast = app_cast
    h = await _tokens(client, cast)
    t = (await client.post(f"/api/v1/courses/{cast.course.id}/forum/threads", headers=h["ada"],
                           json={"title": "T", "body": "B"})).json()
    p = (await client.post(f"/api/v1/forum/threads/{t['id']}/posts", headers=h["bob"],
                           json={"body": "rude"})).json()
    r = await client.post(f"/api/v1/forum/posts/{p['id']}/flags", headers=h["ada"],
                          json={"reason": "rude"})
    assert r.status_code == 201
    queue = (await client.get(f"/api/v1/courses/{cast.course.id}/forum/moderation",
                              headers=h["ta"])).json()
    assert queue[0]["post_id"] == p["id"]
    r = await client.post(f"/api/v1/forum/posts/{p['id']}/moderation", headers=h["bob"],
                          json={"action": "hide"})
    assert r.status_code == 403
    r = await client.post(f"/api/v1/forum/posts/{p['id']}/moderation", headers=h["ta"],
                          json={"action": "explode"})
    assert r.status_code == 400
    r = await client.post(f"/api/v1/forum/posts/{p['id']}/moderation", headers=h["ta"],
                          json={"action": "hide", "reason": "be kind"})
    assert r.status_code == 200 and r.json()["status"] == "hidden"
    r = await client.get(f"/api/v1/forum/posts/{p['id']}", headers=h["ada"])
    assert r.status_code == 404
    thread = (await client.get(f"/api/v1/forum/threads/{t['id']}", headers=h["ada"])).json()
    assert thread["posts"] == []
    r = await client.post(f"/api/v1/forum/posts/{t['post_id']}/moderation", headers=h["ta"],
                          json={"action": "pin"})
    assert r.json()["thread"]["pinned"] is True


async def test_rate_limit_is_429_with_a_clear_message(client, app_cast):
    cast = app_cast
    h = await _tokens(client, cast)
    t = (await client.post(f"/api/v1/courses/{cast.course.id}/forum/threads", headers=h["ta"],
                           json={"title": "T", "body": "B"})).json()
    statuses = []
    for i in range(12):
        r = await client.post(f"/api/v1/forum/threads/{t['id']}/posts", headers=h["bob"],
                              json={"body": f"post {i}"})
        statuses.append(r.status_code)
    assert statuses[:10] == [201] * 10 and statuses[10] == 429
    assert "too fast" in r.json()["error"]["message"] and r.headers["retry-after"] == "60"


async def test_idempotency_key_header_returns_the_same_post(client, app_cast):
    cast = app_cast
    h = await _tokens(client, cast)
    t = (await client.post(f"/api/v1/courses/{cast.course.id}/forum/threads", headers=h["ta"],
                           json={"title": "T", "body": "B"})).json()
    ids = set()
    for _ in range(2):
        r = await client.post(f"/api/v1/forum/threads/{t['id']}/posts",
                              headers={**h["bob"], "Idempotency-Key": "abc"},
                              json={"body": "once"})
        ids.add(r.json()["id"])
    assert len(ids) == 1


async def test_bad_input_is_a_4xx_never_a_500(client, app_cast):
    cast = app_cast
    h = await _tokens(client, cast)
    base = f"/api/v1/courses/{cast.course.id}/forum/threads"
    for body in ({}, {"title": 3, "body": []}, {"title": "t", "body": "b", "anonymity": "x"},
                 {"title": "t", "body": "x" * 20_001}, {"title": "t", "body": "b", "type": 1}):
        r = await client.post(base, headers=h["bob"], json=body)
        assert 400 <= r.status_code < 500, (body, r.text)
    assert (await client.get("/api/v1/forum/threads/999", headers=h["bob"])).status_code == 404
    assert (await client.post("/api/v1/forum/threads/999/posts", headers=h["bob"],
                              json={"body": "x", "parent_id": "zz"})).status_code == 404


async def test_xss_corpus_is_rendered_inert(client, app_cast):
    cast = app_cast
    h = await _tokens(client, cast)
    t = (await client.post(f"/api/v1/courses/{cast.course.id}/forum/threads", headers=h["ta"],
                           json={"title": "<script>alert('t')</script>", "body": "B"})).json()
    for i, vector in enumerate(XSS):
        who = ("ta", "teacher", "ada", "bob")[i % 4]  # stay under the posting rate limit
        r = await client.post(f"/api/v1/forum/threads/{t['id']}/posts", headers=h[who],
                              json={"body": f"{vector} #{i}"})
        assert r.status_code == 201
    await browser_login(client, cast.bob.email)
    html = (await client.get(f"/forum/threads/{t['id']}")).text
    body = html.split('<main', 1)[1].split("</main>", 1)[0]
    # The one style element is the page's own "you voted" marks, built from post ids only.
    votes = re.fullmatch(
        rf'(.*)<style id="thread-{t["id"]}-my-votes">\.vote \.voted-mark\{{display:none\}}'
        r'</style>(.*)', body, re.S)
    assert votes, "the vote marks are missing or carry something else"
    body = votes.group(1) + votes.group(2)
    parser = _Tags()
    parser.feed(body)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "svg", "iframe", "style", "math", "object", "embed"}
        for name, value in attrs:
            assert not name.startswith("on") and name != "style", (tag, name)
            if name in {"href", "src"}:
                assert not (value or "").lower().strip().startswith(("javascript:", "data:"))
    assert "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;" in html  # the title, escaped


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


async def test_pages_render_for_students_and_staff(client, app_cast):
    cast = app_cast
    await browser_login(client, cast.ada.email)
    r = await client.get(f"/courses/{cast.course.id}/forum")
    assert r.status_code == 200 and "Start a thread" in r.text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', r.text).group(1)
    r = await client.post(f"/courses/{cast.course.id}/forum/threads",
                          data={"title": "Page thread", "body": "hi", "anonymity": "peers",
                                "csrf_token": csrf, "topic_id": "general"})
    assert r.status_code == 303, r.text
    thread_url = r.headers["location"]
    page = await client.get(thread_url)
    assert page.status_code == 200 and "you (anonymous)" in page.text
    assert "thread%3A" in page.text  # the page subscribes to its thread topic
    r = await client.post(thread_url + "/posts", data={"body": "a reply"},
                          headers={"X-CSRF-Token": csrf, "HX-Request": "true"})
    assert r.status_code == 200 and 'class="post-form"' in r.text
    assert (await client.get(f"/courses/{cast.course.id}/forum/moderation")).status_code == 403


async def test_openapi_documents_the_forum(client, app_cast):
    doc = (await client.get("/api/v1/openapi.json")).json()
    for path in ("/api/v1/courses/{course_id}/forum/threads",
                 "/api/v1/forum/threads/{thread_id}/posts",
                 "/api/v1/forum/posts/{post_id}/moderation",
                 "/api/v1/forum/posts/{post_id}/flags"):
        assert path in doc["paths"]


async def test_students_file_threads_only_under_the_courses_topics(client, app_cast):
    cast = app_cast
    h = await _tokens(client, cast)
    base = f"/api/v1/courses/{cast.course.id}/forum/threads"
    r = await client.post(base, headers=h["bob"],
                          json={"title": "t", "body": "b", "topic_id": "made-up-topic"})
    assert r.status_code == 400 and r.json()["error"]["fields"]["topic_id"]
    topics = (await client.get(f"/api/v1/courses/{cast.course.id}/forum/topics",
                               headers=h["bob"])).json()
    assert "made-up-topic" not in {t["id"] for t in topics}
    for body in ({"topic_id": ["x"]}, {"topic_id": 7}):
        r = await client.post(base, headers=h["bob"], json={"title": "t", "body": "b", **body})
        assert r.status_code == 400, r.text
    r = await client.post(base, headers=h["bob"], json={"title": "t", "body": "b"})
    assert r.status_code == 201 and r.json()["topic_id"] == "general"
    r = await client.post(base, headers=h["ta"],
                          json={"title": "Week 2", "body": "b", "topic_id": "week-2"})
    assert r.status_code == 201 and r.json()["topic_id"] == "week-2"
    r = await client.post(base, headers=h["bob"],
                          json={"title": "Q", "body": "c", "topic_id": "week-2"})
    assert r.status_code == 201 and r.json()["topic_id"] == "week-2"


async def test_rejected_reply_and_its_reason_await_the_author_on_the_next_load(client,
                                                                              app_cast):
    cast = app_cast
    h = await _tokens(client, cast)
    await client.put(f"/api/v1/courses/{cast.course.id}/forum/settings", headers=h["teacher"],
                     json={"moderation": "pre"})
    t = (await client.post(f"/api/v1/courses/{cast.course.id}/forum/threads",
                           headers=h["teacher"], json={"title": "T", "body": "B"})).json()
    post = (await client.post(f"/api/v1/forum/threads/{t['id']}/posts", headers=h["bob"],
                              json={"body": "my rejected words"})).json()
    r = await client.post(f"/api/v1/forum/posts/{post['id']}/moderation", headers=h["ta"],
                          json={"action": "reject", "reason": "needs a source"})
    assert r.status_code == 200
    # Bob was offline; he opens the thread later.
    await browser_login(client, cast.bob.email)
    html = (await client.get(f"/forum/threads/{t['id']}")).text
    assert "my rejected words" in html and "Rejected by a moderator: needs a source" in html
    own = (await client.get(f"/api/v1/forum/posts/{post['id']}", headers=h["bob"])).json()
    assert own["status"] == "rejected" and own["moderation_reason"] == "needs a source"
    await browser_login(client, cast.ada.email)
    html = (await client.get(f"/forum/threads/{t['id']}")).text
    assert "my rejected words" not in html and "needs a source" not in html
    assert (await client.get(f"/api/v1/forum/posts/{post['id']}",
                             headers=h["ada"])).status_code == 404


async def test_the_vote_button_says_whether_you_voted(client, app_cast):
    cast = app_cast
    h = await _tokens(client, cast)
    t = (await client.post(f"/api/v1/courses/{cast.course.id}/forum/threads", headers=h["ta"],
                           json={"title": "T", "body": "B"})).json()
    r = await client.post(f"/api/v1/forum/posts/{t['post_id']}/votes", headers=h["bob"],
                          json={"value": 1})
    assert r.status_code == 200 and r.json()["score"] == 1
    await browser_login(client, cast.bob.email)
    html = (await client.get(f"/forum/threads/{t['id']}")).text
    assert f"#vote-{t['post_id']} .voted-mark{{display:inline}}" in html
    assert f'id="vote-{t["post_id"]}"' in html and "you upvoted" in html
    await browser_login(client, cast.ada.email)
    html = (await client.get(f"/forum/threads/{t['id']}")).text
    assert f"#vote-{t['post_id']} .voted-mark" not in html
