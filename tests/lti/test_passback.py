"""Grade passback from the event log: a grade change of a launched student becomes a score
on the course link's line item; regrades replace it; a score the platform could not take
waits in the database (with its error) and goes out after a restart once the platform is up."""

from __future__ import annotations

import pytest

from core.clock import now
from lti.ags import GradeServices
from lti.passback import collect_scores, send_due_scores
from models.events import Event
from models.lti import LtiAccount, LtiScore
from tests.lti.conftest import launch
from tests.lti.platform import Platform

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


@pytest.fixture
def quiet_worker(monkeypatch):
    """The app's passback worker sleeps through the test: the test runs each step itself."""
    monkeypatch.setattr("lti.passback.INTERVAL", 3600)


async def grade_changed(course_id: str, user_id: int, percent: float) -> None:
    """What grading writes to the event log (its outbox) when a student's score changes."""
    await Event.create(topic=f"course:{course_id}:staff", name="grade.updated",
                       data_by_audience={"staff": {"user_id": user_id, "block_id": "pick",
                                                   "course_percent": percent}})


async def launched_learner(client, platform: Platform, course, sub: str) -> int:
    claim = {AGS: {"lineitem": platform.line_item}}
    r = await launch(client, platform, f"https://cw.example/courses/{course.id}", sub=sub,
                     link_id="course-link", **claim)
    assert r.status_code == 303
    return (await LtiAccount.get(subject=sub)).user_id


async def test_grade_changes_reach_the_line_item_and_survive_a_platform_outage(
        quiet_worker, client, platform, course):
    platform.tool_jwks = (await client.get("/lti/jwks")).json()
    await collect_scores()  # the cursor starts at the log's end
    ada = await launched_learner(client, platform, course, "ada-1")
    await grade_changed(course.id, ada, 0.75)
    await grade_changed(course.id, 999_999, 0.5)  # nobody who launched: nothing to send
    assert await collect_scores() == 1
    assert await send_due_scores(GradeServices(transport=platform.transport)) == 1
    assert [(s["userId"], s["scoreGiven"], s["scoreMaximum"]) for s in platform.scores] == [
        ("ada-1", 75.0, 100.0)]
    # A regrade while the platform is down: kept with its error, not lost.
    platform.reachable = False
    await grade_changed(course.id, ada, 0.9)
    assert await collect_scores() == 1
    assert await send_due_scores(GradeServices(transport=platform.transport)) == 0
    waiting = await LtiScore.get(user_id=ada)
    assert waiting.sent_at is None and waiting.attempts == 1 and "ConnectError" in (
        waiting.last_error or "")
    # After a restart (a new process: no cached token) the platform is back; its turn comes.
    platform.reachable = True
    await LtiScore.filter(id=waiting.id).update(next_try_at=now())
    assert await send_due_scores(GradeServices(transport=platform.transport)) == 1
    assert [s["scoreGiven"] for s in platform.scores] == [75.0, 90.0]
    assert (await LtiScore.get(user_id=ada)).sent_at is not None
    assert await send_due_scores(GradeServices(transport=platform.transport)) == 0


async def test_links_without_a_score_or_a_line_item_send_nothing(
        quiet_worker, client, platform, course):
    await collect_scores()
    # A unit of a course with nothing published has no points to send.
    r = await launch(client, platform, f"https://cw.example/courses/{course.id}/units/u1",
                     sub="bob-1", **{AGS: {"lineitem": platform.line_item}})
    assert r.status_code == 303
    r = await launch(client, platform, f"https://cw.example/courses/{course.id}",
                     sub="bob-1", link_id="no-ags")
    assert r.status_code == 303
    bob = (await LtiAccount.get(subject="bob-1")).user_id
    await grade_changed(course.id, bob, 0.5)
    assert await collect_scores() == 0
    assert not await LtiScore.exists()
