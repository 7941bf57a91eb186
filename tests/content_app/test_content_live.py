"""Live content: publishing pushes outline and unit fragments to students' open pages, and
one instructor's edit reaches another instructor's open outline editor."""

import json
import re
from urllib.parse import quote

import httpx
import pytest
import websockets

from core.templating import dom_id
from tests.conftest import REDIS_URL
from tests.content_app.conftest import COURSE
from tests.support.live import api_token, recv_until, server_env, session_cookie, start_seeded

pytestmark = pytest.mark.slow
OUTLINE_ID = "outline-course_2dv1_3aCoursewire_2bPY101_2b2026"
UNIT_ID = "unit-course_2dv1_3aCoursewire_2bPY101_2b2026-hello"
STUDIO_ID = "studio-course_2dv1_3aCoursewire_2bPY101_2b2026"


@pytest.fixture(scope="module")
def live(db_factory, tmp_path_factory):
    env = server_env(db_factory, tmp_path_factory.mktemp("content-live"), REDIS_URL)
    server, _ = start_seeded("uvicorn", env)
    # The demo has one instructor; make the TA a second one.
    teacher = api_token(server.base, "instructor@demo.coursewire")
    ta = api_token(server.base, "ta@demo.coursewire")
    ta_id = httpx.get(f"{server.base}/api/v1/me",
                      headers={"Authorization": f"Bearer {ta}"}).json()["id"]
    r = httpx.put(f"{server.base}/api/v1/courses/{COURSE}/members/{ta_id}",
                  json={"role": "instructor"}, headers={"Authorization": f"Bearer {teacher}"})
    assert r.status_code == 200, r.text
    yield server
    server.stop()


def page_socket(server, cookie: str, topics: list[str]):
    return websockets.connect(f"{server.ws_base}/ws?topics={quote(','.join(topics), safe='')}",
                              additional_headers={"Cookie": cookie}, origin=server.base)


def rename_in_editor(server, cookie: str, csrf: str, block: str, title: str) -> httpx.Response:
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "HX-Request": "true"}
    studio = httpx.get(f"{server.base}/courses/{COURSE}/studio", headers=headers).text
    version = re.search(r'data-draft-version="([0-9a-f]{24})"', studio).group(1)
    return httpx.post(f"{server.base}/courses/{COURSE}/studio/outline", headers=headers,
                      data={"action": "rename", "block": block, "title": title,
                            "expected_version": version})


async def test_edits_reach_other_instructors_and_publishing_reaches_students(live):
    student, _ = session_cookie(live.base, "ada@demo.coursewire")
    other_instructor, _ = session_cookie(live.base, "ta@demo.coursewire")
    instructor, csrf = session_cookie(live.base, "instructor@demo.coursewire")
    student_topics = [f"course:{COURSE}", f"unit:{COURSE}:hello"]
    async with page_socket(live, student, student_topics) as student_ws, \
            page_socket(live, other_instructor, [f"studio:{COURSE}"]) as staff_ws:
        fresh = await recv_until(student_ws, lambda f: UNIT_ID in f)  # resync on connect
        assert OUTLINE_ID in fresh and "Hello, Python" in fresh
        await recv_until(staff_ws, lambda f: STUDIO_ID in f)

        r = rename_in_editor(live, instructor, csrf, "hello", "Hello, live Python")
        assert r.status_code == 200, r.text
        edit = await recv_until(staff_ws, lambda f: "Hello, live Python" in f)
        assert f'id="{STUDIO_ID}"' in edit and 'hx-swap-oob="outerHTML"' in edit
        assert "unpublished changes" in edit

        token = api_token(live.base, "instructor@demo.coursewire")
        p = httpx.post(f"{live.base}/api/v1/courses/{COURSE}/publish",
                       headers={"Authorization": f"Bearer {token}"})
        assert p.status_code == 200 and p.json()["changed"]
        pushed = await recv_until(student_ws, lambda f: "Hello, live Python" in f)
        # The first frame a student sees with the new title is the publish, never the draft.
        assert STUDIO_ID not in pushed
        frames = [pushed, await recv_until(
            student_ws, lambda f: "Hello, live Python" in f and f not in (pushed,))]
        outline = next(f for f in frames if OUTLINE_ID in f)
        unit = next(f for f in frames if UNIT_ID in f)
        assert f'id="{OUTLINE_ID}" class="course-outline"' in outline and UNIT_ID not in outline
        assert 'hx-swap-oob="outerHTML"' in unit and OUTLINE_ID not in unit
        published = await recv_until(staff_ws, lambda f: STUDIO_ID in f)
        assert "Students see exactly this draft." in published


async def test_a_publish_sends_unit_html_only_to_that_units_pages(live):
    student, _ = session_cookie(live.base, "linus@demo.coursewire")
    course_home = [f"course:{COURSE}"]
    other_unit = [f"course:{COURSE}", f"unit:{COURSE}:variables"]
    async with page_socket(live, student, course_home) as home_ws, \
            page_socket(live, student, other_unit) as other_ws:
        await recv_until(home_ws, lambda f: OUTLINE_ID in f)
        await recv_until(other_ws, lambda f: dom_id("unit", COURSE, "variables") in f)
        instructor, csrf = session_cookie(live.base, "instructor@demo.coursewire")
        assert rename_in_editor(live, instructor, csrf, "hello",
                                "Hello, unit topics").status_code == 200
        token = api_token(live.base, "instructor@demo.coursewire")
        p = httpx.post(f"{live.base}/api/v1/courses/{COURSE}/publish",
                       headers={"Authorization": f"Bearer {token}"})
        assert p.json()["changed"]
        home = await recv_until(home_ws, lambda f: "Hello, unit topics" in f)
        assert OUTLINE_ID in home and UNIT_ID not in home
        await recv_until(other_ws, lambda f: "Hello, unit topics" in f)  # its outline
        with pytest.raises(TimeoutError):  # but never the hello unit's region
            await recv_until(other_ws, lambda f: UNIT_ID in f, timeout=1.5)
        with pytest.raises(TimeoutError):
            await recv_until(home_ws, lambda f: UNIT_ID in f, timeout=0.5)


async def test_tas_never_receive_draft_content(live):
    teacher = api_token(live.base, "instructor@demo.coursewire")
    ta_token = api_token(live.base, "margaret@demo.coursewire")
    ta_id = httpx.get(f"{live.base}/api/v1/me",
                      headers={"Authorization": f"Bearer {ta_token}"}).json()["id"]
    r = httpx.put(f"{live.base}/api/v1/courses/{COURSE}/members/{ta_id}",
                  json={"role": "ta"}, headers={"Authorization": f"Bearer {teacher}"})
    assert r.status_code == 200, r.text
    ta, _ = session_cookie(live.base, "margaret@demo.coursewire")
    async with page_socket(live, ta, [f"course:{COURSE}:staff", f"studio:{COURSE}"]) as ws:
        instructor, csrf = session_cookie(live.base, "instructor@demo.coursewire")
        assert rename_in_editor(live, instructor, csrf, "variables",
                                "Secret draft title").status_code == 200
        with pytest.raises(TimeoutError):
            await recv_until(ws, lambda f: "Secret draft title" in f or STUDIO_ID in f,
                             timeout=2)


async def test_api_clients_get_content_published_as_json(live):
    student = api_token(live.base, "linus@demo.coursewire")
    async with websockets.connect(f"{live.ws_base}/api/v1/events?token={student}") as ws:
        await ws.send(json.dumps({"subscribe": [f"course:{COURSE}"]}))
        await recv_until(ws, lambda f: "subscribed" in f)
        instructor, csrf = session_cookie(live.base, "instructor@demo.coursewire")
        assert rename_in_editor(live, instructor, csrf, "variables",
                                "Naming things").status_code == 200
        token = api_token(live.base, "instructor@demo.coursewire")
        httpx.post(f"{live.base}/api/v1/courses/{COURSE}/publish",
                   headers={"Authorization": f"Bearer {token}"})
        frame = json.loads(await recv_until(ws, lambda f: "content.published" in f))
        assert frame["data"]["changed_units"] == ["variables"]
        assert frame["topic"] == f"course:{COURSE}"


async def test_students_cannot_listen_to_the_outline_editor_or_other_courses_units(live):
    student, _ = session_cookie(live.base, "ada@demo.coursewire")
    async with page_socket(live, student, [f"course:{COURSE}:staff",
                                           "unit:course-v1:No+Such+Course:hello"]) as ws:
        status = await recv_until(ws, lambda f: True, timeout=5)  # both denied, by name
        assert 'id="live-denied"' in status and STUDIO_ID not in status
        assert f"course:{COURSE}:staff" in status and "No+Such+Course" in status
        frame = await recv_until(ws, lambda f: True, timeout=5)
        assert STUDIO_ID not in frame and frame.startswith("{")  # then only a heartbeat
