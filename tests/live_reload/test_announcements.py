"""Live = reload for announcements: every member's dashboard and course page."""

from __future__ import annotations

from tests.support.live_reload import covers, verify_action


@covers("announcement.created")
async def test_posting_an_announcement(cast):
    pages = {v: ["/", f"/courses/{cast.course_id}"] for v in cast.everyone}

    async def post():
        r = await cast.teacher.client.post(f"/courses/{cast.course_id}/announcements",
                                           data={"title": "Lab moved", "body": "Room **101**"})
        assert r.status_code == 200, r.text

    frames = await verify_action(cast.hub, pages, post)
    assert any("Lab moved" in f for f in frames[f"bob /courses/{cast.course_id}"])
