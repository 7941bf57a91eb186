"""A graded attempt's live frames (the student's widget and progress, the staff's
gradebook cells) go out in English, Finnish and Spanish, so a Finnish page updated live
reads like a Finnish reload."""

from __future__ import annotations

import pytest

from grading import events, submissions
from tests.grading_app.conftest import drain

# The event log's HTML is read in each language (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("every_language_live")


async def test_a_graded_attempt_is_pushed_in_every_language(course,
                                                           monkeypatch: pytest.MonkeyPatch):
    sent: list[tuple[str, dict[str, str]]] = []
    real = events.publish

    async def recording(topic, event, data, html=None):
        if html:
            sent.append((event, html))
        return await real(topic, event, data, html)

    monkeypatch.setattr(events, "publish", recording)
    await submissions.submit_answer(course.student, course.id, "pick", {"choice": "a"})
    queued = dict(sent)["submission.status"]
    assert "queued for grading" in queued["self"]
    assert "Yritys 1: jonossa arvioitavaksi…" in queued["self@fi"]
    assert "Intento 1: en cola para calificar…" in queued["self@es"]
    sent.clear()
    await drain(course.queue)
    widget = [html for event, html in sent if event == "submission.status"][-1]
    assert "Attempt 1:" in widget["self"] and "— Correct" in widget["self"]
    assert "Yritys 1:" in widget["self@fi"] and "— Oikein" in widget["self@fi"]
    assert "Intento 1:" in widget["self@es"] and "— Correcto" in widget["self@es"]
    progress = [html for event, html in sent if event == "grade.updated" and "self" in html]
    assert progress and "Kurssiarvosana:" in progress[0]["self@fi"]
    assert "Course grade:" not in progress[0]["self@fi"]
