"""Staff previewing a course as its students see it ("view as student").

The shell turns the toggle on for a page request (never for a write); while it is on,
the one role -> audience rule answers "student" for that course, so every domain renders
its pages for the student audience without knowing about the preview.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_previewed: ContextVar[frozenset[str]] = ContextVar("student_view", default=frozenset())


@contextmanager
def previewing_as_student(*course_ids: str) -> Iterator[None]:
    """Within this block, the current task (and the tasks it starts) reads these courses
    as a student: a page request, or for its lifetime the page socket of a session that
    has the toggle on, so the page and its live frames are rendered for the same audience."""
    token = _previewed.set(_previewed.get() | set(course_ids))
    try:
        yield
    finally:
        _previewed.reset(token)


def is_previewed(course_id: str) -> bool:
    return course_id in _previewed.get()
