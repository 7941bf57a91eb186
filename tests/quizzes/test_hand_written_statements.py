"""models/statements.py writes what the ORM would: a row upserted by hand reads back through
the ORM as written (JSON, datetimes), inserted once and then updated, in both modes."""

from __future__ import annotations

from datetime import timedelta

from core import clock
from models.announcements import Announcement
from models.courses import Course, Membership, Role
from models.quiz_integrity import AttemptHold
from models.quizzes import QuizAnswer
from models.statements import get_by, get_with, rows_where, upsert
from models.users import User
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


def fields_of(row: object) -> dict[str, object]:
    """What a model instance holds of its own columns (not the ORM's bookkeeping)."""
    meta = row._meta  # type: ignore[attr-defined]
    return {name: getattr(row, name) for name in meta.fields_db_projection}


async def test_rows_read_by_hand_are_what_the_orm_reads(quiz_course: QuizCourse, client):
    """get_by and get_with build the same models as the ORM's get_or_none and
    select_related: every column (datetimes, enums, JSON, nulls), the related row, and None
    for no row; a null foreign key joins to None."""
    r = await client.post(QUIZ_URL, headers=quiz_course.headers["ada"])
    assert r.status_code == 201, r.text
    attempt_id = r.json()["id"]

    ada = quiz_course.student
    by_hand, orm = await get_by(User, {"id": ada.id}), await User.get(id=ada.id)
    assert type(by_hand) is User and fields_of(by_hand) == fields_of(orm)
    assert await get_by(User, {"id": 10**6}) is None

    hold = await get_with(AttemptHold, "attempt", {"attempt_id": attempt_id})
    expected = await AttemptHold.filter(attempt_id=attempt_id).select_related("attempt").first()
    assert fields_of(hold) == fields_of(expected)
    assert fields_of(hold.attempt) == fields_of(expected.attempt)  # the paper (JSON) too
    assert hold.attempt.deadline_at is not None and hold.attempt.paper
    assert await get_with(AttemptHold, "attempt", {"attempt_id": 10**6}) is None
    assert fields_of(await get_by(AttemptHold, {"attempt_id": attempt_id})) == fields_of(expected)

    membership = await get_with(Membership, "course",
                                {"user_id": ada.id, "course_id": quiz_course.id})
    expected_m = await Membership.get(user_id=ada.id, course_id=quiz_course.id
                                      ).select_related("course")
    assert fields_of(membership) == fields_of(expected_m)
    assert membership.role is Role.STUDENT and membership.group is None
    assert fields_of(membership.course) == fields_of(expected_m.course)
    assert await get_with(Membership, "course",
                          {"user_id": quiz_course.other.id, "course_id": "course-v1:no+such+x"}
                          ) is None

    course = await Course.get(id=quiz_course.id)
    orphan = await Announcement.create(course=course, author=None, title="t", body_md="b",
                                       body_html="<p>b</p>")
    read = await get_with(Announcement, "author", {"id": orphan.id})
    assert read.author is None and fields_of(read) == fields_of(await Announcement.get(
        id=orphan.id))


async def test_rows_where_reads_and_orders_as_the_orm_does(quiz_course: QuizCourse, client):
    r = await client.post(QUIZ_URL, headers=quiz_course.headers["ada"])
    attempt_id = r.json()["id"]
    for n, question in enumerate(["q-b", "q-c", "q-a"]):
        await upsert(QuizAnswer, {"attempt_id": attempt_id, "question_id": question,
                                  "answer": {"n": n}, "saved_at": clock.now()},
                     conflict=("attempt_id", "question_id"), update=("answer", "saved_at"))
    for order in [("-question_id",), ("question_id",), ("saved_at", "-id")]:
        by_hand = await rows_where(QuizAnswer, {"attempt_id": attempt_id}, order=order)
        orm = await QuizAnswer.filter(attempt_id=attempt_id).order_by(*order)
        assert [fields_of(a) for a in by_hand] == [fields_of(a) for a in orm], order
    assert [a.question_id for a in await rows_where(
        QuizAnswer, {"attempt_id": attempt_id}, order=("-question_id",))] == [
        "q-c", "q-b", "q-a"]
    assert await rows_where(QuizAnswer, {"attempt_id": attempt_id, "question_id": "none"}) == []
