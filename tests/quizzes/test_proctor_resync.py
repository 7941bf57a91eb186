"""The proctor page's resync topic: only the course staff join it, and what it re-sends on
(re)connect is the table a fresh load of the page shows (the browser test drives it across
a server restart)."""

from __future__ import annotations

import re
from urllib.parse import quote

import httpx

from quizzes.proctor_resync import authorize_proctor, proctor_topic, resync_proctor
from realtime.topics import Topic
from tests.quizzes.conftest import COURSE_ID, QuizCourse
from tests.support.people import browser_login


def _topic(key: str) -> Topic:
    return Topic(f"quiz_proctor:{key}", "quiz_proctor", key)


def _table(html: str) -> str:
    table = re.search(r"<table .*?</table>", html, re.S).group(0)  # type: ignore[union-attr]
    return re.sub(r"\s+", " ", table.replace(' hx-swap-oob="true"', ""))


async def test_only_the_course_staff_join_a_quizs_proctor_topic(quiz_course: QuizCourse):
    topic = _topic(f"{COURSE_ID}/midterm")
    assert proctor_topic(COURSE_ID, "midterm") == topic.name
    assert await authorize_proctor(topic, quiz_course.ta) == "staff"
    assert await authorize_proctor(topic, quiz_course.instructor) == "staff"
    assert await authorize_proctor(topic, quiz_course.student) is None
    assert await authorize_proctor(_topic(COURSE_ID), quiz_course.ta) is None  # no quiz
    assert await authorize_proctor(_topic("no-such-course/midterm"), quiz_course.ta) is None


async def test_a_reconnecting_proctor_page_gets_the_table_of_a_fresh_load(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    started = await client.post(f"/api/v1/courses/{COURSE_ID}/quizzes/midterm/attempts",
                                headers=quiz_course.headers["ada"])
    assert started.status_code == 201, started.text
    await browser_login(client, "ta@example.org")
    page = await client.get(f"/courses/{COURSE_ID}/quizzes/midterm/proctor")
    assert page.status_code == 200
    assert quote(proctor_topic(COURSE_ID, "midterm"), safe="") in page.text  # it joins it

    topic = _topic(f"{COURSE_ID}/midterm")
    resent = await resync_proctor(topic, quiz_course.ta, "staff")
    assert 'hx-swap-oob="true"' in resent.split(">", 1)[0]  # the table, swapped whole
    assert resent.count("hx-swap-oob") == 1  # its rows are plain rows inside it
    assert _table(resent) == _table(page.text)
    assert 'data-status="in_progress"' in resent
    assert await resync_proctor(topic, quiz_course.student, "student") == ""
