"""Fixtures for content_store tests.

``content_db`` is a fresh mongomock-motor database, or a real MongoDB database (dropped
afterwards) when MONGO_URL is set, so the same tests check the code against a server.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from mongomock_motor import AsyncMongoMockClient

from content_store import ContentStore

_ASYNC_METHODS = {
    "find_one", "insert_one", "insert_many", "update_one", "update_many", "delete_one",
    "delete_many", "replace_one", "find_one_and_update", "find_one_and_replace",
    "find_one_and_delete", "count_documents", "create_index", "bulk_write", "distinct",
}
_CURSOR_METHODS = {"find", "aggregate"}


class SpyCollection:
    """Delegates to a motor collection, recording each call; optionally yields to the
    event loop first so concurrent coroutines really interleave (mongomock never would),
    and optionally holds one kind of call at a barrier until every racer has reached it
    (a real server answers in its own time, so yielding alone does not force a race)."""

    def __init__(self, inner: Any, name: str, spy: SpyDatabase) -> None:
        self._inner, self._name, self._spy = inner, name, spy

    def __getattr__(self, attr: str) -> Any:
        target = getattr(self._inner, attr)
        if attr in _ASYNC_METHODS:
            async def call(*args: Any, **kwargs: Any) -> Any:
                self._spy.calls.append((self._name, attr))
                if self._spy.interleave:
                    await asyncio.sleep(0)
                gate = self._spy.gate
                if gate is not None and gate[0] == (self._name, attr):
                    await asyncio.wait_for(gate[1].wait(), timeout=10)
                return await target(*args, **kwargs)
            return call
        if attr in _CURSOR_METHODS:
            def cursor(*args: Any, **kwargs: Any) -> Any:
                self._spy.calls.append((self._name, attr))
                return target(*args, **kwargs)
            return cursor
        return target


class SpyDatabase:
    """``hold=(collection, method, parties)``: the first ``parties`` such calls wait for
    each other, e.g. two writers both reach their compare-and-swap before either runs it."""

    def __init__(self, inner: Any, *, interleave: bool = False,
                 hold: tuple[str, str, int] | None = None) -> None:
        self.inner = inner
        self.calls: list[tuple[str, str]] = []
        self.interleave = interleave
        self.gate = None if hold is None else ((hold[0], hold[1]), asyncio.Barrier(hold[2]))

    def __getitem__(self, name: str) -> SpyCollection:
        return SpyCollection(self.inner[name], name, self)


@pytest.fixture
async def new_database() -> AsyncIterator[Callable[[], Any]]:
    """Factory for fresh, uniquely named databases (real ones are dropped afterwards)."""
    url = os.environ.get("MONGO_URL")
    made: list[str] = []
    if url:
        from motor.motor_asyncio import AsyncIOMotorClient

        client: Any = AsyncIOMotorClient(url)
    else:
        client = AsyncMongoMockClient()

    def make() -> Any:
        made.append(f"cw_content_{uuid.uuid4().hex[:12]}")
        return client[made[-1]]

    yield make
    if url:
        for name in made:
            await client.drop_database(name)
        client.close()


@pytest.fixture
async def content_db(new_database: Callable[[], Any]) -> Any:
    return new_database()


@pytest.fixture
async def store(content_db: Any) -> ContentStore:
    store = ContentStore(content_db)
    await store.ensure_indexes()
    return store


@pytest.fixture
def spy_store(content_db: Any) -> Callable[..., tuple[ContentStore, SpyDatabase]]:
    """Factory: a ContentStore over a SpyDatabase wrapping ``content_db``."""
    def make(**kwargs: Any) -> tuple[ContentStore, SpyDatabase]:
        spy = SpyDatabase(content_db, interleave=kwargs.pop("interleave", False),
                          hold=kwargs.pop("hold", None))
        return ContentStore(spy, **kwargs), spy
    return make


async def build_small_course(store: ContentStore, run: str = "2026") -> str:
    """Course -> chapter ch1 -> sequential s1 -> units u1 (html, problem) and u2 (html)."""
    index = await store.create_course("Coursewire", "T101", run, "alice", title="Testing")
    async with store.bulk_edit(index.course_id, "alice") as edit:
        await edit.create_block("course", "chapter", {"title": "Week 1"}, block_id="ch1")
        await edit.create_block("ch1", "sequential", {"title": "Basics"}, block_id="s1")
        await edit.create_block("s1", "vertical", {"title": "Unit one"}, block_id="u1")
        await edit.create_block("u1", "html", {"source": "Hello *there*"}, block_id="intro")
        await edit.create_block("u1", "problem", {
            "title": "Sum", "kind": "numeric", "prompt": "What is 2 + 2?",
            "answer": {"value": 4}}, block_id="sum")
        await edit.create_block("s1", "vertical", {"title": "Unit two"}, block_id="u2")
        await edit.create_block("u2", "html", {"source": "More text"}, block_id="more")
    return index.course_id


@pytest.fixture
def make_course() -> Callable[..., Any]:
    """``await make_course(store, run=...)`` builds the small course on any store."""
    return build_small_course


@pytest.fixture
async def course_id(store: ContentStore) -> str:
    return await build_small_course(store)
