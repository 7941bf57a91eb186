"""The quiz's unit panel and the attempt page, server-rendered (the browser test drives
their script)."""

from __future__ import annotations

import re

import httpx

from tests.quizzes.conftest import COURSE_ID, QuizCourse
from tests.support.people import browser_login

PANEL = f"/courses/{COURSE_ID}/quizzes/midterm/panel"


async def test_start_from_the_unit_then_resume_on_the_attempt_page(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    csrf = await browser_login(client, "ada@example.org")
    unit = await client.get(f"/courses/{COURSE_ID}/units/paper")
    assert unit.status_code == 200 and PANEL in unit.text
    panel = await client.get(PANEL)
    assert "Start the quiz" in panel.text
    started = await client.post(f"/courses/{COURSE_ID}/quizzes/midterm/attempt",
                                data={"csrf_token": csrf})
    assert started.status_code == 303
    url = started.headers["location"]
    assert re.fullmatch(rf"/courses/{re.escape(COURSE_ID)}/quiz-attempts/\d+", url)
    page = await client.get(url)
    assert page.status_code == 200
    assert 'data-editable="true"' in page.text and "Hand in the quiz" in page.text
    seconds = int(re.search(r'data-seconds-left="(\d+)"', page.text).group(1))
    assert 29 * 60 < seconds <= 30 * 60
    assert page.text.count('class="quiz-question"') == 3
    assert "KEY-FEEDBACK" not in page.text and "KEY-EXPLANATION" not in page.text
    assert "Resume the quiz" in (await client.get(PANEL)).text
    again = await client.post(f"/courses/{COURSE_ID}/quizzes/midterm/attempt",
                              data={"csrf_token": csrf})
    assert again.headers["location"] == url  # the same attempt, never a second one
    attempt_id = url.rsplit("/", 1)[1]
    saved = await client.put(f"/api/v1/quiz-attempts/{attempt_id}/answers/capital",
                             json={"answer": {"choice": "paris"}},
                             headers={"X-CSRF-Token": csrf})
    assert saved.status_code == 200, saved.text
    reloaded = await client.get(url)
    assert re.search(r'value="paris"\s+checked', reloaded.text)


async def test_the_panel_says_why_a_quiz_cannot_start(client: httpx.AsyncClient,
                                                      quiz_course: QuizCourse):
    await browser_login(client, "ada@example.org")
    panel = await client.get(f"/courses/{COURSE_ID}/quizzes/later/panel")
    assert "opens at 2999-01-01" in panel.text and "Start the quiz" not in panel.text


async def test_another_student_cannot_open_the_attempt_page_or_its_regions(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    csrf = await browser_login(client, "ada@example.org")
    url = (await client.post(f"/courses/{COURSE_ID}/quizzes/midterm/attempt",
                             data={"csrf_token": csrf})).headers["location"]
    regions = await client.get(url + "/regions", headers={"HX-Request": "true"})
    assert regions.status_code == 200 and 'id="quiz-attempt-head"' in regions.text
    assert "hx-swap-oob" in regions.text and "quiz-attempt-refresh" in regions.text
    client.cookies.clear()
    await browser_login(client, "bob@example.org")
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url + "/regions")).status_code == 404
    assert (await client.get(url.rsplit("/", 1)[0] + "/x1/regions")).status_code == 404


async def test_the_proctor_page_lists_every_student_and_is_staff_only(
        client: httpx.AsyncClient, quiz_course: QuizCourse):
    csrf = await browser_login(client, "ada@example.org")
    await client.post(f"/courses/{COURSE_ID}/quizzes/midterm/attempt",
                      data={"csrf_token": csrf})
    proctor = f"/courses/{COURSE_ID}/quizzes/midterm/proctor"
    assert (await client.get(proctor)).status_code == 403
    client.cookies.clear()
    await browser_login(client, "ta@example.org")
    assert "Proctor view" in (await client.get(PANEL)).text
    page = await client.get(proctor)
    assert page.status_code == 200
    rows = re.findall(r'<tr id="proctor-[^"]+" class="proctor-row" data-status="(\w+)">\s*'
                      r"<td>(\w+)</td>", page.text)
    assert rows == [("in_progress", "Ada"), ("not_started", "Bob")]
