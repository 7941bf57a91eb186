"""Plain results the content store returns instead of raw MongoDB documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from content_store.keys import BlockKey, format_course_id
from content_store.structure import UserRef, utc

DRAFT = "draft"
PUBLISHED = "published"
BRANCHES = (DRAFT, PUBLISHED)


@dataclass(frozen=True)
class CourseIndex:
    """A course's identity and where its branches point."""

    course_id: str
    org: str
    number: str
    run: str
    draft_version: str
    published_version: str | None
    edited_by: UserRef
    edited_on: datetime
    last_update: datetime

    def version(self, branch: str) -> str | None:
        return self.draft_version if branch == DRAFT else self.published_version

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> CourseIndex:
        published = doc["versions"].get(PUBLISHED)
        return cls(course_id=format_course_id(doc["org"], doc["number"], doc["run"]),
                   org=doc["org"], number=doc["number"], run=doc["run"],
                   draft_version=str(doc["versions"][DRAFT]),
                   published_version=str(published) if published else None,
                   edited_by=doc.get("edited_by"),
                   edited_on=utc(doc["edited_on"]),  # type: ignore[arg-type]
                   last_update=utc(doc["last_update"]))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Commit:
    """The outcome of a write: the branch's new version (unchanged if nothing changed)."""

    course_id: str
    branch: str
    version: str
    previous_version: str | None
    changed: bool = True
    block: BlockKey | None = None  # the block a create_block made


@dataclass(frozen=True)
class BlockView:
    """A block as the app sees it: settings and content fields merged, defaults applied."""

    id: str
    type: str
    fields: dict[str, Any]
    children: list[str]
    definition_id: str
    edited_by: UserRef
    edited_on: datetime
    version: str  # the structure version this was read from

    @property
    def key(self) -> BlockKey:
        return BlockKey(self.type, self.id)

    @property
    def title(self) -> str:
        return str(self.fields.get("title") or "")
