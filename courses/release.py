"""Release and visibility: the one rule for what of a course a student may see, and when.

A student sees a published block at `now` only if
- the course has started (the course's `start` is empty or past),
- neither the block nor any block above it is marked `hidden` or `staff_only`, and
- neither it nor its chapter or subsection has a `start` still in the future.
Staff (TAs, instructors, admins) see everything; each block students cannot see carries a
mark saying why, for the staff's outline.

The course's `end` hides nothing: as in Open edX, a finished course stays readable, but it
takes no more submissions (`Release.ended`).

Everything here is pure (a structure and a time in, an answer out), so each path that shows
content (pages, block JSON, submissions, discussion panels, live frames, resyncs) asks the
same question and gets the same answer. courses.visibility reads the published structure
and applies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from content_store.keys import BlockKey
from content_store.structure import Structure
from core.datetimes import parse_instant
from core.human_time import human_time
from core.i18n import gettext as _

STAFF = "staff"  # the audience that sees everything (courses.audience.STAFF)
DATED_TYPES = frozenset({"course", "chapter", "sequential"})  # the types whose `start` counts


@dataclass(frozen=True)
class Mark:
    """Why students do not see a block now: `hidden`, `staff_only` or `starts` (until)."""

    reason: str
    until: datetime | None = None

    @property
    def label(self) -> str:
        """The staff's note on the block, e.g. "Releases Thu 1 Jan 2099, 09:00 UTC" (pages
        show `until` on the viewer's clock)."""
        if self.reason == "hidden":
            return _("Hidden from students")
        if self.reason == "staff_only":
            return _("Staff only")
        if self.until:
            return _("Releases %(when)s", when=human_time(self.until))
        return _("Not released yet")


@dataclass(frozen=True)
class Release:
    """What students may see of one published version at one moment."""

    now: datetime
    marks: Mapping[str, Mark]  # block id -> why it (and all inside it) is withheld
    withheld: frozenset[str]  # ids students cannot see now: marked blocks and their insides
    starts: tuple[datetime, ...]  # every future start time in the course, earliest first
    end: datetime | None = None

    @property
    def ended(self) -> bool:
        """The course's end has passed: still readable, no more submissions."""
        return self.end is not None and self.end <= self.now

    @property
    def next_start(self) -> datetime | None:
        return self.starts[0] if self.starts else None

    def student_sees(self, block_id: str) -> bool:
        return block_id not in self.withheld

    def sees(self, audience: str | None, block_id: str) -> bool:
        """Whether a reader of `audience` (`staff`, `student`) may see the block now."""
        return audience == STAFF or self.student_sees(block_id)


def instant(value: Any) -> datetime | None:
    """A stored date-time field as an aware datetime (None when empty or unreadable)."""
    if value in (None, ""):
        return None
    try:
        return parse_instant(value)
    except ValueError:
        return None


def own_mark(block_type: str, fields: Mapping[str, Any], now: datetime) -> Mark | None:
    """Why a block itself keeps students out now, ignoring the blocks above it."""
    if fields.get("staff_only"):
        return Mark("staff_only")
    if fields.get("hidden"):
        return Mark("hidden")
    start = instant(fields.get("start")) if block_type in DATED_TYPES else None
    if start is not None and start > now:
        return Mark("starts", start)
    return None


def start_times(structure: Structure) -> frozenset[datetime]:
    """Every start time written in a version (course, chapters, subsections), past or not."""
    return frozenset(start for block in structure.blocks.values()
                     if block.key.type in DATED_TYPES
                     and (start := instant(block.fields.get("start"))) is not None)


def release_of(structure: Structure, now: datetime) -> Release:
    """The release state of a published version at `now` (see the module docstring).

    The course root's own mark withholds everything inside it but not the root, so a
    student of a course not yet started still gets its (empty) outline and title.
    """
    marks: dict[str, Mark] = {}
    withheld: set[str] = set()
    starts: set[datetime] = set()

    def walk(key: BlockKey, hidden_above: bool) -> None:
        block = structure.blocks[key]
        mark = own_mark(key.type, block.fields, now)
        start = instant(block.fields.get("start")) if key.type in DATED_TYPES else None
        if start is not None and start > now:
            starts.add(start)
        if mark is not None:
            marks[key.id] = mark
        if hidden_above or (mark is not None and key != structure.root):
            withheld.add(key.id)
        for child in block.children:
            walk(child, hidden_above or mark is not None)

    walk(structure.root, False)
    root = structure.blocks[structure.root].fields
    return Release(now, marks, frozenset(withheld), tuple(sorted(starts)),
                   instant(root.get("end")))


def path_mark(structure: Structure, release: Release, key: BlockKey) -> Mark | None:
    """The mark that withholds `key` from students: its own, else its nearest ancestor's."""
    for at in (key, *structure.ancestors(key)):
        if at.id in release.marks:
            return release.marks[at.id]
    return None


def outline_for(outline: dict[str, Any], release: Release, audience: str | None
                ) -> dict[str, Any]:
    """The outline tree `{id, type, title, children}` as `audience` reads it: students'
    without what they may not see, staff's whole, each withheld block with a `release`
    note (`{reason, label, until?}`). The course's own start is no secret: a course not
    started yet has its note for everyone."""

    def node(item: dict[str, Any], root: bool = False) -> dict[str, Any]:
        out = {**item, "children": [node(child) for child in item["children"]
                                    if release.sees(audience, child["id"])]}
        mark = release.marks.get(item["id"])
        if mark is not None and (audience == STAFF or root):
            out["release"] = {"reason": mark.reason, "label": mark.label,
                              **({"until": mark.until.isoformat()} if mark.until else {})}
        return out

    return node(outline, root=True)
