"""The quiz panel and attempt page in Finnish and Spanish (the browser's Accept-Language)."""

from __future__ import annotations

import httpx
import pytest

from tests.quizzes.conftest import COURSE_ID, QuizCourse
from tests.support.people import browser_login

# The event log's HTML is read in each language (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("every_language_live")

PANEL = f"/courses/{COURSE_ID}/quizzes/midterm/panel"

WORDS = {
    "fi": {"panel": ["Aloita tentti"], "attempt": ["Palauta tentti", "Aikaa jäljellä:",
                                                  "yritys 1", "Takaisin kurssille"]},
    "es": {"panel": ["Empezar el cuestionario"],
           "attempt": ["Entregar el cuestionario", "Tiempo restante:", "intento 1",
                       "Volver al curso"]},
}
ENGLISH = {"panel": ["Start the quiz"],
           "attempt": ["Hand in the quiz", "Time left:", "attempt 1", "Back to the course",
                       "(by the server's clock"]}


@pytest.mark.parametrize("language", ["fi", "es"])
async def test_start_and_take_a_quiz_in_the_browsers_language(
        app, quiz_course: QuizCourse, language):
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver",
                                 headers={"Accept-Language": language}) as browser:
        csrf = await browser_login(browser, "ada@example.org")
        panel = (await browser.get(PANEL)).text
        started = await browser.post(f"/courses/{COURSE_ID}/quizzes/midterm/attempt",
                                     data={"csrf_token": csrf})
        assert started.status_code == 303
        attempt = (await browser.get(started.headers["location"])).text
    for key, page in (("panel", panel), ("attempt", attempt)):
        for text in WORDS[language][key]:
            assert text in page, text
        assert not [text for text in ENGLISH[key] if text in page]
    # a question's points: "(1 piste)" / "(1 punto)", plural forms for more
    assert ("piste" if language == "fi" else "punto") in attempt


async def test_live_frames_carry_every_language(client: httpx.AsyncClient,
                                                quiz_course: QuizCourse,
                                                monkeypatch: pytest.MonkeyPatch):
    """The attempt's regions and the proctor row go out in English, Finnish and Spanish,
    so a Finnish page updated live reads like a Finnish reload."""
    from quizzes import events
    sent: dict[str, dict[str, str]] = {}
    real = events.publish

    async def recording(topic, event, data, html=None):
        if html:
            sent.setdefault(event, {}).update(html)
            if topic.startswith("quiz-attempt:"):
                sent.setdefault(f"{event} on its page", {}).update(html)
        return await real(topic, event, data, html)

    monkeypatch.setattr(events, "publish", recording)
    ada = quiz_course.headers["ada"]
    attempt = (await client.post(f"/api/v1/courses/{COURSE_ID}/quizzes/midterm/attempts",
                                 headers=ada)).json()
    # A new attempt's page is not open yet: its topic gets the payload, no regions.
    assert "quiz.attempt.updated on its page" not in sent
    extended = await client.put(
        f"/api/v1/courses/{COURSE_ID}/quizzes/midterm/accommodations/"
        f"{quiz_course.student.id}", json={"extra_minutes": 10},
        headers=quiz_course.headers["prof"])
    assert extended.status_code == 200, extended.text
    moved = dict(sent["quiz.attempt.updated on its page"])  # every region
    assert "Hand in the quiz" in moved["self"]
    assert "Palauta tentti" in moved["self@fi"]
    assert "Entregar el cuestionario" in moved["self@es"]
    await client.put(f"/api/v1/quiz-attempts/{attempt['id']}/answers/capital",
                     json={"answer": {"choice": "paris"}}, headers=ada)
    saved = sent["quiz.attempt.updated on its page"]  # the header and the saved question
    assert "Saved" in saved["self"] and "Tallennettu" in saved["self@fi"]
    assert "Guardado" in saved["self@es"]
    assert "Aikaa jäljellä:" in saved["staff@fi"] and "Time left:" not in saved["staff@fi"]
    row = sent["quiz.progress"]
    assert "in progress" in row["staff"] and "kesken" in row["staff@fi"]
    assert "en curso" in row["staff@es"]
