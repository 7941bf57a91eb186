"""Live = reload for the members page: role and group changes, joining by invite, removal,
each seen by the instructor (with controls and invite links) and a TA (read-only)."""

from __future__ import annotations

from models.courses import Membership
from tests.support.live_reload import covers, verify_action
from tests.support.people import bearer, person, token


def members_pages(cast):
    url = f"/courses/{cast.course_id}/members"
    return {cast.teacher: [url], cast.ta: [url]}


@covers("course.members.changed")
async def test_changing_a_role_and_group(cast):
    async def change():
        r = await cast.teacher.client.post(f"/courses/{cast.course_id}/members", data={
            "user_id": str(cast.ada.user.id), "role": "ta", "group": "Lab 3"})
        assert r.status_code == 200, r.text

    frames = await verify_action(cast.hub, members_pages(cast), change)
    assert any("Lab 3" in f for f in frames[f"ta /courses/{cast.course_id}/members"])


@covers("course.members.changed")
async def test_joining_by_invite_counts_a_use_on_the_instructors_page(cast):
    teacher_token = await token(cast.teacher.client, cast.teacher.user.email)
    r = await cast.teacher.client.post(f"/api/v1/courses/{cast.course_id}/invites",
                                       json={"role": "student", "max_uses": 3},
                                       headers=bearer(teacher_token))
    code = r.json()["code"]
    await person("joiner@example.org", "Joiner")
    joiner_token = await token(cast.teacher.client, "joiner@example.org")

    async def accept():
        r = await cast.teacher.client.post(f"/api/v1/invites/{code}/accept",
                                           headers=bearer(joiner_token))
        assert r.status_code == 200, r.text

    frames = await verify_action(cast.hub, members_pages(cast), accept)
    teacher_frames = frames[f"teacher /courses/{cast.course_id}/members"]
    assert any("joiner@example.org" in f and "used 1 of 3" in f for f in teacher_frames)


@covers("course.members.changed")
async def test_removing_a_member(cast):
    async def remove():
        r = await cast.teacher.client.post(f"/courses/{cast.course_id}/members", data={
            "user_id": str(cast.bob.user.id), "action": "remove"})
        assert r.status_code == 200, r.text

    await verify_action(cast.hub, members_pages(cast), remove)
    assert not await Membership.exists(user_id=cast.bob.user.id, course_id=cast.course_id)
