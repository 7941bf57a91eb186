"""Release and visibility on every path (the API contract "Release and visibility"): a
chapter starting in 2099, a hidden component and a staff-only unit are not in a student's
outline, 404 as pages and JSON, refuse submissions, show no discussion panel, and never
reach a student's live frames or resyncs; staff see all of it, marked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from core import clock
from courses.visibility import published_course
from courseware import events, releases
from models.events import Event
from models.releases import ReleaseAnnouncement
from models.users import User
from realtime.resync import resync_fragments
from realtime.topics import authorize, parse_topic
from tests.content_app.conftest import COURSE, WELCOME, import_and_publish
from tests.support.outbox_down import OutboxDown, outbox_down
from tests.support.people import bearer, browser_login, token

# The event log's HTML is read in each language (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("every_language_live")

SECRET = "Zebra-Unreleased-7731"  # a marker only unreleased content carries
FUTURE_CHAPTER = ("03-functions/chapter.yaml", "start: 2026-01-27T09:00:00Z",
                  "start: 2099-01-27T09:00:00Z")
SECRET_TITLE = ("03-functions/chapter.yaml", "title: Functions", f"title: Functions {SECRET}")
SECRET_UNIT = ("03-functions/01-defining/02-practice/unit.yaml", "title: Practice",
               f"title: Practice {SECRET}")
HIDDEN_WELCOME = (WELCOME, "title: Welcome", f"title: Welcome {SECRET}\nhidden: true")
STAFF_ONLY_UNIT = ("01-getting-started/01-first-steps/02-variables/unit.yaml",
                   "title: Variables", f"title: Variables {SECRET}\nstaff_only: true")
EDITS = (FUTURE_CHAPTER, SECRET_TITLE, SECRET_UNIT, HIDDEN_WELCOME, STAFF_ONLY_UNIT)
# Everything students must not reach: the chapter and what is inside it, the hidden
# component, the staff-only unit and its components.
WITHHELD = ["functions", "defining", "writing-def", "practice", "fizzbuzz", "project",
            "explain-it", "project-forum", "welcome", "variables", "valid-name"]


def ids(outline: dict) -> list[str]:
    return [outline["id"], *(i for child in outline["children"] for i in ids(child))]


@pytest.fixture
async def released(client, people, archive):
    """The demo course with the edits above, published; (student, staff) API headers."""
    await import_and_publish(client, lambda: archive(*EDITS))
    return (bearer(await token(client, "ada@example.org")),
            bearer(await token(client, "tom@example.org")))


@pytest.fixture
async def staff_pages(app):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as c:
        await browser_login(c, "grace@example.org")
        yield c


async def test_students_outline_leaves_out_what_is_not_released(client, released):
    student, staff = released
    mine = (await client.get(f"/api/v1/courses/{COURSE}/outline", headers=student)).json()
    assert not set(WITHHELD) & set(ids(mine)) and SECRET not in str(mine)
    assert "hello" in ids(mine) and "release" not in str(mine)
    theirs = (await client.get(f"/api/v1/courses/{COURSE}/outline", headers=staff)).json()
    assert set(WITHHELD) <= set(ids(theirs))
    chapter = next(c for c in theirs["children"] if c["id"] == "functions")
    assert chapter["release"] == {"reason": "starts",
                                  "label": "Releases Tue 27 Jan 2099, 09:00 UTC",
                                  "until": "2099-01-27T09:00:00+00:00"}


async def test_unreleased_blocks_are_404_for_students_and_open_to_staff(client, released):
    student, staff = released
    for block in WITHHELD:
        r = await client.get(f"/api/v1/courses/{COURSE}/blocks/{block}", headers=student)
        assert r.status_code == 404, block
        assert SECRET not in r.text and r.json()["error"]["code"]
        assert (await client.get(f"/api/v1/courses/{COURSE}/blocks/{block}",
                                 headers=staff)).status_code == 200, block
    hello = (await client.get(f"/api/v1/courses/{COURSE}/blocks/hello", headers=student)).json()
    assert "welcome" not in hello["children"] and "running-python" in hello["children"]
    course = (await client.get(f"/api/v1/courses/{COURSE}/blocks/course",
                               headers=student)).json()
    assert "functions" not in course["children"]


async def test_unit_pages_are_404_for_students_and_marked_for_staff(client, released,
                                                                    staff_pages):
    await browser_login(client, "ada@example.org")
    for unit in ("practice", "writing-def", "variables"):
        r = await client.get(f"/courses/{COURSE}/units/{unit}")
        assert r.status_code == 404 and SECRET not in r.text, unit
    hello = await client.get(f"/courses/{COURSE}/units/hello")
    assert hello.status_code == 200 and SECRET not in hello.text
    assert 'data-block="welcome"' not in hello.text
    home = await client.get(f"/courses/{COURSE}")
    assert SECRET not in home.text and "Releases" not in home.text
    staff = await staff_pages.get(f"/courses/{COURSE}/units/practice")
    assert staff.status_code == 200 and SECRET in staff.text
    assert "Not visible to students: Releases Tue 27 Jan 2099, 09:00 UTC" in staff.text
    staff_hello = (await staff_pages.get(f"/courses/{COURSE}/units/hello")).text
    assert "Not visible to students: Hidden from students" in staff_hello
    outline = (await staff_pages.get(f"/courses/{COURSE}")).text
    assert ('Releases <time datetime="2099-01-27T09:00:00Z" data-local data-relative>'
            "Tue 27 Jan 2099, 09:00 UTC</time>") in outline and "Staff only" in outline


async def test_submissions_to_unreleased_blocks_are_refused(client, released):
    student, _ = released
    r = await client.post(f"/api/v1/courses/{COURSE}/blocks/fizzbuzz/submissions",
                          headers=student, json={"answer": {"code": "def fizzbuzz(n): 1"}})
    assert r.status_code == 404 and SECRET not in r.text
    r = await client.post(f"/api/v1/courses/{COURSE}/blocks/valid-name/submissions",
                          headers=student, json={"answer": {"choice": "b"}})
    assert r.status_code == 404
    assert not await Event.filter(topic__startswith="user:", name="submission.status").exists()


async def test_a_finished_course_stays_readable_but_takes_no_submissions(client, people,
                                                                        archive):
    end = ("course.yaml", "language: en", "language: en\nend: 2026-02-01T00:00:00Z")
    await import_and_publish(client, lambda: archive(end))
    student = bearer(await token(client, "ada@example.org"))
    assert (await client.get(f"/api/v1/courses/{COURSE}/blocks/valid-name",
                             headers=student)).status_code == 200
    r = await client.post(f"/api/v1/courses/{COURSE}/blocks/valid-name/submissions",
                          headers=student, json={"answer": {"choice": "b"}})
    assert r.status_code == 422 and "ended on 2026-02-01" in r.json()["error"]["message"]


async def test_a_course_not_started_shows_students_nothing_but_its_start(client, people,
                                                                        archive):
    start = ("course.yaml", "start: 2026-01-12T09:00:00Z", "start: 2099-01-12T09:00:00Z")
    await import_and_publish(client, lambda: archive(start))
    student = bearer(await token(client, "ada@example.org"))
    outline = (await client.get(f"/api/v1/courses/{COURSE}/outline", headers=student)).json()
    assert outline["children"] == [] and outline["release"]["reason"] == "starts"
    assert (await client.get(f"/api/v1/courses/{COURSE}/blocks/hello",
                             headers=student)).status_code == 404
    await browser_login(client, "ada@example.org")
    page = (await client.get(f"/courses/{COURSE}")).text
    assert ("This course opens to students later (Releases <time datetime=\"2099-01-12T09:00:00Z\""
            " data-local data-relative>Mon 12 Jan 2099, 09:00 UTC</time>)") in page


async def test_no_discussion_panel_for_an_unreleased_discussion(client, released):
    await browser_login(client, "ada@example.org")
    r = await client.get(f"/courses/{COURSE}/forum/discussions/project-forum",
                         headers={"HX-Request": "true"})
    assert r.status_code == 404
    ok = await client.get(f"/courses/{COURSE}/forum/discussions/introduce-yourself",
                          headers={"HX-Request": "true"})
    assert ok.status_code == 200


async def test_publish_frames_for_students_hold_nothing_unreleased(client, released, archive,
                                                                   monkeypatch):
    sent: list[tuple[str, str, dict, dict]] = []

    async def record(topic, event, data, html=None):
        sent.append((topic, event, data, html or {}))
        return 0

    monkeypatch.setattr(events, "publish", record)
    renamed = (*EDITS, ("03-functions/01-defining/02-practice/01-fizzbuzz.yaml",
                        "title: FizzBuzz", f"title: FizzBuzz {SECRET}"),
               ("01-getting-started/01-first-steps/01-hello/02-running-python.yaml",
                "title: Running your first program", "title: Running, renamed"))
    await import_and_publish(client, lambda: archive(*renamed))
    topics = {topic for topic, *_ in sent}
    assert f"unit:{COURSE}:practice" in topics and f"unit:{COURSE}:hello" in topics
    for topic, event, data, html in sent:
        if topic.startswith("studio:"):  # the draft: instructors only
            # (each language's copy under `staff@fi`, ... : realtime.publish.in_every_language)
            assert set(data) == {audience.split("@")[0] for audience in html} == {"staff"}
            continue
        student_html = "".join(v for k, v in html.items() if k.split("@")[0] == "student")
        assert SECRET not in str(data["student"]) + student_html, (topic, event)
        assert not set(WITHHELD) & set(data["student"].get("changed_units", []))
        assert not set(WITHHELD) & set(data["student"].get("removed_units", []))
    staff_frames = "".join(html["staff"] for *_, html in sent)
    student_frames = "".join(html.get("student", "") for *_, html in sent)
    assert SECRET in staff_frames and "Running, renamed" in student_frames  # checked itself


async def test_resyncs_and_topic_rights_follow_the_release(client, released):
    ada = await User.get(email="ada@example.org")
    tom = await User.get(email="tom@example.org")
    course = parse_topic(f"course:{COURSE}", ada)
    assert SECRET not in await resync_fragments(course, ada, "student")
    assert SECRET in await resync_fragments(course, tom, "staff")
    practice = parse_topic(f"unit:{COURSE}:practice", ada)
    assert await authorize(practice, ada) is None
    assert await authorize(practice, tom) == "staff"
    assert await authorize(parse_topic(f"unit:{COURSE}:hello", ada), ada) == "student"
    hello = await resync_fragments(parse_topic(f"unit:{COURSE}:hello", ada), ada, "student")
    assert "Running your first program" in hello and SECRET not in hello
    # A student who kept a unit topic from before gets no content of it either.
    assert SECRET not in await resync_fragments(practice, ada, "student")


async def test_a_passing_start_is_announced_once_across_processes(client, released,
                                                                  monkeypatch):
    student, _ = released
    course = await published_course(COURSE)
    start = course.release.next_start
    assert start is not None and start.year == 2099
    later = start + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    # Two processes' schedules, each with its own memory, race for the same start.
    first, second = set(), set()
    assert await asyncio.gather(releases.announce_due(first),
                                releases.announce_due(second)) == [None, None]
    assert await releases.announce_due(first) is None
    assert await releases.announce_due(set()) is None  # a process started just now
    announced = await Event.filter(topic=f"course:{COURSE}", name="content.released")
    assert len(announced) == 1
    assert announced[0].data_by_audience["student"]["released_at"] == start.isoformat()
    outline = (await client.get(f"/api/v1/courses/{COURSE}/outline", headers=student)).json()
    assert "functions" in ids(outline) and "practice" in ids(outline)


async def test_a_start_whose_event_write_failed_is_announced_by_the_next_round(
        client, released, monkeypatch):
    """The claim commits with the event: a failed event write leaves the start unclaimed,
    and the next round (on any process) announces it, once."""
    start = (await published_course(COURSE)).release.next_start
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=1))
    remembered: set = set()
    with outbox_down(), pytest.raises(OutboxDown):
        await releases.announce_due(remembered)
    assert not remembered and not await ReleaseAnnouncement.exists(course_id=COURSE)
    assert await releases.announce_due(remembered) is None
    assert await releases.announce_due(set()) is None
    announced = await Event.filter(topic=f"course:{COURSE}", name="content.released")
    assert len(announced) == 1 and await ReleaseAnnouncement.exists(course_id=COURSE)
