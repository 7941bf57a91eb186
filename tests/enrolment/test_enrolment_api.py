"""The enrolment API (API.md "Enrolment"): members, invites, CSV import, and that every
membership write goes through the one writer (members event + rights re-check)."""

import asyncio
from datetime import UTC, datetime, timedelta

from models.courses import Membership, Role
from models.enrolment import Invite
from models.events import Event
from models.users import User
from realtime.resync import resync_fragments
from realtime.topics import Topic, authorize
from tests.support.mailbox import deliver, link_in, mails_to, outbox, token_of
from tests.support.people import PASSWORD, bearer, course_with, person, token


async def staff_course(client):
    prof = await person("prof@example.org", creator=True)
    ta, ada = await person("ta@example.org"), await person("ada@example.org")
    course = await course_with(prof, {ta: "ta", ada: "student"})
    tokens = {who: await token(client, f"{who}@example.org") for who in ("prof", "ta", "ada")}
    return course, tokens


async def written_events(course_id: str) -> list[Event]:
    return await Event.filter(topic=f"members:{course_id}").order_by("id")


async def rights_messages(user_id: int) -> int:
    return sum(1 for e in await Event.filter(topic="control", name="rights")
               if e.data_by_audience.get("user_id") == user_id)


async def test_members_list_is_for_staff_with_role_and_group(client):
    course, tok = await staff_course(client)
    url = f"/api/v1/courses/{course.id}/members"
    r = await client.get(url, headers=bearer(tok["ta"]))
    assert r.status_code == 200
    assert sorted((m["email"], m["role"], m["group"]) for m in r.json()) == [
        ("ada@example.org", "student", None), ("prof@example.org", "instructor", None),
        ("ta@example.org", "ta", None)]
    assert set(r.json()[0]) == {"user_id", "name", "email", "role", "group"}
    assert (await client.get(url, headers=bearer(tok["ada"]))).status_code == 403


async def test_members_list_pages_by_link_and_reaches_everyone_once(client):
    course, tok = await staff_course(client)
    url, seen = f"/api/v1/courses/{course.id}/members?limit=2", []
    while url:
        r = await client.get(url, headers=bearer(tok["prof"]))
        assert r.status_code == 200 and len(r.json()) <= 2
        seen += [m["user_id"] for m in r.json()]
        link = r.headers.get("link")
        url = link[1:link.index(">")] if link else None
    assert sorted(seen) == seen and len(seen) == len(set(seen)) == 3
    bad = await client.get(f"/api/v1/courses/{course.id}/members?limit=0",
                           headers=bearer(tok["prof"]))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_input"


async def test_invite_round_trip_enrols_with_its_role_and_pushes_the_members_list(client):
    course, tok = await staff_course(client)
    r = await client.post(f"/api/v1/courses/{course.id}/invites", json={"role": "ta"},
                          headers=bearer(tok["prof"]))
    assert r.status_code == 201, r.text
    code, url = r.json()["code"], r.json()["url"]
    assert len(code) >= 32 and url.endswith(f"/invites/{code}")
    newcomer = await person("new@example.org")
    before = len(await written_events(course.id))
    r = await client.post(f"/api/v1/invites/{code}/accept",
                          headers=bearer(await token(client, "new@example.org")))
    assert r.status_code == 200 and r.json() == {"course_id": course.id, "role": "ta"}
    assert (await Membership.get(user_id=newcomer.id, course_id=course.id)).role == Role.TA
    events = await written_events(course.id)
    assert len(events) == before + 1 and events[-1].name == "course.members.changed"
    assert "new@example.org" in events[-1].html_by_audience["instructor"]
    assert "new@example.org" in events[-1].html_by_audience["staff"]
    assert "Remove" not in events[-1].html_by_audience["staff"]
    assert await rights_messages(newcomer.id) == 1


async def test_used_up_expired_and_revoked_invites_are_410_with_a_reason(client):
    course, tok = await staff_course(client)
    prof = bearer(tok["prof"])
    once = (await client.post(f"/api/v1/courses/{course.id}/invites",
                              json={"role": "student", "max_uses": 1}, headers=prof)).json()
    for email in ("one@example.org", "two@example.org"):
        await person(email)
    first = await client.post(f"/api/v1/invites/{once['code']}/accept",
                              headers=bearer(await token(client, "one@example.org")))
    second = await client.post(f"/api/v1/invites/{once['code']}/accept",
                               headers=bearer(await token(client, "two@example.org")))
    assert first.status_code == 200
    assert second.status_code == 410 and "used up" in second.json()["error"]["message"]
    assert not await Membership.exists(user__email="two@example.org", course_id=course.id)
    soon = datetime.now(UTC) + timedelta(minutes=5)
    r = await client.post(f"/api/v1/courses/{course.id}/invites",
                          json={"role": "student", "expires_at": soon.isoformat()}, headers=prof)
    await Invite.filter(code=r.json()["code"]).update(expires_at=soon - timedelta(hours=1))
    late = await client.post(f"/api/v1/invites/{r.json()['code']}/accept",
                             headers=bearer(await token(client, "two@example.org")))
    assert late.status_code == 410 and "expired" in late.json()["error"]["message"]
    unknown = await client.post("/api/v1/invites/not-a-code/accept",
                                headers=bearer(tok["ada"]))
    assert unknown.status_code == 404


async def test_bad_invite_input_is_400_and_students_cannot_invite(client):
    course, tok = await staff_course(client)
    url = f"/api/v1/courses/{course.id}/invites"
    for body in ({"role": "owner"}, {"role": "student", "max_uses": 0},
                 {"role": "student", "expires_at": "yesterday"},
                 {"role": "student", "expires_at": "2000-01-01T00:00:00"}):
        r = await client.post(url, json=body, headers=bearer(tok["prof"]))
        assert r.status_code == 400, body
    assert (await client.post(url, json={"role": "student"},
                              headers=bearer(tok["ada"]))).status_code == 403
    assert (await client.post("/api/v1/invites/x/accept")).status_code == 401


async def test_accepting_a_lower_role_invite_keeps_a_members_role(client):
    course, tok = await staff_course(client)
    r = await client.post(f"/api/v1/courses/{course.id}/invites", json={"role": "student"},
                          headers=bearer(tok["prof"]))
    r = await client.post(f"/api/v1/invites/{r.json()['code']}/accept",
                          headers=bearer(tok["ta"]))
    assert r.json()["role"] == "ta"


async def test_csv_import_applies_valid_lines_creates_accounts_and_reports_errors(client,
                                                                                 settings):
    course, tok = await staff_course(client)
    csv = ("email,name,role,group\n"
           "ada@example.org,Ada,student,G1\n"
           "fresh@example.org,Fresh Person,student,G2\n"
           "broken,Broken,student,\n"
           "=cmd@example.org,Evil,student,\n"
           "ta@example.org,TA,instructor,\n")
    before = len(await written_events(course.id))
    r = await client.post(f"/api/v1/courses/{course.id}/members/import", content=csv.encode(),
                          headers={**bearer(tok["prof"]), "content-type": "text/csv"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["enrolled"] == 3 and body["created"] == 1
    assert [e["line"] for e in body["errors"]] == [4, 5]
    fresh = await User.get(email="fresh@example.org")
    r = await client.post("/api/v1/auth/token", json={"email": "fresh@example.org",
                                                      "password": PASSWORD})
    assert r.status_code == 401  # no usable password until the set-password mail is used
    await deliver(settings)
    assert [m["To"] for m in outbox(settings.data_dir)] == ["fresh@example.org"]
    raw = token_of(link_in(mails_to(settings.data_dir, "fresh@example.org")[0]))
    r = await client.post("/api/v1/auth/password-reset/confirm",
                          json={"token": raw, "password": "a brand new passphrase"})
    assert r.status_code == 200, r.text
    r = await client.post("/api/v1/auth/token", json={"email": "fresh@example.org",
                                                      "password": "a brand new passphrase"})
    assert r.status_code == 200
    members = {m["email"]: (m["role"], m["group"]) for m in (await client.get(
        f"/api/v1/courses/{course.id}/members", headers=bearer(tok["prof"]))).json()}
    assert members["ada@example.org"] == ("student", "G1")
    assert members["fresh@example.org"] == ("student", "G2")
    assert members["ta@example.org"] == ("instructor", None)
    assert len(await written_events(course.id)) == before + 1  # one event for the import
    assert await rights_messages(fresh.id) == 1


async def test_csv_import_refuses_bad_files_and_non_instructors(client):
    course, tok = await staff_course(client)
    url = f"/api/v1/courses/{course.id}/members/import"
    prof = {**bearer(tok["prof"]), "content-type": "text/csv"}
    assert (await client.post(url, content=b"\xff\xfe\x00x", headers=prof)).status_code == 400
    assert (await client.post(url, content=b"", headers=prof)).status_code == 400
    r = await client.post(url, content=b"email,name,role\nada@example.org,A,student\n",
                          headers={**bearer(tok["ta"]), "content-type": "text/csv"})
    assert r.status_code == 403


async def test_csv_import_cannot_demote_the_last_instructor(client):
    course, tok = await staff_course(client)
    r = await client.post(f"/api/v1/courses/{course.id}/members/import",
                          content=b"email,name,role\nprof@example.org,Prof,student\n",
                          headers={**bearer(tok["prof"]), "content-type": "text/csv"})
    assert r.json()["enrolled"] == 0 and r.json()["errors"][0]["line"] == 2
    prof = await User.get(email="prof@example.org")
    assert (await Membership.get(user_id=prof.id, course_id=course.id)).role == Role.INSTRUCTOR


async def test_role_change_and_removal_go_through_the_writer(client):
    course, tok = await staff_course(client)
    ada = await User.get(email="ada@example.org")
    before = len(await written_events(course.id))
    r = await client.put(f"/api/v1/courses/{course.id}/members/{ada.id}", json={"role": "ta"},
                         headers=bearer(tok["prof"]))
    assert r.status_code == 200
    events = await written_events(course.id)
    assert len(events) == before + 1 and events[-1].data_by_audience["staff"]["user_ids"] == [
        ada.id]


async def test_put_member_sets_and_clears_the_group(client):
    course, tok = await staff_course(client)
    ada = await User.get(email="ada@example.org")
    url = f"/api/v1/courses/{course.id}/members/{ada.id}"
    r = await client.put(url, json={"role": "student", "group": "Tutorial B"},
                         headers=bearer(tok["prof"]))
    assert r.status_code == 200 and r.json()["group"] == "Tutorial B"
    r = await client.put(url, json={"role": "student"}, headers=bearer(tok["prof"]))
    assert r.json()["group"] == "Tutorial B"  # no group given: kept
    r = await client.put(url, json={"role": "student", "group": ""}, headers=bearer(tok["prof"]))
    assert r.json()["group"] is None
    r = await client.put(url, json={"role": "student", "group": 5}, headers=bearer(tok["prof"]))
    assert r.status_code == 400


async def test_two_people_racing_for_the_last_use_cannot_both_get_in(client):
    course, tok = await staff_course(client)
    r = await client.post(f"/api/v1/courses/{course.id}/invites",
                          json={"role": "student", "max_uses": 1}, headers=bearer(tok["prof"]))
    code = r.json()["code"]
    racers = []
    for email in ("r1@example.org", "r2@example.org"):
        await person(email)
        racers.append(bearer(await token(client, email)))
    answers = await asyncio.gather(*(client.post(f"/api/v1/invites/{code}/accept", headers=h)
                                     for h in racers))
    assert sorted(a.status_code for a in answers) == [200, 410]
    assert (await Invite.get(code=code)).uses == 1
    assert await Membership.filter(course_id=course.id, user__email__startswith="r").count() == 1


async def test_a_reconnecting_members_page_gets_its_audiences_fresh_table(client):
    course, tok = await staff_course(client)
    await client.post(f"/api/v1/courses/{course.id}/invites", json={"role": "student"},
                      headers=bearer(tok["prof"]))
    topic = Topic(f"members:{course.id}", "members", course.id)
    prof, ta, ada = [await User.get(email=f"{w}@example.org") for w in ("prof", "ta", "ada")]
    assert [await authorize(topic, u) for u in (prof, ta, ada)] == ["instructor", "staff", None]
    instructor_view = await resync_fragments(topic, prof, "instructor")
    staff_view = await resync_fragments(topic, ta, "staff")
    for html in (instructor_view, staff_view):
        assert "ada@example.org" in html and 'hx-swap-oob="outerHTML"' in html
    assert "Remove" in instructor_view and "/invites/" in instructor_view
    assert "Remove" not in staff_view and "/invites/" not in staff_view
