"""Idempotency-Key on the JSON API's POSTs (issue 12): a retry with the same key is
answered from the stored response and writes nothing; the same key with another request is
422; keys expire after 24 hours; a failed request stores nothing. One shell middleware."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from accounts.tokens import issue_token
from app.idempotency import fingerprint
from core.clock import now
from models.forum import Flag, Post, Thread
from models.grading import Submission
from models.idempotency import IdempotentRequest
from tests.forum.conftest import make_cast
from tests.grading_app.conftest import COURSE_ID, setup_course
from tests.support.people import bearer, token


@pytest.fixture
async def forum(app, client):
    cast = await make_cast()
    return client, cast, {name: bearer(await token(client, getattr(cast, name).email))
                          for name in ("ada", "bob")}


def _key(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


async def test_a_retried_thread_is_created_once_and_answered_the_same(forum):
    client, cast, h = forum
    url = f"/api/v1/courses/{cast.course.id}/forum/threads"
    body = {"title": "Retry me", "body": "Only once, please."}
    first = await client.post(url, json=body, headers=_key(h["ada"], "thread-1"))
    again = await client.post(url, json=body, headers=_key(h["ada"], "thread-1"))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await Thread.filter(course_id=cast.course.id, title="Retry me").count() == 1


async def test_the_same_key_with_a_different_request_is_422(forum):
    client, cast, h = forum
    url = f"/api/v1/courses/{cast.course.id}/forum/threads"
    await client.post(url, json={"title": "A", "body": "a"}, headers=_key(h["ada"], "k"))
    r = await client.post(url, json={"title": "B", "body": "b"}, headers=_key(h["ada"], "k"))
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "idempotency_key_reused"
    assert not await Thread.filter(title="B").exists()


async def test_keys_belong_to_their_user(forum):
    client, cast, h = forum
    url = f"/api/v1/courses/{cast.course.id}/forum/threads"
    body = {"title": "Same key", "body": "different people"}
    for who in ("ada", "bob"):
        r = await client.post(url, json=body, headers=_key(h[who], "shared"))
        assert r.status_code == 201 and "idempotent-replayed" not in r.headers
    assert await Thread.filter(title="Same key").count() == 2


async def test_posts_and_flags_are_not_repeated(forum):
    client, cast, h = forum
    thread = (await client.post(f"/api/v1/courses/{cast.course.id}/forum/threads",
                                json={"title": "T", "body": "B"}, headers=h["ada"])).json()
    for _ in range(3):
        r = await client.post(f"/api/v1/forum/threads/{thread['id']}/posts",
                              json={"body": "a reply"}, headers=_key(h["bob"], "reply-1"))
        assert r.status_code == 201
    assert await Post.filter(thread_id=thread["id"], depth=1).count() == 1
    post_id = r.json()["id"]
    for _ in range(2):
        r = await client.post(f"/api/v1/forum/posts/{post_id}/flags",
                              json={"reason": "spam"}, headers=_key(h["ada"], "flag-1"))
        assert r.status_code in (200, 201), r.text
    assert await Flag.filter(post_id=post_id).count() == 1


async def test_a_failed_request_stores_nothing_and_can_be_corrected(forum):
    client, cast, h = forum
    url = f"/api/v1/courses/{cast.course.id}/forum/threads"
    bad = await client.post(url, json={"title": ""}, headers=_key(h["ada"], "fix-me"))
    assert bad.status_code == 400
    good = await client.post(url, json={"title": "Fixed", "body": "b"},
                             headers=_key(h["ada"], "fix-me"))
    assert good.status_code == 201


async def test_keys_expire_after_a_day(forum):
    client, cast, h = forum
    url = f"/api/v1/courses/{cast.course.id}/forum/threads"
    body = {"title": "Daily", "body": "again tomorrow"}
    await client.post(url, json=body, headers=_key(h["ada"], "day"))
    stored = await IdempotentRequest.get(key="day")
    assert timedelta(hours=23) < stored.expires_at - now() <= timedelta(hours=24)
    await IdempotentRequest.filter(key="day").update(expires_at=now() - timedelta(seconds=1))
    r = await client.post(url, json={**body, "title": "Daily 2"},  # a new request: no 422
                          headers=_key(h["ada"], "day"))
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers


async def test_a_request_still_being_answered_is_409_and_bad_keys_400(forum):
    client, cast, h = forum
    url = f"/api/v1/courses/{cast.course.id}/forum/threads"
    body = {"title": "Slow", "body": "b"}
    scope = {"method": "POST", "path": url, "query_string": b""}
    await IdempotentRequest.create(
        user=cast.ada, key="busy", expires_at=now() + timedelta(hours=1),
        fingerprint=fingerprint(scope, json.dumps(body).encode()))
    r = await client.post(url, content=json.dumps(body).encode(),
                          headers={**_key(h["ada"], "busy"), "Content-Type": "application/json"})
    assert r.status_code == 409, r.text
    for key in ("x" * 256, "caf\u00e9".encode("latin-1"), "tab\there"):
        r = await client.post(url, json=body, headers=_key(h["ada"], key))
        assert r.status_code == 400, key
    assert not await Thread.filter(title="Slow").exists()


async def test_a_retried_submission_uses_one_attempt(app, client, tmp_path):
    settings = app.runtime.settings
    _prof, _ta, ada, _bob = await setup_course(settings, tmp_path / "course")
    h = bearer(issue_token(ada.id, settings.secret_key, settings.token_ttl_seconds))
    url = f"/api/v1/courses/{COURSE_ID}/blocks/pick/submissions"
    answers = [await client.post(url, json={"answer": {"choice": "b"}},
                                 headers=_key(h, "submit-1")) for _ in range(3)]
    assert {r.status_code for r in answers} == {202}
    assert len({r.json()["id"] for r in answers}) == 1 and answers[0].json()["attempt"] == 1
    assert await Submission.filter(user_id=ada.id).count() == 1
    later = await client.post(url, json={"answer": {"choice": "b"}}, headers=h)
    assert later.json()["attempt"] == 2  # no key: a new attempt, as before


async def test_the_openapi_document_offers_the_header_on_creating_posts(client):
    doc = (await client.get("/api/v1/openapi.json")).json()

    def names(path: str) -> list[str]:
        return [p["name"] for p in doc["paths"][path]["post"].get("parameters", [])]

    for path in ("/api/v1/courses/{course_id}/forum/threads",
                 "/api/v1/forum/threads/{thread_id}/posts",
                 "/api/v1/forum/posts/{post_id}/flags",
                 "/api/v1/courses/{course_id}/blocks/{block_id}/submissions",
                 "/api/v1/courses/{course_id}/announcements"):
        assert names(path).count("Idempotency-Key") == 1, path
    assert "Idempotency-Key" not in names("/api/v1/auth/token")
