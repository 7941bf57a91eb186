"""A published quiz as the quizzes domain reads it: its fields (with defaults) and the
course's question banks, from the same published version."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from content_store import PUBLISHED, BlockNotFound, CourseNotFound
from content_store.blocks import block_type
from content_store.connect import current_store
from core.datetimes import parse_instant
from core.errors import NotFound
from core.i18n import gettext as _


@dataclass(frozen=True)
class Quiz:
    course_id: str
    block_id: str
    fields: Mapping[str, Any]
    banks: Mapping[str, Sequence[Mapping[str, Any]]]

    def instant(self, name: str) -> datetime | None:
        value = self.fields.get(name)
        return parse_instant(value) if value else None

    @property
    def opens_at(self) -> datetime | None:
        return self.instant("opens_at")

    @property
    def closes_at(self) -> datetime | None:
        return self.instant("closes_at")

    @property
    def max_points(self) -> float:
        return float(quiz_points(self.fields))


def quiz_points(fields: Mapping[str, Any]) -> float:
    """The quiz's maximum: its `max_points`, else one point per question."""
    if fields.get("max_points") is not None:
        return float(fields["max_points"])
    return float(len(fields.get("questions") or []) +
                 sum(rule["count"] for rule in fields.get("draw") or []))


async def published_quiz(course_id: str, block_id: str) -> Quiz:
    """The published quiz `block_id`; NotFound if there is none (or it is another type)."""
    store = current_store()
    try:
        structure = await store.get_branch(course_id, PUBLISHED, cached=True)
        key = structure.key_for(block_id)
    except (CourseNotFound, BlockNotFound, KeyError):
        raise NotFound(_("No quiz %(block_id)s in this course.", block_id=repr(block_id))) from None
    if key.type != "quiz":
        raise NotFound(_("%(block_id)s is not a quiz.", block_id=repr(block_id)))
    # A published version never changes, so its quiz is read once per store: every
    # autosave reads it (the network rule), and building it was 7% of a save's CPU
    # (bench/save_cost.py --profile).
    known = _PUBLISHED.setdefault(store, OrderedDict())
    cache_key = (course_id, block_id, str(structure.id))
    if (cached := known.get(cache_key)) is not None:
        known.move_to_end(cache_key)
        return cached
    quiz, root = await store.get_blocks(course_id, [key, structure.root], version=structure.id)
    found = Quiz(course_id, block_id, block_type("quiz").with_defaults(dict(quiz.fields)),
                 root.fields.get("question_banks") or {})
    known[cache_key] = found
    if len(known) > _PUBLISHED_KEPT:
        known.popitem(last=False)
    return found


# Per content store (a test process opens many), the quizzes of published versions read last.
_PUBLISHED: WeakKeyDictionary[Any, OrderedDict[tuple[str, str, str], Quiz]] = (
    WeakKeyDictionary())
_PUBLISHED_KEPT = 512


async def quiz_title(course_id: str, block_id: str) -> str:
    """The quiz's title for a page heading: its block id if it has none, or if the quiz
    was unpublished since (an old attempt stays readable)."""
    try:
        quiz = await published_quiz(course_id, block_id)
    except NotFound:
        return block_id
    return str(quiz.fields.get("title") or block_id)
