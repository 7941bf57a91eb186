"""GDPR: the export holds everything stored about a person (anonymous posts and quiz
attempts included); after erasure, nothing in any table, the event log or the content
store names them, while course statistics keep their counts. Embedded and service mode."""

from __future__ import annotations

import json
from typing import Any

from tortoise import Tortoise

from content_store.connect import current_store
from content_store.embedded import JournaledDatabase
from models.courses import Membership
from models.forum import Post
from models.grading import Submission
from models.quiz_integrity import AttemptDevice, AttemptHold
from models.quizzes import QuizAttempt
from models.users import User
from tests.personal_data.seed import COURSE_ID, EMAIL, NAME, leave_traces
from tests.support.mailbox import mails_to
from tests.support.people import PASSWORD, bearer, person, token

ID_KEYS = ("user_id", "author_id", "reviewer_id", "edited_by", "last_updated_by",
           "target_user_id", "actor_id", "by_id")


def _names_id(value: Any, user_id: int) -> list[str]:
    """Where in a JSON value `user_id` appears as a user: an id key, an {id, name}, a topic."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ID_KEYS and v == user_id:
                found.append(k)
            found += _names_id(v, user_id)
        if value.get("id") == user_id and "name" in value:
            found.append("{id, name}")
    elif isinstance(value, list):
        for v in value:
            found += _names_id(v, user_id)
    elif isinstance(value, str) and value == f"user:{user_id}":
        found.append(value)
    return found


def _identifies(record: dict[str, Any], user_id: int) -> list[str]:
    """What in a row or document names the person (its own id and name columns aside)."""
    text = json.dumps(record, default=str).lower()
    hits = [w for w in (NAME.lower(), "zebulon", "quaxley", EMAIL) if w in text]
    return hits + [h for value in record.values() for h in _names_id(value, user_id)]


async def _traces_in_tables(user_id: int) -> list[str]:
    found = []
    for models in Tortoise.apps.values():
        for model in models.values():
            user_columns = {model._meta.fields_map[f].source_field for f in model._meta.fk_fields
                            if model._meta.fields_map[f].related_model is User}
            user_columns |= {c for c in model._meta.db_fields if c == "target_user_id"}
            for row in await model.all().values():
                hits = _identifies(row, user_id)
                hits += [c for c in user_columns if row.get(c) == user_id]
                if model._meta.db_table == "events" and row["topic"] == f"user:{user_id}":
                    hits.append("topic")
                if hits:
                    found.append(f"{model._meta.db_table} #{row.get('id')}: {hits}")
    return found


async def _traces_in_content(user_id: int) -> list[str]:
    db = current_store().db
    if isinstance(db, JournaledDatabase):  # the embedded stand-in: the store it journals
        db = db.inner
    found = []
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            if hits := _identifies(doc, user_id):
                found.append(f"{name} {doc.get('_id')}: {hits}")
    return found


async def test_export_has_everything_including_anonymous_posts_and_quiz_attempts(
        client, tmp_path, settings):
    t = await leave_traces(client, tmp_path, settings)
    r = await client.get("/api/v1/me/export", headers=t.headers["zebulon.quaxley"])
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["profile"] == {**data["profile"], "id": t.zeb.id, "email": EMAIL, "name": NAME}
    assert {(m["course_id"], m["role"]) for m in data["courses"]["memberships"]} == {
        (COURSE_ID, "student"), ("course-v1:Zeb+OWN1+2026", "instructor")}
    blocks = {s["block_id"] for s in data["grading"]["submissions"]}
    assert {"pick", "midterm", "quick"} <= blocks
    posts = {p["body_md"]: p for p in data["forum"]["posts"]}
    assert posts["A shy remark"]["anonymity"] == "peers"
    assert posts["Signed question"]["thread_title"] == "Zeb asks"
    [attempt] = data["quizzes"]["attempts"]
    assert attempt["id"] == t.quiz_attempt_id and attempt["status"] in ("submitted", "graded")
    assert attempt["answers"]["capital"]["answer"] == {"choice": "paris"}
    assert data["quizzes"]["accommodations"][0]["extra_minutes"] == 10
    [device] = data["quizzes"]["attempt_devices"]  # exam integrity: the token opened it
    assert device["attempt_id"] == t.quiz_attempt_id
    assert data["quizzes"]["attempt_holds"][0]["device"] == device["device"]
    [response] = data["peer_review"]["responses"]
    [received] = response["reviews_received"]
    assert received["feedback"] == "review by bob" and "reviewer_id" not in received
    assert "bob" not in json.dumps(received).lower().replace("review by bob", "")
    assert data["peer_review"]["reviews_given"][0]["feedback"] == "review by zeb"
    assert data["forum"]["votes"] == [] and data["courses"]["invites_made"] == []
    assert data["courseware"]["courses_last_edited"] == ["course-v1:Zeb+OWN1+2026"]
    assert "password" in data["mail"][0]["subject"].lower()
    assert any(e["event"] for e in data["events"])  # grades and submissions on user:me
    # As a file, for the profile's button.
    r = await client.get("/api/v1/me/export?download=1", headers=t.headers["zebulon.quaxley"])
    assert r.headers["content-disposition"].startswith("attachment;")


async def test_erasure_leaves_no_trace_and_keeps_course_statistics(client, tmp_path, settings):
    t = await leave_traces(client, tmp_path, settings)
    z = t.headers["zebulon.quaxley"]
    counts = (await Submission.filter(course_id=COURSE_ID).count(),
              await QuizAttempt.filter(course_id=COURSE_ID).count(),
              await Post.all().count(), await Membership.filter(course_id=COURSE_ID).count())
    # The detectors see the traces before.
    assert await _traces_in_tables(t.zeb.id) and await _traces_in_content(t.zeb.id)
    assert mails_to(settings.data_dir, EMAIL)

    r = await client.request("DELETE", "/api/v1/me", headers=z, json={"password": "wrong!!!"})
    assert r.status_code == 403 and r.json()["error"]["fields"]["password"]
    r = await client.request("DELETE", "/api/v1/me", headers=z, json={})
    assert r.status_code == 400
    r = await client.request("DELETE", "/api/v1/me", headers=z, json={"password": PASSWORD})
    assert r.status_code == 202, r.text

    left = await _traces_in_tables(t.zeb.id)
    assert left == [], "\n".join(left)
    assert await _traces_in_content(t.zeb.id) == []
    # The devices that opened the attempt went with the person (the attempt stays).
    assert not await AttemptDevice.filter(attempt_id=t.quiz_attempt_id).exists()
    assert not await AttemptHold.filter(attempt_id=t.quiz_attempt_id).exists()
    assert mails_to(settings.data_dir, EMAIL) == []  # the development outbox folder too
    # The account is gone: its token, its password, its export.
    assert (await client.get("/api/v1/me", headers=z)).status_code == 401
    r = await client.post("/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 401
    # Course statistics keep their counts; the work belongs to "Deleted user".
    assert counts == (await Submission.filter(course_id=COURSE_ID).count(),
                      await QuizAttempt.filter(course_id=COURSE_ID).count(),
                      await Post.all().count(),
                      await Membership.filter(course_id=COURSE_ID).count())
    post = await Post.get(id=t.anonymous_post_id).prefetch_related("author")
    assert post.author.name == "Deleted user"
    members = await client.get(f"/api/v1/courses/{COURSE_ID}/members",
                               headers=t.headers["prof"])
    assert "Deleted user" in members.text and NAME not in members.text
    thread_list = await client.get(f"/api/v1/courses/{COURSE_ID}/forum/threads",
                                   headers=t.headers["bob"])
    assert NAME not in thread_list.text and EMAIL not in thread_list.text


async def test_only_an_administrator_erases_someone_else(client, tmp_path):
    t = await leave_traces(client, tmp_path)
    url = f"/api/v1/users/{t.zeb.id}"
    assert (await client.delete(url, headers=t.headers["bob"])).status_code == 403
    assert (await client.delete("/api/v1/users/99999999999", headers=t.headers["bob"])
            ).status_code in (403, 404)
    t.prof.is_admin = True
    await t.prof.save(update_fields=["is_admin"])
    assert (await client.delete(url, headers=t.headers["prof"])).status_code == 202
    assert await _traces_in_tables(t.zeb.id) == []
    again = await client.delete(url, headers=t.headers["prof"])
    assert again.status_code == 404
    tombstone = await User.get(name="Deleted user")
    r = await client.delete(f"/api/v1/users/{tombstone.id}", headers=t.headers["prof"])
    assert r.status_code == 422  # already erased
    assert await User.exists(id=t.prof.id)
    assert (await client.get("/api/v1/me", headers=bearer("x"))).status_code == 401


async def test_guessing_the_password_to_delete_is_throttled_like_a_sign_in(client, settings):
    await person("guess@example.org", "Guess Who")
    headers = bearer(await token(client, "guess@example.org"))
    statuses = [(await client.request("DELETE", "/api/v1/me", headers=headers,
                                      json={"password": f"wrong-{i}-guess"})).status_code
                for i in range(settings.login_attempts_per_account + 2)]
    assert statuses[0] == 403 and statuses[-1] == 429
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200  # not erased


async def test_nobody_registers_an_address_like_a_tombstones(client):
    r = await client.post("/api/v1/auth/register", json={
        "email": "deleted-1@erased.invalid", "password": PASSWORD, "name": "Sneaky"})
    assert r.status_code == 400 and r.json()["error"]["fields"]["email"]
