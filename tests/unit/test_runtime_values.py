"""RuntimeValue: bound per context, seen by the tasks it starts, never changed under one."""

from __future__ import annotations

import asyncio

import pytest

from core.context import RuntimeValue, bind_all


def test_a_value_bound_in_a_context_is_seen_there_and_in_tasks_started_from_it():
    store, queue = RuntimeValue[str]("content store"), RuntimeValue[str]("queue")

    async def main() -> tuple[str | None, str | None, str | None]:
        bind_all({store: "mongo", queue: "q1"})
        seen = await asyncio.create_task(_read(store))
        queue.bind(None)
        return seen, store.peek(), queue.peek()

    async def _read(value: RuntimeValue[str]) -> str | None:
        return value.peek()

    assert asyncio.run(main()) == ("mongo", "mongo", None)
    assert store.peek() is None  # asyncio.run's context, not ours
    with pytest.raises(RuntimeError, match="No content store"):
        store.get()


def test_a_task_keeps_its_binding_when_its_parent_binds_again():
    store = RuntimeValue[str]("store")

    async def main() -> str | None:
        store.bind("first")
        started = asyncio.Event()
        release = asyncio.Event()

        async def child() -> str | None:
            started.set()
            await release.wait()
            return store.peek()

        task = asyncio.create_task(child())
        await started.wait()
        store.bind("second")  # a new mapping: the child's copy is untouched
        release.set()
        return await task

    assert asyncio.run(main()) == "first"
