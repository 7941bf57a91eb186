"""Files in GridFS's storage format, written and read through ordinary motor collections.

A bucket is two collections, as the GridFS spec lays them out: ``<bucket>.files`` (one
document per file revision: ``_id``, ``length``, ``chunkSize``, ``uploadDate``,
``filename``, ``metadata``) and ``<bucket>.chunks`` (``files_id``, ``n``, ``data``), so
any GridFS driver (motor's ``AsyncIOMotorGridFSBucket``, ``mongofiles``) reads what this
writes, and the other way round.

Why not motor's GridFS bucket itself: it talks to pymongo collections directly, which
bypasses the embedded database's journal (content_store.embedded), so files written in
embedded mode would vanish on restart, and mongomock-motor only runs it behind a
process-wide monkeypatch of pymongo. Writing the spec's documents through the same
collections everything else uses gives one code path on MongoDB and embedded alike; a
test reads an upload back through ``AsyncIOMotorGridFSBucket`` on a real server.

Writes are ordered so a failure never loses the previous revision: chunks first, then
the files document (only now is the revision visible), and only then are older
revisions deleted (files document first, then its chunks). An upload cut short leaves
at most orphaned chunks, which no reader sees.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from bson import ObjectId

from content_store.structure import now_utc
from core.errors import TooLarge
from core.i18n import gettext as _

CHUNK_SIZE = 255 * 1024  # the GridFS drivers' default


class AsyncReader(Protocol):
    """What an upload is read from: Starlette's UploadFile, or `BytesReader`."""

    async def read(self, size: int = -1) -> bytes: ...


class BytesReader:
    """Bytes already in memory, read like an upload."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self._at = 0

    async def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._at + size
        piece = bytes(self._data[self._at:end])
        self._at += len(piece)
        return piece


class CorruptFile(RuntimeError):
    """A file's chunks do not add up to its length (a server-side fault, not a user's)."""


class GridFSFiles:
    """One GridFS bucket (``<name>.files`` and ``<name>.chunks``) in a motor database."""

    def __init__(self, db: Any, name: str, chunk_size: int = CHUNK_SIZE) -> None:
        self.files = db[f"{name}.files"]
        self.chunks = db[f"{name}.chunks"]
        self.chunk_size = chunk_size

    async def ensure_indexes(self) -> None:
        """The indexes the GridFS spec requires, under the names drivers give them (so a
        driver's own index check finds them). Idempotent."""
        await self.chunks.create_index([("files_id", 1), ("n", 1)], unique=True)
        await self.files.create_index([("filename", 1), ("uploadDate", 1)])

    async def upload(self, filename: str, source: AsyncReader, metadata: Mapping[str, Any],
                     *, max_bytes: int) -> dict[str, Any]:
        """Store a new revision of ``filename``; its files document once it is complete.

        Reads ``source`` one chunk at a time. TooLarge (and nothing stored) past
        ``max_bytes``; on any failure the chunks written so far are removed.
        """
        file_id = ObjectId()
        length = n = 0
        try:
            while piece := await _read_exactly(source, self.chunk_size):
                length += len(piece)
                if length > max_bytes:
                    raise TooLarge(_("Files are limited to %(limit)s; this one is larger.",
                                     limit=_megabytes(max_bytes)),
                                   fields={"file": _("Larger than %(limit)s bytes.",
                                                     limit=format(max_bytes, ","))})
                await self.chunks.insert_one({"files_id": file_id, "n": n, "data": piece})
                n += 1
            doc = {"_id": file_id, "length": length, "chunkSize": self.chunk_size,
                   "uploadDate": now_utc(), "filename": filename, "metadata": dict(metadata)}
            await self.files.insert_one(doc)
        except BaseException:
            await self.chunks.delete_many({"files_id": file_id})
            raise
        return doc

    async def revisions(self, query: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Files documents matching ``query``, newest revision first."""
        cursor = self.files.find(dict(query)).sort([("uploadDate", -1), ("_id", -1)])
        return [doc async for doc in cursor]

    async def newest(self, query: Mapping[str, Any]) -> dict[str, Any] | None:
        found = await self.revisions(query)
        return found[0] if found else None

    async def delete_older(self, doc: Mapping[str, Any], query: Mapping[str, Any]) -> None:
        """Delete the revisions matching ``query`` that are older than ``doc``."""
        revisions = await self.revisions(query)
        ids = [r["_id"] for r in revisions]
        if doc["_id"] in ids:
            for older in ids[ids.index(doc["_id"]) + 1:]:
                await self.delete(older)

    async def delete(self, file_id: ObjectId) -> bool:
        """Remove one revision: its files document (it disappears), then its chunks."""
        result = await self.files.delete_one({"_id": file_id})
        await self.chunks.delete_many({"files_id": file_id})
        return bool(result.deleted_count)

    async def stream(self, doc: Mapping[str, Any]) -> AsyncIterator[bytes]:
        """A revision's bytes, one chunk at a time (one chunk in memory at once).

        Raises CorruptFile if a chunk is missing or the wrong size, e.g. because the
        revision was replaced and deleted mid-download.
        """
        length, chunk_size = doc["length"], doc["chunkSize"]
        count = -(-length // chunk_size)
        for n in range(count):
            chunk = await self.chunks.find_one({"files_id": doc["_id"], "n": n})
            expected = chunk_size if n < count - 1 else length - chunk_size * (count - 1)
            if chunk is None or len(chunk["data"]) != expected:
                raise CorruptFile(f"GridFS file {doc['_id']}: chunk {n} missing or "
                                  "the wrong size.")
            yield bytes(chunk["data"])


async def _read_exactly(source: AsyncReader, size: int) -> bytes:
    """Up to ``size`` bytes: fewer only at the end (uploads may return short reads)."""
    parts: list[bytes] = []
    wanted = size
    while wanted:
        piece = await source.read(wanted)
        if not piece:
            break
        parts.append(piece)
        wanted -= len(piece)
    return b"".join(parts)


def _megabytes(size: int) -> str:
    mb = size / (1024 * 1024)
    return (_("%(size)s MB", size=format(mb, "g")) if mb >= 1
            else _("%(size)s bytes", size=format(size, ",")))

