"""An embedded, persistent stand-in for MongoDB: mongomock-motor plus a journal on disk.

For ``coursewire demo`` and quick starts on a machine without MongoDB. mongomock keeps
everything in memory, so this wraps its database at the wiring level: every write is
followed by appending the affected documents' new state (or their deletion) to
``<data_dir>/<collection>.jsonl``; opening replays the journals into a fresh mock and
compacts them. ContentStore cannot tell the difference, and has no embedded branches.

It suits content_store's write pattern well: structures and definitions are
append-only and the course index is small. Limits, by design: one process at a time
(a lock file enforces it), and ``bulk_write`` is not journaled, so it is refused.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import Any, TextIO

from bson import json_util
from bson.json_util import JSONMode, JSONOptions
from mongomock_motor import AsyncMongoMockClient

_JSON = JSONOptions(json_mode=JSONMode.CANONICAL, tz_aware=True)
_FILTERED_WRITES = {
    "update_one", "update_many", "replace_one", "delete_one", "delete_many",
    "find_one_and_update", "find_one_and_replace", "find_one_and_delete",
}


class Journal:
    """Append-only record of one collection's document states."""

    def __init__(self, path: Path, fsync: bool) -> None:
        self.path = path
        self.fsync = fsync
        self._file: TextIO | None = None

    def load(self) -> tuple[dict[Any, dict[str, Any]], list[dict[str, Any]]]:
        """Replay the journal: (documents by _id, index specs)."""
        docs: dict[Any, dict[str, Any]] = {}
        indexes: list[dict[str, Any]] = []
        if not self.path.exists():
            return docs, indexes
        lines = self.path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            try:
                entry = json_util.loads(line, json_options=_JSON)
            except ValueError:
                if number == len(lines):
                    break  # a write cut short by a crash; everything before it is intact
                raise
            op = entry["op"]
            if op == "put":
                docs[entry["doc"]["_id"]] = entry["doc"]
            elif op == "del":
                docs.pop(entry["_id"], None)
            elif op == "drop":
                docs.clear()
                indexes.clear()
            elif op == "index" and entry not in indexes:
                indexes.append(entry)
        return docs, indexes

    def compact(self, docs: dict[Any, dict[str, Any]], indexes: list[dict[str, Any]]) -> None:
        """Rewrite the journal as just the current state, atomically."""
        tmp = self.path.with_suffix(".jsonl.tmp")
        with _open_private(tmp, os.O_TRUNC) as out:
            for spec in indexes:
                out.write(json_util.dumps(spec, json_options=_JSON) + "\n")
            for doc in docs.values():
                out.write(json_util.dumps({"op": "put", "doc": doc}, json_options=_JSON) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)

    def append(self, entry: dict[str, Any]) -> None:
        if self._file is None:
            self._file = _open_private(self.path, os.O_APPEND)
        self._file.write(json_util.dumps(entry, json_options=_JSON) + "\n")
        self._file.flush()
        if self.fsync:
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class JournaledCollection:
    """A motor-style collection that journals the documents each write touched.

    mongomock-motor's calls never suspend, so a write and the reads that find what it
    touched run without another coroutine interleaving.
    """

    def __init__(self, inner: Any, journal: Journal) -> None:
        self._inner = inner
        self._journal = journal

    def __getattr__(self, name: str) -> Any:
        if name in _FILTERED_WRITES:
            return lambda *args, **kwargs: self._filtered_write(name, *args, **kwargs)
        if name == "bulk_write":
            raise NotImplementedError("bulk_write is not journaled by the embedded database")
        return getattr(self._inner, name)

    async def insert_one(self, document: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        result = await self._inner.insert_one(document, *args, **kwargs)
        await self._record([result.inserted_id])
        return result

    async def insert_many(self, documents: list[dict[str, Any]], *args: Any,
                          **kwargs: Any) -> Any:
        result = await self._inner.insert_many(documents, *args, **kwargs)
        await self._record(result.inserted_ids)
        return result

    async def create_index(self, keys: Any, **options: Any) -> Any:
        name = await self._inner.create_index(keys, **options)
        spec = [list(k) for k in keys] if isinstance(keys, list) else [[keys, 1]]
        self._journal.append({"op": "index", "keys": spec, "options": options})
        return name

    async def drop(self) -> None:
        await self._inner.drop()
        self._journal.append({"op": "drop"})

    async def _filtered_write(self, name: str, filter: dict[str, Any], *args: Any,
                              **kwargs: Any) -> Any:
        touched = [d["_id"] async for d in self._inner.find(filter, {"_id": 1})]
        result = await getattr(self._inner, name)(filter, *args, **kwargs)
        upserted = getattr(result, "upserted_id", None)
        if upserted is not None:
            touched.append(upserted)
        if isinstance(result, dict) and "_id" in result:
            touched.append(result["_id"])  # find_one_and_* with upsert
        await self._record(touched)
        return result

    async def _record(self, ids: list[Any]) -> None:
        for _id in dict.fromkeys(ids):
            doc = await self._inner.find_one({"_id": _id})
            self._journal.append({"op": "put", "doc": doc} if doc is not None
                                 else {"op": "del", "_id": _id})


class JournaledDatabase:
    """A motor-style database whose collections persist to ``data_dir``."""

    def __init__(self, inner: Any, data_dir: Path, *, fsync: bool = False) -> None:
        self.inner = inner
        self.data_dir = data_dir
        self.fsync = fsync
        self._collections: dict[str, JournaledCollection] = {}
        self._journals: dict[str, Journal] = {}
        self._lock: TextIO | None = None

    def __getitem__(self, name: str) -> JournaledCollection:
        return self.get_collection(name)

    def get_collection(self, name: str) -> JournaledCollection:
        if name not in self._collections:
            if not name.replace("_", "").replace(".", "").isalnum():
                raise ValueError(f"collection name {name!r} cannot be used as a file name")
            self._collections[name] = JournaledCollection(self.inner[name], self._journal(name))
        return self._collections[name]

    def _journal(self, name: str) -> Journal:
        if name not in self._journals:
            self._journals[name] = Journal(self.data_dir / f"{name}.jsonl", self.fsync)
        return self._journals[name]

    def close(self) -> None:
        """Close the journals and release the data directory for another process."""
        for journal in self._journals.values():
            journal.close()
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None


def _open_private(path: Path, flags: int) -> TextIO:
    """Open for writing, creating the file 0600: course content holds hidden tests."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | flags, 0o600)
    return os.fdopen(fd, "w", encoding="utf-8")


def open_embedded_database(data_dir: str | os.PathLike[str], name: str = "coursewire", *,
                           fsync: bool = False) -> JournaledDatabase:
    """Open (creating if needed) a persistent embedded database in ``data_dir``.

    ``fsync=True`` makes each write durable against power loss, at a cost per write.
    Call ``close()`` on shutdown. Raises RuntimeError if another process has it open.
    """
    directory = Path(data_dir)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = _open_private(directory / "LOCK", os.O_TRUNC)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise RuntimeError(f"{directory} is already open by another Coursewire process; "
                           "stop it first or use a different data directory.") from None
    db = JournaledDatabase(AsyncMongoMockClient()[name], directory, fsync=fsync)
    db._lock = lock
    mock = db.inner.delegate  # the synchronous mongomock database, for the initial load
    for path in sorted(directory.glob("*.jsonl")):
        journal = db._journal(path.stem)
        docs, indexes = journal.load()
        for spec in indexes:
            mock[path.stem].create_index([tuple(k) for k in spec["keys"]], **spec["options"])
        if docs:
            mock[path.stem].insert_many(list(docs.values()))
        journal.compact(docs, indexes)
    return db
