"""Fixtures shared with other test folders: the quiz course (tests/quizzes), the seeded
forum server (tests/forum) and Chromium (tests/browser)."""

from tests.browser.conftest import browser
from tests.forum.conftest import forum_server
from tests.quizzes.conftest import quiz_course

__all__ = ["browser", "forum_server", "quiz_course"]
