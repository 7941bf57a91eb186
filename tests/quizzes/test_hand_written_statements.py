"""models/statements.py writes what the ORM would: a row upserted by hand reads back through
the ORM as written (JSON, datetimes), inserted once and then updated, in both modes."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from models.quizzes import QuizAnswer
from models.statements import upsert
from tests.quizzes.conftest import QUIZ_URL, QuizCourse

ODD = {"text": "ä \u2028 \"quoted\" <b>", "nested": [1, 2.5, None, {"ok": True}], "empty": ""}


async def test_an_answer_upserted_by_hand_inserts_then_updates_one_row(quiz_course: QuizCourse,
                                                                     client):
    r = await client.post(QUIZ_URL, headers=quiz_course.headers["ada"])
    assert r.status_code == 201, r.text
    attempt = r.json()
    first, second = clock.now(), clock.now() + timedelta(seconds=3)
    key = {"attempt_id": attempt["id"], "question_id": "q-hand"}
    await upsert(QuizAnswer, {**key, "answer": ODD, "saved_at": first},
                 conflict=("attempt_id", "question_id"), update=("answer", "saved_at"))
    row = await QuizAnswer.get(**key)
    assert (row.answer, row.saved_at) == (ODD, first)
    await upsert(QuizAnswer, {**key, "answer": {"text": "later"}, "saved_at": second},
                 conflict=("attempt_id", "question_id"), update=("answer", "saved_at"))
    rows = await QuizAnswer.filter(**key)
    assert len(rows) == 1 and rows[0].id == row.id
    assert (rows[0].answer, rows[0].saved_at) == ({"text": "later"}, second)
