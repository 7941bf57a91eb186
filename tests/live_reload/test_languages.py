"""Live = reload in the viewer's language: one announcement, a forum reply and a grade,
a Finnish and an English reader, each sent the frames in their own language, each live
page equal to its reload."""

from __future__ import annotations

import re

import pytest

from core.human_time import human_time
from core.i18n import current_language, use_language
from forum import fragments as forum_fragments
from forum.posts import create_post
from forum.threads import create_thread
from grading import at_once, submissions
from grading import fragments as grading_fragments
from models.announcements import Announcement
from tests.grading_app.conftest import drain
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
    with use_language("fi"):  # "la 5.12.2026 klo 18.30 UTC": live frames carry UTC text
        finnish = human_time(posted.created_at)
    with use_language("en"):
        english = human_time(posted.created_at)
    assert finnish != english
    bob, ada = "".join(frames[f"bob {url}"]), "".join(frames[f"ada {url}"])
    assert finnish in bob and english not in bob
    assert english in ada and finnish not in ada


@pytest.fixture
def language_marks(monkeypatch):
    """Every forum and grading fragment ends with a comment naming the language it was
    rendered in, so a frame shows it even while the templates are still English. (The
    harness's DOM drops comments: live and reload still compare as before.)"""
    for module in (forum_fragments, grading_fragments):
        original = module.render

        def marked(name, _original=original, **context):
            return _original(name, **context) + f"<!--lang:{current_language()}-->"

        monkeypatch.setattr(module, "render", marked)


def _languages(frames: list[str]) -> set[str]:
    return set(re.findall(r"<!--lang:(\w+)-->", "".join(frames)))


async def _finnish(viewer) -> None:
    viewer.user.language = "fi"
    await viewer.user.save(update_fields=["language"])


async def test_a_finnish_reader_of_a_thread_gets_its_frames_in_finnish(cast, language_marks):
    await _finnish(cast.bob)
    thread = await create_thread(cast.ada.user, cast.course_id, "Recursion", "How?", "peers")
    url = f"/forum/threads/{thread.id}"
    lists = f"/courses/{cast.course_id}/forum"
    pages = {cast.ada: [url, lists], cast.bob: [url, lists]}

    async def reply():  # the TA (English) replies: a shared `student` frame for both
        await create_post(cast.ta.user, thread.id, "Start with the base case.", "none")

    frames = await verify_action(cast.hub, pages, reply)
    for page in (url, lists):
        assert _languages(frames[f"bob {page}"]) == {"fi"}, frames[f"bob {page}"]
        assert _languages(frames[f"ada {page}"]) == {"en"}, frames[f"ada {page}"]


async def test_a_finnish_student_gets_their_grade_in_finnish(cast, language_marks):
    await _finnish(cast.bob)
    unit, progress = (f"/courses/{cast.course_id}/units/unit-one",
                      f"/courses/{cast.course_id}/progress")
    gradebook = f"/courses/{cast.course_id}/gradebook"
    pages = {cast.bob: [unit, progress], cast.teacher: [gradebook]}

    async def submit():  # graded at once: the widget, then the grade and progress
        await submissions.submit_answer(cast.bob.user, cast.course_id, "number", {"value": 41})
        await at_once.finish(30)
        await drain(cast.queue)

    frames = await verify_action(cast.hub, pages, submit)
    for page in (unit, progress):
        assert _languages(frames[f"bob {page}"]) == {"fi"}, frames[f"bob {page}"]
    assert _languages(frames[f"teacher {gradebook}"]) == {"en"}
