"""Course files (images, PDFs, data files) stored in MongoDB beside the course content.

Why a plain collection of binary documents and not GridFS: mongomock-motor only runs
motor's GridFS behind a context manager that monkeypatches pymongo's gridfs module for
the whole process, and the embedded database's journal (content_store.embedded) wraps
collections, which GridFS bypasses, so embedded assets would vanish on restart. One
document per file works the same on MongoDB and embedded; the size limit keeps each
document well under MongoDB's 16 MB document limit.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.errors import BadInput, NotFound, TooLarge
from content_store.structure import now_utc, utc

MAX_ASSET_BYTES = 10 * 1024 * 1024
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
# Types a browser may show inline from our origin. Anything else (HTML, SVG, JS...) could
# run script as the course site, so it is served as a download.
INLINE_TYPES = {
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "application/pdf",
    "text/plain", "text/csv", "audio/mpeg", "audio/ogg", "audio/wav", "video/mp4",
    "video/webm", "application/json",
}


@dataclass(frozen=True)
class Asset:
    course_id: str
    name: str
    content_type: str
    size: int
    uploaded_by: int | str | None
    uploaded_on: datetime

    @property
    def inline(self) -> bool:
        return self.content_type in INLINE_TYPES


def clean_asset_name(filename: object) -> str:
    """A safe, URL-friendly file name: the last path part with only [A-Za-z0-9_.-]."""
    if not isinstance(filename, str) or not filename.strip():
        raise BadInput("Choose a file to upload.", fields={"file": "Required."})
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", base).strip("-.")[:100]
    if not _NAME.match(name):
        raise BadInput("Name the file with letters, digits, '_', '.' or '-'.",
                       fields={"file": "Unusable file name."})
    return name


def guess_type(name: str, declared: str | None) -> str:
    """The type from the extension (what we serve is then predictable), else the upload's."""
    guessed, _ = mimetypes.guess_type(name)
    if guessed:
        return guessed
    if declared and re.match(r"^[a-z]+/[a-z0-9.+-]+$", declared):
        return declared
    return "application/octet-stream"


class CourseAssets:
    """The `content_assets` collection: one document per (course, file name)."""

    def __init__(self, db: Any, max_bytes: int = MAX_ASSET_BYTES) -> None:
        self.collection = db["content_assets"]
        self.max_bytes = max_bytes

    async def ensure_indexes(self) -> None:
        await self.collection.create_index([("course_id", 1), ("name", 1)], unique=True,
                                           name="course_file")

    async def save(self, course_id: str, filename: object, data: bytes,
                   declared_type: str | None, uploaded_by: int | str | None) -> Asset:
        """Store (or replace) a file; TooLarge past the limit."""
        name = clean_asset_name(filename)
        if len(data) > self.max_bytes:
            raise TooLarge(f"Files are limited to {self.max_bytes // (1024 * 1024)} MB.",
                           fields={"file": f"{len(data):,} bytes is too large."})
        doc = {"course_id": course_id, "name": name,
               "content_type": guess_type(name, declared_type), "size": len(data),
               "data": data, "uploaded_by": uploaded_by, "uploaded_on": now_utc()}
        await self.collection.replace_one({"course_id": course_id, "name": name},
                                          doc, upsert=True)
        return _asset(doc)

    async def list(self, course_id: str) -> list[Asset]:
        cursor = self.collection.find({"course_id": course_id}, {"data": 0}).sort("name", 1)
        return [_asset(doc) async for doc in cursor]

    async def read(self, course_id: str, name: str) -> tuple[Asset, bytes]:
        doc = await self.collection.find_one({"course_id": course_id, "name": name})
        if doc is None:
            raise NotFound(f"No file {name!r} in this course.")
        return _asset(doc), bytes(doc["data"])

    async def delete(self, course_id: str, name: str) -> None:
        result = await self.collection.delete_one({"course_id": course_id, "name": name})
        if not result.deleted_count:
            raise NotFound(f"No file {name!r} in this course.")


def _asset(doc: dict[str, Any]) -> Asset:
    return Asset(course_id=doc["course_id"], name=doc["name"], content_type=doc["content_type"],
                 size=doc["size"], uploaded_by=doc.get("uploaded_by"),
                 uploaded_on=utc(doc["uploaded_on"]))  # type: ignore[arg-type]
