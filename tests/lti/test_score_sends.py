"""Staff see the grade sends a platform refused, with its error, page through them, and
retry one at once; students and other courses' staff do not."""

from __future__ import annotations

import pytest

from lti.ags import GRADE_SERVICES, GradeServices
from lti.passback import collect_scores, send_due_scores
from tests.lti.platform import Platform
from tests.lti.test_passback import grade_changed, launched_learner
from tests.support.people import bearer, browser_login, person, token


@pytest.fixture
def quiet_worker(monkeypatch):
    monkeypatch.setattr("lti.passback.INTERVAL", 3600)


async def failed_sends(client, platform: Platform, course) -> list[int]:
    platform.tool_jwks = (await client.get("/lti/jwks")).json()
    await collect_scores()
    learners = [await launched_learner(client, platform, course, sub) for sub in ("a-1", "b-2")]
    client.cookies.clear()
    platform.reachable = False
    for user_id in learners:
        await grade_changed(course.id, user_id, 0.5)
    assert await collect_scores() == 2
    assert await send_due_scores() == 0
    return learners


async def test_staff_see_refused_sends_with_the_error_and_retry_one(
        quiet_worker, app, client, platform, course):
    app.runtime.provide(GRADE_SERVICES, GradeServices(transport=platform.transport))
    await failed_sends(client, platform, course)
    staff = bearer(await token(client, "teacher@example.org"))
    url = f"/api/v1/courses/{course.id}/lti/scores"
    first = await client.get(url, params={"limit": 1}, headers=staff)
    assert first.status_code == 200, first.text
    [row] = first.json()
    assert row["status"] == "failed" and row["attempts"] == 1
    assert "ConnectError" in row["last_error"] and row["given"] == 50.0
    nxt = first.headers["link"].split(";")[0].strip("<>")
    [second] = (await client.get(nxt, headers=staff)).json()
    assert second["id"] != row["id"] and "link" not in (await client.get(
        nxt, headers=staff)).headers

    platform.reachable = True
    r = await client.post(f"{url}/{row['id']}/retry", headers=staff)
    assert r.status_code == 200 and r.json()["status"] == "sent", r.text
    assert [s["userId"] for s in platform.scores] == ["a-1"]
    assert [s["id"] for s in (await client.get(url, headers=staff)).json()] == [second["id"]]
    assert (await client.post(f"{url}/999999/retry", headers=staff)).status_code == 404
    assert (await client.get(url, params={"limit": 0}, headers=staff)).status_code == 400

    csrf = await browser_login(client, "teacher@example.org")
    page = await client.get(f"/courses/{course.id}/lti/scores")
    assert page.status_code == 200 and f'id="lti-score-{second["id"]}"' in page.text
    assert "ConnectError" in page.text
    r = await client.post(f"/courses/{course.id}/lti/scores/{second['id']}/retry",
                          data={"csrf_token": csrf})
    assert r.status_code == 303
    page = await client.get(f"/courses/{course.id}/lti/scores")
    assert 'id="lti-scores-none"' in page.text


async def test_outsiders_cannot_see_the_sends(quiet_worker, client, platform, course):
    await failed_sends(client, platform, course)
    await person("someone@example.org")
    outsider = bearer(await token(client, "someone@example.org"))
    r = await client.get(f"/api/v1/courses/{course.id}/lti/scores", headers=outsider)
    assert r.status_code == 404
