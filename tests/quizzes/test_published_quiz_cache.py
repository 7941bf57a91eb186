"""A published quiz is read once per published version: the next publish is seen at once."""

from __future__ import annotations

from pathlib import Path

from courseware.service import import_course_folder
from quizzes.quiz_blocks import published_quiz
from tests.quizzes.conftest import COURSE_ID, FILES, QuizCourse, write_course

MIDTERM = "01-exams/01-mid/01-paper/01-midterm.yaml"


async def test_the_quiz_of_a_published_version_is_read_once_and_a_publish_replaces_it(
        quiz_course: QuizCourse, tmp_path: Path, monkeypatch):
    first = await published_quiz(COURSE_ID, "midterm")
    assert await published_quiz(COURSE_ID, "midterm") is first  # the same version: cached
    assert first.fields["max_attempts"] == 2
    monkeypatch.setitem(FILES, MIDTERM, FILES[MIDTERM].replace("max_attempts: 2",
                                                               "max_attempts: 5"))
    await import_course_folder(None, write_course(tmp_path / "again"), course_id=COURSE_ID,
                               publish=True, instructor=quiz_course.instructor)
    now = await published_quiz(COURSE_ID, "midterm")
    assert now is not first and now.fields["max_attempts"] == 5
    assert first.fields["max_attempts"] == 2  # what a caller holds is not changed under it
