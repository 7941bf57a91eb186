"""The content API (the API contract "Courses and roles"): import, publish, outline, blocks."""

import json

import httpx
import pytest

from app.application import create_app
from tests.conftest import make_settings
from tests.content_app.conftest import COURSE, WELCOME, import_and_publish
from tests.support.people import bearer, token

ANSWER_KEYS = {"correct", "feedback", "answer", "answers", "patterns", "tests", "explanation"}


async def test_instructor_imports_an_archive_then_publishes_it_for_students(
        client, people, archive):
    auth = bearer(await token(client, "grace@example.org"))
    student = bearer(await token(client, "ada@example.org"))
    r = await client.post(f"/api/v1/courses/{COURSE}/import", content=archive(),
                          headers={**auth, "content-type": "application/gzip"})
    assert r.status_code == 200, r.text
    draft = r.json()["draft_version"]
    assert len(draft) == 24
    before = await client.get(f"/api/v1/courses/{COURSE}/outline", headers=student)
    assert before.status_code == 404  # imported, not yet published: students see nothing
    p = await client.post(f"/api/v1/courses/{COURSE}/publish", headers=auth)
    assert p.status_code == 200 and p.json()["published_version"] == draft
    outline = (await client.get(f"/api/v1/courses/{COURSE}/outline", headers=student)).json()
    assert outline["type"] == "course" and outline["title"] == "Python from scratch"
    assert [c["id"] for c in outline["children"]] == ["getting-started", "loops", "functions"]
    unit = outline["children"][0]["children"][0]["children"][0]
    assert unit == {"id": "hello", "type": "vertical", "title": "Hello, Python",
                    "children": unit["children"]}
    assert [c["id"] for c in unit["children"]] == ["welcome", "running-python",
                                                   "introduce-yourself"]


async def test_reimporting_an_unchanged_archive_writes_no_new_version(client, people, archive):
    draft, _ = await import_and_publish(client, archive)
    auth = bearer(await token(client, "grace@example.org"))
    again = await client.post(f"/api/v1/courses/{COURSE}/import", content=archive(),
                              headers=auth)
    assert again.json()["draft_version"] == draft


async def test_import_with_a_mistake_is_400_naming_file_and_line_and_writes_nothing(
        client, people, archive):
    draft, _ = await import_and_publish(client, archive)
    bad = archive(("02-loops/01-repeating/01-for-loops/02-sum-range.md",
                   "max_attempts:", "max_attemps:"))
    auth = bearer(await token(client, "grace@example.org"))
    r = await client.post(f"/api/v1/courses/{COURSE}/import", content=bad, headers=auth)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["fields"]["file"] == "02-loops/01-repeating/01-for-loops/02-sum-range.md"
    assert isinstance(error["fields"]["line"], int) and error["fields"]["line"] > 1
    assert "max_attemps" in error["message"]
    history = await client.post(f"/api/v1/courses/{COURSE}/import", content=archive(),
                                headers=auth)
    assert history.json()["draft_version"] == draft  # the bad import changed nothing


@pytest.mark.parametrize("edit,line", [
    (("02-loops/chapter.yaml", "start:", "on: yes\nbogus: 1\nstart:"), 2),
    (("02-loops/chapter.yaml", "start:", "deep: " + "[" * 3000 + "\nstart:"), 2),
], ids=["yaml-boolean-key-beside-unknown-key", "deeply-nested-yaml"])
async def test_archives_with_hostile_yaml_are_400_naming_file_and_line(
        client, people, archive, edit, line):
    auth = bearer(await token(client, "grace@example.org"))
    r = await client.post(f"/api/v1/courses/{COURSE}/import", content=archive(edit),
                          headers=auth)
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_course_folder"
    assert (error["fields"]["file"], error["fields"]["line"]) == ("02-loops/chapter.yaml", line)


async def test_garbage_and_empty_bodies_are_400_not_500(client, people):
    auth = bearer(await token(client, "grace@example.org"))
    for body in (b"", b"not a tarball at all"):
        r = await client.post(f"/api/v1/courses/{COURSE}/import", content=body, headers=auth)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] in {"bad_input", "invalid_course_folder"}


async def test_an_archive_of_another_course_is_refused(client, people, archive):
    other = archive(("course.yaml", "number: PY101", "number: PY102"))
    auth = bearer(await token(client, "grace@example.org"))
    r = await client.post(f"/api/v1/courses/{COURSE}/import", content=other, headers=auth)
    assert r.status_code == 400 and "PY102" in r.json()["error"]["message"]


async def test_uploads_over_the_limit_are_413(settings, client, tmp_path, people, archive):
    # The instructor's own upload: anyone else is refused before the body is read.
    auth = bearer(await token(client, "grace@example.org"))
    small = create_app(make_settings(tmp_path / "small", settings.database_url,
                                     secret_key=settings.secret_key, max_upload_bytes=2_000))
    await small.runtime.start()
    try:
        transport = httpx.ASGITransport(app=small)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.post(f"/api/v1/courses/{COURSE}/import", content=archive(),
                             headers=auth)
        assert r.status_code == 413
        assert r.json()["error"]["code"] == "too_large"
    finally:
        await small.runtime.stop()


async def test_block_views_never_carry_answer_keys_or_hidden_tests(client, people, archive):
    await import_and_publish(client, archive)
    student = bearer(await token(client, "ada@example.org"))
    outline = (await client.get(f"/api/v1/courses/{COURSE}/outline", headers=student)).json()
    ids, stack = [], [outline]
    while stack:
        node = stack.pop()
        ids.append(node["id"])
        stack.extend(node["children"])
    seen_types = set()
    for block_id in ids:
        r = await client.get(f"/api/v1/courses/{COURSE}/blocks/{block_id}", headers=student)
        assert r.status_code == 200, (block_id, r.text)
        view = r.json()
        seen_types.add(view["type"])
        assert view["id"] == block_id

        def keys(value):
            if isinstance(value, dict):
                for k, v in value.items():
                    yield k
                    yield from keys(v)
            elif isinstance(value, list):
                for v in value:
                    yield from keys(v)
        assert not ANSWER_KEYS & set(keys(view)), block_id
        assert "def test_" not in json.dumps(view)
    assert {"problem", "code", "peer_review", "html", "video", "discussion"} <= seen_types
    problem = (await client.get(f"/api/v1/courses/{COURSE}/blocks/sum-range",
                                headers=student)).json()
    assert set(problem) >= {"id", "type", "title", "kind", "prompt_html", "max_points",
                            "max_attempts", "due_at"}


async def test_students_and_tas_cannot_import_or_publish(client, people, archive):
    for who in ("ada@example.org", "tom@example.org"):
        auth = bearer(await token(client, who))
        r = await client.post(f"/api/v1/courses/{COURSE}/import", content=archive(),
                              headers=auth)
        assert r.status_code == 403
        r = await client.post(f"/api/v1/courses/{COURSE}/publish", headers=auth)
        assert r.status_code == 403


async def test_outsiders_unknown_courses_and_unknown_blocks_are_404(client, people, archive):
    await import_and_publish(client, archive)
    outsider = bearer(await token(client, "out@example.org"))
    student = bearer(await token(client, "ada@example.org"))
    assert (await client.get(f"/api/v1/courses/{COURSE}/outline",
                             headers=outsider)).status_code == 404
    assert (await client.get(f"/api/v1/courses/{COURSE}/blocks/welcome",
                             headers=outsider)).status_code == 404
    assert (await client.get("/api/v1/courses/course-v1:No+Such+Course/outline",
                             headers=student)).status_code == 404
    r = await client.get(f"/api/v1/courses/{COURSE}/blocks/no-such-block", headers=student)
    assert r.status_code == 404 and r.json()["error"]["code"] == "block_not_found"


async def test_publishing_a_malformed_expected_version_is_a_400(client, people, archive):
    await import_and_publish(client, archive)
    auth = bearer(await token(client, "grace@example.org"))
    r = await client.post(f"/api/v1/courses/{COURSE}/publish",
                          json={"expected_version": "not-a-version"}, headers=auth)
    assert r.status_code == 400, r.text
    assert "expected_version" in r.json()["error"]["fields"]


async def test_draft_only_blocks_are_invisible_until_published(client, people, archive):
    await import_and_publish(client, archive)
    auth = bearer(await token(client, "grace@example.org"))
    student = bearer(await token(client, "ada@example.org"))
    changed = archive((WELCOME, "title: Welcome", "title: Welcome, draft edition"))
    await client.post(f"/api/v1/courses/{COURSE}/import", content=changed, headers=auth)
    view = (await client.get(f"/api/v1/courses/{COURSE}/blocks/welcome",
                             headers=student)).json()
    assert view["title"] == "Welcome"
    await client.post(f"/api/v1/courses/{COURSE}/publish", headers=auth)
    view = (await client.get(f"/api/v1/courses/{COURSE}/blocks/welcome",
                             headers=student)).json()
    assert view["title"] == "Welcome, draft edition"


async def test_publishing_a_stale_expected_version_is_a_409_conflict(client, people, archive):
    draft, _ = await import_and_publish(client, archive)
    auth = bearer(await token(client, "grace@example.org"))
    changed = archive((WELCOME, "title: Welcome", "title: Hi"))
    await client.post(f"/api/v1/courses/{COURSE}/import", content=changed, headers=auth)
    r = await client.post(f"/api/v1/courses/{COURSE}/publish", headers=auth,
                          json={"expected_version": draft})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "version_conflict"


@pytest.mark.parametrize("path", ["import", "publish"])
async def test_content_writes_need_credentials(client, people, path):
    r = await client.post(f"/api/v1/courses/{COURSE}/{path}", content=b"x",
                          headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401
