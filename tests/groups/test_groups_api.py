"""Groups as course objects over the JSON API: list with counts and staff, create, rename
(members follow), assign staff, delete (members stay without a group), and the refusals."""

import httpx
import pytest

from models.courses import Membership
from models.events import Event
from models.groups import CourseGroup, GroupStaff
from tests.support.people import PASSWORD, bearer, browser_login, course_with, person, token

# The event log's HTML is read in each language (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("every_language_live")


async def grouped_course(client):
    prof = await person("prof@example.org", creator=True)
    ta = await person("ta@example.org")
    ada, bob = await person("ada@example.org"), await person("bob@example.org")
    course = await course_with(prof, {ta: "ta", ada: "student", bob: "student"})
    tokens = {w: await token(client, f"{w}@example.org") for w in ("prof", "ta", "ada")}
    r = await client.put(f"/api/v1/courses/{course.id}/members/{ada.id}",
                         json={"role": "student", "group": "A"}, headers=bearer(tokens["prof"]))
    assert r.status_code == 200, r.text
    return course, {"prof": prof, "ta": ta, "ada": ada, "bob": bob}, tokens


async def test_a_group_set_on_a_membership_is_a_group_with_its_count(client):
    course, _people, tok = await grouped_course(client)
    r = await client.get(f"/api/v1/courses/{course.id}/groups", headers=bearer(tok["ta"]))
    assert r.status_code == 200
    [group] = r.json()
    assert (group["name"], group["members"], group["staff"]) == ("A", 1, [])


async def test_create_assign_rename_and_delete(client):
    course, people, tok = await grouped_course(client)
    url = f"/api/v1/courses/{course.id}/groups"
    r = await client.post(url, json={"name": " B ", "staff": [people["ta"].id]},
                          headers=bearer(tok["prof"]))
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "B" and r.json()["staff"][0]["user_id"] == people["ta"].id
    a = await CourseGroup.get(course_id=course.id, name="A")
    r = await client.patch(f"{url}/{a.id}", json={"name": "Group A", "staff": [
        people["ta"].id, people["prof"].id]}, headers=bearer(tok["prof"]))
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "Group A" and r.json()["members"] == 1
    assert len(r.json()["staff"]) == 2
    ada = await Membership.get(course_id=course.id, user_id=people["ada"].id)
    assert ada.group == "Group A"
    r = await client.delete(f"{url}/{a.id}", headers=bearer(tok["prof"]))
    assert r.status_code == 204
    ada = await Membership.get(course_id=course.id, user_id=people["ada"].id)
    assert ada.group is None
    assert not await GroupStaff.filter(group_id=a.id).exists()
    names = [g["name"] for g in (await client.get(url, headers=bearer(tok["prof"]))).json()]
    assert names == ["B"]


async def test_bad_input_is_refused_with_a_clear_status(client):
    course, people, tok = await grouped_course(client)
    url = f"/api/v1/courses/{course.id}/groups"
    prof = bearer(tok["prof"])
    r = await client.post(url, json={"name": "a\x00b"}, headers=prof)
    assert r.status_code == 400  # not text at all: refused with the body
    for bad in ("", "   ", "x" * 65, 7, None):
        r = await client.post(url, json={"name": bad}, headers=prof)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["fields"]["name"]
    assert (await client.post(url, json={"name": "A"}, headers=prof)).status_code == 409
    for missing in ("999999", "nope", "1" * 40):
        r = await client.patch(f"{url}/{missing}", json={"name": "C"}, headers=prof)
        assert r.status_code == 404, r.text
        assert (await client.delete(f"{url}/{missing}", headers=prof)).status_code == 404
    a = await CourseGroup.get(course_id=course.id, name="A")
    r = await client.patch(f"{url}/{a.id}", json={"staff": [people["bob"].id]}, headers=prof)
    assert r.status_code == 404 and "not a TA" in r.json()["error"]["message"]
    r = await client.patch(f"{url}/{a.id}", json={"staff": "ta"}, headers=prof)
    assert r.status_code == 400
    # ids outside a positive 32-bit integer (PostgreSQL refused -10^12 with a 500)
    for ids in ([-1194438982057], [2**31], [0], [True]):
        r = await client.patch(f"{url}/{a.id}", json={"staff": ids}, headers=prof)
        assert r.status_code == 400, (ids, r.text)
    r = await client.patch(f"{url}/{a.id}", json={}, headers=prof)
    assert r.status_code == 400
    b = (await client.post(url, json={"name": "B"}, headers=prof)).json()
    r = await client.patch(f"{url}/{a.id}", json={"name": b["name"]}, headers=prof)
    assert r.status_code == 409


async def test_students_and_tas_may_not_change_groups(client):
    course, _people, tok = await grouped_course(client)
    url = f"/api/v1/courses/{course.id}/groups"
    a = await CourseGroup.get(course_id=course.id, name="A")
    assert (await client.get(url, headers=bearer(tok["ada"]))).status_code == 403
    for who in ("ada", "ta"):
        h = bearer(tok[who])
        assert (await client.post(url, json={"name": "Z"}, headers=h)).status_code == 403
        assert (await client.patch(f"{url}/{a.id}", json={"name": "Z"},
                                   headers=h)).status_code == 403
        assert (await client.delete(f"{url}/{a.id}", headers=h)).status_code == 403
    outsider = await person("out@example.org")
    h = bearer(await token(client, outsider.email))
    assert (await client.get(url, headers=h)).status_code == 404


async def test_csv_import_groups_become_groups(client):
    course, _people, tok = await grouped_course(client)
    await person("cy@example.org")
    r = await client.post(f"/api/v1/courses/{course.id}/members/import",
                          content="email,name,role,group\ncy@example.org,Cy,student,Tue 10\n",
                          headers={**bearer(tok["prof"]), "content-type": "text/csv"})
    assert r.status_code == 200, r.text
    r = await client.get(f"/api/v1/courses/{course.id}/groups", headers=bearer(tok["prof"]))
    assert {g["name"]: g["members"] for g in r.json()} == {"A": 1, "Tue 10": 1}


async def test_groups_page_lists_and_manages_groups(app):
    course = await setup_page_course()
    async with browser(app) as prof, browser(app) as ta:
        csrf = await browser_login(prof, "prof@example.org")
        await browser_login(ta, "ta@example.org")
        url = f"/courses/{course.id}/groups"
        r = await prof.post(url, data={"action": "create", "name": "Lab 1", "csrf_token": csrf})
        assert r.status_code == 200 and "Group created." in r.text and "Lab 1" in r.text
        r = await prof.post(url, data={"action": "create", "name": "x" * 70,
                                       "csrf_token": csrf})
        assert r.status_code == 422 and "x" * 70 in r.text  # typed text kept, with the reason
        group = await CourseGroup.get(course_id=course.id, name="Lab 1")
        r = await prof.post(url, data={"action": "rename", "group_id": str(group.id),
                                       "name": "", "csrf_token": csrf})
        assert r.status_code == 422
        page = await ta.get(url)
        assert page.status_code == 200 and "Lab 1" in page.text and "Create group" not in page.text
        assert (await ta.post(url, data={"action": "create", "name": "Z"})).status_code == 403


async def setup_page_course():
    prof = await person("prof@example.org", creator=True)
    ta, ada = await person("ta@example.org"), await person("ada@example.org")
    return await course_with(prof, {ta: "ta", ada: "student"})


def browser(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://testserver", follow_redirects=False)


async def test_a_tas_assignments_are_in_their_export_and_go_with_their_account(client):
    course, people, tok = await grouped_course(client)
    a = await CourseGroup.get(course_id=course.id, name="A")
    r = await client.patch(f"/api/v1/courses/{course.id}/groups/{a.id}",
                           json={"staff": [people["ta"].id]}, headers=bearer(tok["prof"]))
    assert r.status_code == 200, r.text
    export = (await client.get("/api/v1/me/export", headers=bearer(tok["ta"]))).json()
    assert export["courses"]["group_assignments"] == [
        {"group__course_id": course.id, "group__name": "A"}]
    r = await client.request("DELETE", "/api/v1/me", headers=bearer(tok["ta"]),
                             json={"password": PASSWORD})
    assert r.status_code == 202, r.text
    assert not await GroupStaff.filter(group_id=a.id).exists()
    assert await CourseGroup.exists(id=a.id)  # the group stays


async def test_members_table_counts_each_group_live(client):
    course, people, tok = await grouped_course(client)
    r = await client.put(f"/api/v1/courses/{course.id}/members/{people['bob'].id}",
                         json={"role": "student", "group": "A"}, headers=bearer(tok["prof"]))
    assert r.status_code == 200
    [pushed] = await Event.filter(topic=f"members:{course.id}").order_by("-id").limit(1)
    for audience, html in pushed.html_by_audience.items():
        # every audience, in each language (`instructor@fi`: realtime.publish.in_every_language)
        members = {"fi": "2 osallistujaa", "es": "2 miembros"}.get(
            audience.partition("@")[2], "2 members")
        assert f'data-group="A">A ({members})' in html, audience
