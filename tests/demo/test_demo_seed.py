"""`coursewire demo`'s course is alive on the day it is seeded, whatever that day is:
deadlines relative to then, a late quiz with an extension, a peer review a demo student
can finish with a score, videos that are course files, and the introductions thread in
its discussion unit."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from app.demo import DEMO_PASSWORD, seed_demo
from content_store.connect import current_store
from grading.course_blocks import graded_block
from models.forum import ForumTopic, Post, Thread
from models.grading import Submission
from models.users import User

COURSE = "course-v1:Coursewire+PY101+2026"
PEER = "explain-a-function"
RUBRIC_ANSWER = {"scores": {"correctness": "works", "explanation": "clear",
                            "naming": "descriptive"},
                 "criterion_feedback": {"explanation": "Clear, thank you."},
                 "feedback": "Good work."}


async def auth(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    r = await client.post("/api/v1/auth/token", json={"email": f"{name}@demo.coursewire",
                                                      "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


async def due(block_id: str) -> datetime:
    block, _ = await graded_block(COURSE, block_id)
    assert block.due_at is not None
    return block.due_at


async def published_version() -> str:
    return str((await current_store().get_course_index(COURSE)).published_version)


async def test_deadlines_are_relative_to_the_seeding_day(app):
    await seed_demo()
    now = datetime.now(UTC)
    late = await due("strings")
    assert now - timedelta(days=3) < late < now - timedelta(days=1)
    for block_id in ("vowel-counter", "fizzbuzz", PEER):
        assert now + timedelta(weeks=1) < await due(block_id) < now + timedelta(weeks=6)


async def test_the_late_quiz_takes_late_work_with_a_penalty_and_ada_has_an_extension(
        app, client):
    await seed_demo()
    url = f"/api/v1/courses/{COURSE}/blocks/output/submissions"
    answer = {"answer": {"text": "Hi there"}}
    for name, late in (("ada", False), ("linus", True)):
        r = await client.post(url, headers=await auth(client, name), json=answer)
        assert r.status_code == 202, r.text
        submission = await Submission.get(id=r.json()["id"])
        assert submission.late is late
        assert submission.late_penalty == (0.25 if late else 0.0)
    # The code exercise and the peer review take submissions today.
    code = await client.post(f"/api/v1/courses/{COURSE}/blocks/vowel-counter/submissions",
                             headers=await auth(client, "ada"),
                             json={"answer": {"code": "def count_vowels(t):\n    return 0\n"}})
    assert code.status_code == 202, code.text


async def test_a_demo_student_reaches_a_peer_review_score_with_the_printed_logins(app, client):
    seeded = await seed_demo()
    printed = {u["email"].split("@")[0] for u in seeded["users"]}
    assert {"ada", "linus", "margaret"} <= printed
    ada = await auth(client, "ada")
    r = await client.post(f"/api/v1/courses/{COURSE}/blocks/{PEER}/submissions", headers=ada,
                          json={"answer": {"text": "def double(x):\n    return 2 * x"}})
    assert r.status_code == 202, r.text
    block = (await client.get(f"/api/v1/courses/{COURSE}/blocks/{PEER}", headers=ada)).json()
    for _ in range(block["must_grade"]):
        work = await client.get(f"/api/v1/peer-review/{COURSE}/{PEER}/next", headers=ada)
        assert work.status_code == 200, work.text
        done = await client.post(
            f"/api/v1/peer-review/assignments/{work.json()['id']}/assessment", headers=ada,
            json=RUBRIC_ANSWER)
        assert done.status_code == 201, done.text
    me = await client.post(f"/api/v1/peer-review/{COURSE}/{PEER}/self-assessment",
                           headers=ada, json=RUBRIC_ANSWER)
    assert me.status_code in (200, 201), me.text
    result = f"/api/v1/peer-review/{COURSE}/{PEER}/result"
    assert (await client.get(result, headers=ada)).json()["status"] == \
        "waiting_for_peer_reviews"
    for name in ("linus", "margaret"):  # classmates printed by `coursewire demo`
        peer = await auth(client, name)
        work = await client.get(f"/api/v1/peer-review/{COURSE}/{PEER}/next", headers=peer)
        assert work.status_code == 200, work.text
        assert "double" in work.json()["submission"]["answer"]["text"]  # Ada's response
        done = await client.post(
            f"/api/v1/peer-review/assignments/{work.json()['id']}/assessment", headers=peer,
            json=RUBRIC_ANSWER)
        assert done.status_code == 201, done.text
    score = (await client.get(result, headers=ada)).json()
    assert score["status"] == "graded" and score["points"] == 8, score


async def test_seeding_again_later_moves_the_dates_and_keeps_what_people_did(app, client):
    month_ago = datetime.now(UTC) - timedelta(days=30)
    await seed_demo(month_ago)
    old_due, old_version = await due("fizzbuzz"), await published_version()
    linus = await auth(client, "linus")
    post = await client.post(f"/api/v1/courses/{COURSE}/forum/threads", headers=linus,
                             json={"title": "Still here", "body": "A month later."})
    assert post.status_code == 201, post.text
    submitted = await client.post(f"/api/v1/courses/{COURSE}/blocks/fizzbuzz/submissions",
                                  headers=linus,
                                  json={"answer": {"code": "def fizzbuzz(n):\n  return ''"}})
    assert submitted.status_code == 202, submitted.text
    users = await User.all().count()

    await seed_demo()
    assert await due("fizzbuzz") - old_due == timedelta(days=30)
    moved_version = await published_version()
    assert moved_version != old_version  # a new content version
    assert await User.all().count() == users
    assert await Post.exists(thread__title="Still here")
    assert await Submission.exists(id=submitted.json()["id"])
    await seed_demo()  # the same day again: nothing to move
    assert await published_version() == moved_version


async def test_the_demo_videos_are_course_files_a_browser_can_play(app, client):
    await seed_demo()
    ada = await auth(client, "ada")
    for block_id in ("running-python", "functions-video"):
        view = (await client.get(f"/api/v1/courses/{COURSE}/blocks/{block_id}",
                                 headers=ada)).json()
        assert view["url"].startswith(f"/courses/{COURSE}/assets/"), view
        video = await client.get(view["url"], headers=ada)
        assert video.status_code == 200
        assert video.headers["content-type"] == "video/webm"
        assert video.content[:4] == b"\x1a\x45\xdf\xa3"  # EBML: a WebM/Matroska file
        assert 10_000 < len(video.content) < 300_000


async def test_the_introduce_yourself_unit_shows_its_seeded_thread(app, client):
    await seed_demo()
    page = await client.get("/login")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf
    r = await client.post("/login", data={"email": "ada@demo.coursewire",
                                          "password": DEMO_PASSWORD,
                                          "csrf_token": csrf.group(1), "next": "/"})
    assert r.status_code == 303, r.text
    panel_url = f"/courses/{COURSE}/forum/discussions/introduce-yourself"
    assert f'hx-get="{panel_url}"' in (await client.get(f"/courses/{COURSE}/units/hello")).text
    panel = await client.get(panel_url, headers={"HX-Request": "true"})
    assert panel.status_code == 200
    thread = await Thread.get(course_id=COURSE, title="Introduce yourself")
    assert f'href="/forum/threads/{thread.id}"' in panel.text


async def test_seeding_an_old_data_dir_files_introductions_under_its_discussion(app):
    await seed_demo()
    thread = await Thread.get(course_id=COURSE, title="Introduce yourself")
    general = await ForumTopic.get(course_id=COURSE, key="general")
    await Thread.filter(id=thread.id).update(topic_id=general.id)  # as seeded before
    await seed_demo()
    moved = await Thread.get(id=thread.id).prefetch_related("topic")
    assert moved.topic.key == "introductions"
    assert await Post.filter(thread_id=thread.id).count() == 2  # its replies came along
