"""Live = reload in the viewer's language: one announcement, a Finnish and an English
member, each sent the frame in their own language, each live page equal to its reload."""

from __future__ import annotations

from babel.dates import format_datetime

from models.announcements import Announcement
from tests.support.live_reload import verify_action


async def test_each_viewer_gets_the_live_frame_in_their_language(cast):
    cast.bob.user.language = "fi"
    await cast.bob.user.save(update_fields=["language"])
    url = f"/courses/{cast.course_id}"
    pages = {cast.ada: [url], cast.bob: [url]}

    async def post():
        r = await cast.teacher.client.post(f"{url}/announcements",
                                           data={"title": "Lab moved", "body": "Room 101"})
        assert r.status_code == 200, r.text

    frames = await verify_action(cast.hub, pages, post)
    posted = await Announcement.get(title="Lab moved")
    finnish = format_datetime(posted.created_at, "EEE d MMM y", locale="fi")
    english = format_datetime(posted.created_at, "EEE d MMM y", locale="en")
    assert finnish != english
    bob, ada = "".join(frames[f"bob {url}"]), "".join(frames[f"ada {url}"])
    assert finnish in bob and english not in bob
    assert english in ada and finnish not in ada
