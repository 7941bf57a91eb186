"""Course files (images, PDFs, data files), kept in GridFS beside the course content.

Every course shares the `course_assets` bucket: a file's GridFS `filename` is its name in
the course and `metadata` holds `course_id`, `content_type` and `uploaded_by`. Uploading a
name again adds a new revision and then deletes the older ones, so readers always get the
newest complete file (content_store.gridfs_files explains the storage and its ordering).
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from content_store.gridfs_files import AsyncReader, GridFSFiles
from content_store.structure import utc
from core.errors import BadInput, NotFound
from core.i18n import gettext as _

MAX_ASSET_BYTES = 10 * 1024 * 1024
BUCKET = "course_assets"
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
        raise BadInput(_("Choose a file to upload."), fields={"file": _("Required.")})
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", base).strip("-.")[:100]
    if not _NAME.match(name):
        raise BadInput(_("Name the file with letters, digits, '_', '.' or '-'."),
                       fields={"file": _("Unusable file name.")})
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
    """A course's files in the `course_assets` GridFS bucket."""

    def __init__(self, db: Any, max_bytes: int = MAX_ASSET_BYTES) -> None:
        self.bucket = GridFSFiles(db, BUCKET)
        self.max_bytes = max_bytes

    async def ensure_indexes(self) -> None:
        """GridFS's own indexes, and one to list and find a course's files. Idempotent."""
        await self.bucket.ensure_indexes()
        await self.bucket.files.create_index(
            [("metadata.course_id", 1), ("filename", 1), ("uploadDate", -1)])

    async def save(self, course_id: str, filename: object, source: AsyncReader,
                   declared_type: str | None, uploaded_by: int | str | None) -> Asset:
        """Store a file, replacing any of the same name once it is complete; TooLarge
        (and the old file kept) past the size limit."""
        name = clean_asset_name(filename)
        metadata = {"course_id": course_id, "content_type": guess_type(name, declared_type),
                    "uploaded_by": uploaded_by}
        doc = await self.bucket.upload(name, source, metadata, max_bytes=self.max_bytes)
        await self.bucket.delete_older(doc, _named(course_id, name))
        return _asset(doc)

    async def list(self, course_id: str) -> list[Asset]:
        """The newest revision of each of the course's files, by name."""
        cursor = self.bucket.files.find({"metadata.course_id": course_id}).sort(
            [("filename", 1), ("uploadDate", -1), ("_id", -1)])
        newest: dict[str, Asset] = {}
        async for doc in cursor:
            newest.setdefault(doc["filename"], _asset(doc))
        return list(newest.values())

    async def open(self, course_id: str, name: str) -> tuple[Asset, AsyncIterator[bytes]]:
        """A file and its bytes as a stream of chunks; NotFound if there is no such file."""
        doc = await self.bucket.newest(_named(course_id, name))
        if doc is None:
            raise NotFound(_("No file %(name)r in this course.", name=name))
        return _asset(doc), self.bucket.stream(doc)

    async def delete(self, course_id: str, name: str) -> None:
        """Delete a file (every revision of it); NotFound if there is none."""
        revisions = await self.bucket.revisions(_named(course_id, name))
        if not revisions:
            raise NotFound(_("No file %(name)r in this course.", name=name))
        for doc in revisions:
            await self.bucket.delete(doc["_id"])


def _named(course_id: str, name: str) -> dict[str, str]:
    return {"filename": name, "metadata.course_id": course_id}


def _asset(doc: dict[str, Any]) -> Asset:
    meta = doc["metadata"]
    return Asset(course_id=meta["course_id"], name=doc["filename"],
                 content_type=meta["content_type"], size=doc["length"],
                 uploaded_by=meta.get("uploaded_by"),
                 uploaded_on=utc(doc["uploadDate"]))  # type: ignore[arg-type]
