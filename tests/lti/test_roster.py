"""Names and Role Provisioning against the simulated platform: a launch asks for the roster
and the worker enrols everyone listed with their role (through the one membership writer);
an instructor syncs on demand; members the platform drops are marked inactive with their
membership kept; an unreachable roster is a clear 502 kept for the instructors' page."""

from __future__ import annotations

import pytest

from lti.ags import GRADE_SERVICES, GradeServices
from lti.roster import sync_due_rosters
from models.courses import Membership
from models.lti import LtiAccount, LtiContext, LtiRosterEntry
from tests.lti.conftest import landing, launch
from tests.support.people import bearer, browser_login, token


@pytest.fixture
async def roster(app, client, platform):
    """The platform's roster, served through its NRPS endpoint; the worker sleeps."""
    app.runtime.provide(GRADE_SERVICES, GradeServices(transport=platform.transport))
    platform.tool_jwks = (await client.get("/lti/jwks")).json()
    platform.members = [platform.member("ada-1", "student"), platform.member("bob-2", "student"),
                        platform.member("tara-3", "ta"), platform.member("eve-5", "student",
                                                                         "Inactive"),
                        {"user_id": "mentor-6", "roles": ["Mentor"], "status": "Active"}]
    return platform


async def roles_of(course_id: str) -> dict[str, str]:
    found = {}
    for account in await LtiAccount.all():
        m = await Membership.get_or_none(user_id=account.user_id, course_id=course_id)
        if m is not None:
            found[account.subject] = m.role.value
    return found


async def active_on_roster() -> dict[str, bool]:
    entries = await LtiRosterEntry.all().prefetch_related("user__lti_accounts")
    return {e.user.lti_accounts[0].subject: e.active for e in entries}


async def test_a_launch_brings_the_roster_and_dropped_members_become_inactive(
        client, roster, course):
    r = await launch(client, roster, f"https://cw.example/courses/{course.id}", sub="ada-1",
                     **roster.nrps_claims())
    assert landing(r) == f"/courses/{course.id}"
    context = await LtiContext.get(course_id=course.id)
    assert context.sync_due_at is not None and context.title == "Moodle: Programming 1"
    assert await sync_due_rosters() == 1
    assert roster.roster_reads == 3  # five members, two a page, followed by Link: next
    assert await roles_of(course.id) == {"ada-1": "student", "bob-2": "student",
                                         "tara-3": "ta"}
    assert await sync_due_rosters() == 0  # nothing asked again
    # Another launch soon after asks for the next sync only SYNC_GAP after this one.
    assert (await launch(client, roster, f"https://cw.example/courses/{course.id}",
                         sub="tara-3", role="ta", **roster.nrps_claims())).status_code == 303
    assert await sync_due_rosters() == 0 and roster.roster_reads == 3

    # Bob leaves the platform's course; the instructor syncs on demand.
    roster.members = [m for m in roster.members if m["user_id"] != "bob-2"]
    staff = bearer(await token(client, "teacher@example.org"))
    r = await client.post(f"/api/v1/courses/{course.id}/lti/roster-sync", headers=staff)
    assert r.status_code == 200 and r.json() == {"active": 2, "inactive": 1}, r.text
    assert await active_on_roster() == {"ada-1": True, "bob-2": False, "tara-3": True}
    assert (await roles_of(course.id))["bob-2"] == "student"  # membership and work kept

    # Bob is back on the platform and launches: active again.
    r = await launch(client, roster, f"https://cw.example/courses/{course.id}", sub="bob-2",
                     **roster.nrps_claims())
    assert r.status_code == 303
    assert (await active_on_roster())["bob-2"] is True


async def test_an_unreachable_roster_is_a_clear_error_kept_for_the_page(
        client, roster, course):
    r = await launch(client, roster, f"https://cw.example/courses/{course.id}", sub="ada-1",
                     **roster.nrps_claims())
    assert r.status_code == 303
    roster.reachable = False
    assert await sync_due_rosters() == 0
    context = await LtiContext.get(course_id=course.id)
    assert "ConnectError" in (context.last_error or "") and context.sync_due_at is not None
    staff = bearer(await token(client, "teacher@example.org"))
    r = await client.post(f"/api/v1/courses/{course.id}/lti/roster-sync", headers=staff)
    assert r.status_code == 502 and "roster" in r.json()["error"]["message"]

    client.cookies.clear()
    csrf = await browser_login(client, "teacher@example.org")
    page = await client.post(f"/courses/{course.id}/lti",
                             data={"csrf_token": csrf, "action": "sync-roster"})
    assert page.status_code == 502 and "could not be read" in page.text
    assert 'id="lti-roster-' in page.text and "ConnectError" in page.text
    roster.reachable = True
    page = await client.post(f"/courses/{course.id}/lti",
                             data={"csrf_token": csrf, "action": "sync-roster"})
    assert page.status_code == 200 and "Roster synced: 3 active" in page.text


async def test_only_instructors_sync_and_a_course_without_a_roster_says_so(
        client, roster, course):
    r = await launch(client, roster, f"https://cw.example/courses/{course.id}", sub="ada-1")
    assert r.status_code == 303  # no roster service named: nothing to sync
    staff = bearer(await token(client, "teacher@example.org"))
    r = await client.post(f"/api/v1/courses/{course.id}/lti/roster-sync", headers=staff)
    assert r.status_code == 400 and "launch" in r.json()["error"]["message"]


def test_retry_delay_doubles_is_capped_and_jittered():
    import random
    from datetime import timedelta

    from lti.roster import RETRY_BASE, RETRY_CAP, retry_delay

    rand = random.Random(7)
    for failures in range(1, 40):
        ceiling = min(RETRY_BASE * 2 ** (failures - 1), RETRY_CAP)
        delays = [retry_delay(failures, rand) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays), failures
        assert len(set(delays)) > 1  # jitter: not one fixed pause
    assert max(retry_delay(1000, rand) for _ in range(50)) <= RETRY_CAP == timedelta(hours=1)
    assert min(retry_delay(3, rand) for _ in range(200)) > retry_delay(1, random.Random(1))


async def test_failed_syncs_back_off_are_shown_to_staff_and_reset_on_success(
        client, roster, course, monkeypatch):
    from core.clock import now
    from lti.roster import RETRY_BASE, RETRY_CAP

    monkeypatch.setattr("lti.roster.random.random", lambda: 1.0)  # no jitter: exact pauses
    r = await launch(client, roster, f"https://cw.example/courses/{course.id}", sub="ada-1",
                     **roster.nrps_claims())
    assert r.status_code == 303
    roster.reachable = False
    pauses = []
    for _ in range(9):
        await LtiContext.filter(course_id=course.id).update(sync_due_at=now())
        assert await sync_due_rosters() == 0
        context = await LtiContext.get(course_id=course.id)
        pauses.append(round((context.sync_due_at - now()).total_seconds() / 30))
    assert context.sync_failures == 9 and "ConnectError" in context.last_error
    assert pauses == [1, 2, 4, 8, 16, 32, 64, 120, 120]  # x30 s, capped at an hour
    assert RETRY_CAP.total_seconds() == 120 * RETRY_BASE.total_seconds()
    # Not due yet: the worker leaves it alone.
    assert await sync_due_rosters() == 0
    assert (await LtiContext.get(course_id=course.id)).sync_failures == 9
    # Staff (a TA too) see it on the grades-to-platform page.
    client.cookies.clear()
    await browser_login(client, "teacher@example.org")
    page = await client.get(f"/courses/{course.id}/lti/scores")
    assert page.status_code == 200
    assert f'id="lti-roster-failure-{context.id}"' in page.text and "ConnectError" in page.text
    assert "<td>9</td>" in page.text
    roster.reachable = True
    await LtiContext.filter(course_id=course.id).update(sync_due_at=now())
    assert await sync_due_rosters() == 1
    context = await LtiContext.get(course_id=course.id)
    assert context.sync_failures == 0 and context.last_error is None
    page = await client.get(f"/courses/{course.id}/lti/scores")
    assert 'id="lti-roster-failures-none"' in page.text
