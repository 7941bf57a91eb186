"""THE RELEASE LEAK TEST: everything a student receives over both sockets (`/ws` HTML
fragments and `/api/v1/events` JSON) and over HTTP, across publishes, studio edits, a
resync and a chapter released while the sockets are open, is collected; no unreleased
content's marker may occur in any of it until its release. The detectors check themselves:
an instructor's sockets on the same topics get the same events and must carry each marker,
and the student's sockets must have received the publishes (a barrier) before absence counts.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import REDIS_URL
from tests.content_app.conftest import COURSE, WELCOME, archive_of
from tests.forum.live import Collector, Person, event_socket, page_socket
from tests.support.live import api_token, server_env, session_cookie, start_seeded

pytestmark = pytest.mark.slow

SECRET = "Quokka-Withheld-4410"  # in content that stays unreleased
SOON = "Lyrebird-Soon-9902"  # in a chapter released a few seconds into the test
UNIT_TOPICS = ["hello", "practice", "variables", "for-loops"]


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("release-leak"), REDIS_URL)
    server, _ = start_seeded("uvicorn", env)
    yield server
    server.stop()


def person(server, email: str) -> Person:
    p = Person(server.base, email, api_token(server.base, email))
    p.cookie, p.csrf = session_cookie(server.base, email)
    return p


def folder_with(tmp_path, soon: datetime, *more: tuple[str, str, str]):
    import shutil

    from courseware.service import DEMO_COURSE_FOLDER

    target = tmp_path / f"course-{len(list(tmp_path.glob('course-*')))}"
    shutil.copytree(DEMO_COURSE_FOLDER, target)
    edits = [
        ("03-functions/chapter.yaml", "start: 2026-01-27T09:00:00Z",
         "start: 2099-01-27T09:00:00Z"),
        ("03-functions/chapter.yaml", "title: Functions", f"title: Functions {SECRET}"),
        ("03-functions/01-defining/02-practice/unit.yaml", "title: Practice",
         f"title: Practice {SECRET}"),
        (WELCOME, "title: Welcome", f"title: Welcome {SECRET}\nhidden: true"),
        ("01-getting-started/01-first-steps/02-variables/unit.yaml", "title: Variables",
         f"title: Variables {SECRET}\nstaff_only: true"),
        ("02-loops/chapter.yaml", "start: 2026-01-26T09:00:00Z",
         f"start: {soon.isoformat()}"),
        ("02-loops/chapter.yaml", "title: Repeating yourself with loops",
         f"title: Repeating yourself with loops {SOON}"),
        ("02-loops/01-repeating/01-for-loops/unit.yaml", "title:", f"title: {SOON}"),
        *more,
    ]
    for rel, old, new in edits:
        path = target / rel
        text = path.read_text()
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, 1))
    return archive_of(target)


def publish(server, teacher: Person, archive: bytes) -> None:
    r = httpx.post(f"{server.base}/api/v1/courses/{COURSE}/import?publish=1", content=archive,
                   headers={**teacher.bearer, "content-type": "application/gzip"}, timeout=60)
    assert r.status_code == 200, r.text


async def sockets_of(server, who: Person) -> list[Collector]:
    topics = ["user:me", f"course:{COURSE}", f"course:{COURSE}:forum",
              *(f"unit:{COURSE}:{u}" for u in UNIT_TOPICS)]
    pages = await page_socket(server, who, topics)
    api, answer = await event_socket(server, who, topics)
    api.frames.append(json.dumps(answer))
    return [pages, api]


def changed_units(sock: Collector) -> set[str]:
    """Every unit id a socket's JSON frames name as changed or removed."""
    found: set[str] = set()
    for frame in sock.frames:
        data = json.loads(frame).get("data") or {}
        if isinstance(data, dict):
            found.update(data.get("changed_units") or [])
            found.update(data.get("removed_units") or [])
            found.update([data["unit"]] if isinstance(data.get("unit"), str) else [])
    return found


async def until(socks: list[Collector], text: str, timeout: float = 20.0) -> None:
    for sock in socks:
        await sock.wait_for(lambda f: text in f, timeout)


async def published(socks: list[Collector], count: int, timeout: float = 20.0) -> None:
    """JSON sockets: wait until `count` publishes (their unit event for hello) arrived."""
    for sock in socks:
        deadline = asyncio.get_running_loop().time() + timeout
        while sum('"content.unit.published"' in f and '"unit":"hello"' in f
                  for f in sock.frames) < count:
            assert asyncio.get_running_loop().time() < deadline, "the publish never arrived"
            await asyncio.sleep(0.05)


async def test_unreleased_content_never_reaches_a_student(live, tmp_path):
    teacher = person(live, "instructor@demo.coursewire")
    ada = person(live, "ada@demo.coursewire")
    soon = datetime.now(UTC) + timedelta(seconds=25)
    publish(live, teacher, folder_with(tmp_path, soon))
    received: list[str] = []
    student = await sockets_of(live, ada)
    staff = await sockets_of(live, teacher)
    assert ada.page(f"/courses/{COURSE}/units/for-loops").status_code == 404
    assert json.loads(student[1].frames[0])["denied"] == [
        f"unit:{COURSE}:{u}" for u in ("practice", "variables", "for-loops")]

    # Publishes: new titles inside and outside what is withheld, seen by both sockets.
    publish(live, teacher, folder_with(tmp_path, soon, (
        "03-functions/01-defining/02-practice/01-fizzbuzz.yaml", "title: FizzBuzz",
        f"title: FizzBuzz {SECRET}"), (
        "01-getting-started/01-first-steps/01-hello/02-running-python.yaml",
        "title: Running your first program", "title: Running, first publish")))
    await until([student[0], staff[0]], "Running, first publish")
    await published([student[1], staff[1]], 1)
    publish(live, teacher, folder_with(tmp_path, soon, (
        "01-getting-started/01-first-steps/01-hello/02-running-python.yaml",
        "title: Running your first program", "title: Running, second publish")))
    await until([student[0], staff[0]], "Running, second publish")
    await published([student[1], staff[1]], 2)

    # A reconnect's resync, and every page and JSON view the student may ask for.
    again = await sockets_of(live, ada)
    await until(again[:1], "Running, second publish")
    for path in (f"/courses/{COURSE}", f"/courses/{COURSE}/units/hello",
                 f"/api/v1/courses/{COURSE}/outline", f"/api/v1/courses/{COURSE}/blocks/course",
                 f"/api/v1/courses/{COURSE}/blocks/hello"):
        r = ada.page(path) if not path.startswith("/api/") else ada.api("GET", path)
        assert r.status_code == 200, path
        received.append(r.text)
    for block in ("practice", "fizzbuzz", "welcome", "variables", "functions", "for-loops"):
        r = ada.api("GET", f"/api/v1/courses/{COURSE}/blocks/{block}")
        assert r.status_code == 404, block
        received.append(r.text)

    # Before the start passes, the soon-released chapter is withheld like the rest.
    assert datetime.now(UTC) < soon, "the test ran too slowly to check before the release"
    before = [f for s in student + again for f in s.frames]
    assert not [f for f in before + received if SOON in f]
    # The start passes: open outlines gain the chapter live, on both kinds of socket.
    await until(student[:1] + again[:1] + staff[:1], SOON, timeout=30)
    await student[1].wait_for(lambda f: "content.released" in f, 10)
    assert ada.page(f"/courses/{COURSE}/units/for-loops").status_code == 200

    received += [f for s in student + again for f in s.frames]
    staff_seen = "".join(f for s in staff for f in s.frames)
    # The detectors work: the same events carried the marker to staff, both sockets.
    assert SECRET in "".join(staff[0].frames) and SECRET in staff_seen
    assert any("content.published" in f for f in student[1].frames)
    assert any("content.released" in f for f in student[1].frames)
    leaks = [f[:300] for f in received if SECRET in f]
    assert not leaks, leaks
    # JSON data names units by id: a withheld unit's id is never among a student's.
    assert "practice" in changed_units(staff[1])  # (the fizzbuzz rename changed it)
    assert not {"practice", "variables", "writing-def", "explain-it"} & changed_units(
        student[1])
    for sock in student + again + staff:
        await sock.close()
    await asyncio.sleep(0)
