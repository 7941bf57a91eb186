"""Course and block identifiers.

A course id is ``course-v1:ORG+NUMBER+RUN``; a block is addressed inside a structure
by ``(block_type, block_id)``. Block ids are also unique within a course regardless of
type, so the API can address a block by id alone.
"""

from __future__ import annotations

import re
import uuid
from typing import NamedTuple

from content_store.errors import BlockValidationError
from core.i18n import gettext as _

_PART = re.compile(r"^[A-Za-z0-9_.-]+$")
_PREFIX = "course-v1:"


class CourseKey(NamedTuple):
    org: str
    number: str
    run: str

    def __str__(self) -> str:
        return format_course_id(self.org, self.number, self.run)


class BlockKey(NamedTuple):
    type: str
    id: str

    def as_list(self) -> list[str]:
        """The form stored in MongoDB (BSON has no tuples)."""
        return [self.type, self.id]


def _check_part(name: str, value: str) -> None:
    if not isinstance(value, str) or not _PART.match(value):
        raise BlockValidationError(
            _("Course %(part)s %(value)r may only use letters, digits, '_', '.' and '-'.",
              part=name, value=value),
            fields={"block_type": "course", "field": name},
        )


def format_course_id(org: str, number: str, run: str) -> str:
    """``format_course_id("Coursewire", "PY101", "2026")`` is ``course-v1:Coursewire+PY101+2026``.

    Raises BlockValidationError if a part uses characters outside [A-Za-z0-9_.-].
    """
    for name, value in (("org", org), ("number", number), ("run", run)):
        _check_part(name, value)
    return f"{_PREFIX}{org}+{number}+{run}"


def parse_course_id(course_id: str | CourseKey) -> CourseKey:
    """Split a course id into its parts, rejecting anything malformed."""
    if isinstance(course_id, CourseKey):
        return course_id
    if not isinstance(course_id, str) or not course_id.startswith(_PREFIX):
        raise BlockValidationError(
            _("Course id %(id)r must look like course-v1:ORG+NUMBER+RUN.", id=course_id),
            fields={"block_type": "course", "field": "course_id"},
        )
    parts = course_id[len(_PREFIX):].split("+")
    if len(parts) != 3:
        raise BlockValidationError(
            _("Course id %(id)r must have exactly three parts: ORG+NUMBER+RUN.", id=course_id),
            fields={"block_type": "course", "field": "course_id"},
        )
    org, number, run = parts
    for name, value in (("org", org), ("number", number), ("run", run)):
        _check_part(name, value)
    return CourseKey(org, number, run)


def check_block_id(block_id: str) -> str:
    """Block ids share the course-id alphabet so they are safe in URLs and file names."""
    if not isinstance(block_id, str) or not _PART.match(block_id) or len(block_id) > 100:
        raise BlockValidationError(
            _("Block id %(id)r may only use letters, digits, '_', '.' and '-' "
              "(at most 100 characters).", id=block_id),
            fields={"field": "block_id"},
        )
    return block_id


def new_block_id(block_type: str) -> str:
    """A fresh id for a block created without one."""
    return f"{block_type}-{uuid.uuid4().hex[:10]}"
