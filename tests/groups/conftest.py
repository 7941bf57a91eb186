"""The quiz course fixture, shared with tests/quizzes (group windows are tested on it)."""

from tests.quizzes.conftest import quiz_course

__all__ = ["quiz_course"]
