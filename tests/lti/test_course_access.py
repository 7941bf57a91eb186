"""A platform launches only into courses whose instructors connected it: a site admin trusts
a platform with who its users are, not with every course."""

from __future__ import annotations

from models.courses import Membership
from models.lti import LtiResourceLink
from tests.lti.conftest import launch, unit_url
from tests.support.people import browser_login, course_with, person


async def test_a_course_not_connected_to_the_platform_refuses_its_launches(client, platform):
    owner = await person("owner@example.org", creator=True)
    other = await course_with(owner, {}, number="CS999")
    r = await launch(client, platform, unit_url(other), role="instructor")
    assert r.status_code == 403 and "connects it" in r.text
    assert await Membership.filter(course_id=other.id).count() == 1  # the owner alone
    assert not await LtiResourceLink.exists()


async def test_the_instructor_connects_and_disconnects_a_platform_on_the_course_page(
        client, platform, course):
    owner = await person("owner@example.org", creator=True)
    other = await course_with(owner, {}, number="CS998")
    csrf = await browser_login(client, "owner@example.org")
    page = await client.get(f"/courses/{other.id}/lti")
    assert page.status_code == 200 and 'data-connected="no"' in page.text
    form = {"csrf_token": csrf, "registration_id": str(platform.registration_id)}
    r = await client.post(f"/courses/{other.id}/lti", data={**form, "action": "connect"})
    assert r.status_code == 200 and 'data-connected="yes"' in r.text
    client.cookies.clear()
    assert (await launch(client, platform, unit_url(other), sub="s1")).status_code == 303
    client.cookies.clear()
    csrf = await browser_login(client, "owner@example.org")
    r = await client.post(f"/courses/{other.id}/lti",
                          data={**form, "csrf_token": csrf, "action": "disconnect"})
    assert 'data-connected="no"' in r.text
    client.cookies.clear()
    again = await launch(client, platform, unit_url(other), sub="s1")  # the bound link too
    assert again.status_code == 403


async def test_students_cannot_connect_platforms(client, platform, course):
    student = await person("student@example.org")
    owner = await person("owner@example.org", creator=True)
    other = await course_with(owner, {student: "student"}, number="CS997")
    csrf = await browser_login(client, "student@example.org")
    r = await client.post(f"/courses/{other.id}/lti", data={
        "csrf_token": csrf, "registration_id": str(platform.registration_id),
        "action": "connect"})
    assert r.status_code == 403
    assert (await client.get(f"/courses/{other.id}/lti")).status_code == 403
