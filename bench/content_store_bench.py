"""Course content figures: outline render, edit throughput, version growth, pruning.

    python bench/content_store_bench.py [--edits 1000] [--renders 300] [--backend both]

Prints Markdown. A course of ~500 blocks (4 chapters x 4 subsections x 6 units x 4
components + containers) is built with one bulk edit and published, then:

1. Published outline render (HTML, the course home's outline region): p50/p99, cold
   (structure and branch-pointer caches emptied before each render, so the course
   index and the structure are read from the database and the structure parsed) vs
   cached (structure in the in-process LRU, branch pointer in the index cache: no
   database call at all).
2. Edit throughput: N single-block updates through ContentStore.update_block (each is a
   new structure + definition + compare-and-swap on the index), alternating content
   edits (Markdown of an html block) and settings edits (a title), and how the stored
   structures and definitions grow.
3. What `coursewire prune-versions --keep 20` reclaims afterwards.

Backends: `mock` is mongomock-motor (memory only), `embedded` is the journaled
embedded store used by `coursewire demo` (every write appended to a file). No real
MongoDB runs on the benchmark box, so MongoDB figures are not given here; run with
MONGO_URL set to add them (backend `mongo`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bson

from content_store import ContentStore
from content_store.connect import STORE
from content_store.pruning import prune_versions
from courseware.events import outline_html
from courseware.queries import outline_of

COURSE = "course-v1:Bench+B500+2026"
SHAPE = (4, 4, 6, 4)  # chapters, subsections per chapter, units per subsection, components


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


async def open_backend(name: str, workdir: Path) -> tuple[Any, Any]:
    if name == "mock":
        from mongomock_motor import AsyncMongoMockClient

        return AsyncMongoMockClient()["bench"], None
    if name == "embedded":
        from content_store.embedded import open_embedded_database

        db = open_embedded_database(workdir / "content")
        return db, db.close
    from motor.motor_asyncio import AsyncIOMotorClient

    client: Any = AsyncIOMotorClient(os.environ["MONGO_URL"])
    name = f"cw_bench_{os.getpid()}"
    return client[name], lambda: (client.drop_database(name), client.close())


async def build_course(store: ContentStore) -> int:
    await store.create_course("Bench", "B500", "2026", "bench", title="Five hundred blocks")
    chapters, sequentials, units, components = SHAPE
    async with store.bulk_edit(COURSE, "bench") as edit:
        for c in range(chapters):
            ch = await edit.create_block("course", "chapter", {"title": f"Chapter {c + 1}"},
                                         block_id=f"ch{c}")
            for s in range(sequentials):
                seq = await edit.create_block(ch, "sequential", {"title": f"Lesson {c}.{s}"},
                                              block_id=f"s{c}-{s}")
                for u in range(units):
                    unit = await edit.create_block(seq, "vertical",
                                                   {"title": f"Unit {c}.{s}.{u}"},
                                                   block_id=f"u{c}-{s}-{u}")
                    for k in range(components):
                        await edit.create_block(unit, "html", {
                            "title": f"Part {k}",
                            "source": f"Some *Markdown* for part {k} of unit {c}.{s}.{u}. " * 8},
                            block_id=f"h{c}-{s}-{u}-{k}")
    await store.publish(COURSE, "bench")
    structure = await store.get_branch(COURSE, "published")
    return len(structure.blocks)


async def time_renders(store: ContentStore, n: int, cold: bool) -> list[float]:
    times = []
    html = ""
    for _ in range(n):
        if cold:
            store.structure_cache._items.clear()
            store.forget_index(COURSE)
        start = time.perf_counter()
        html = outline_html(COURSE, await outline_of(COURSE), oob=False)
        times.append((time.perf_counter() - start) * 1000)
    assert "Unit 3.3.5" in html
    return times


async def storage(store: ContentStore) -> tuple[int, int, int, int]:
    """(structures, bytes of structures, definitions, bytes of definitions)."""
    s_count = s_bytes = d_count = d_bytes = 0
    async for doc in store.structures.find({}):
        s_count += 1
        s_bytes += len(bson.encode(doc))
    async for doc in store.definitions.find({}):
        d_count += 1
        d_bytes += len(bson.encode(doc))
    return s_count, s_bytes, d_count, d_bytes


async def run_backend(name: str, edits: int, renders: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db, close = await open_backend(name, Path(tmp))
        try:
            store = ContentStore(db)
            await store.ensure_indexes()
            STORE.bind(store)
            blocks = await build_course(store)
            await time_renders(store, 20, cold=False)  # warm templates
            cold = await time_renders(store, renders, cold=True)
            cached = await time_renders(store, renders, cold=False)
            head = await store.get_branch(COURSE, "draft")
            one_structure = len(bson.encode(head.to_doc()))
            before = await storage(store)
            start = time.perf_counter()
            for i in range(edits):
                if i % 2 == 0:
                    await store.update_block(COURSE, f"h0-0-0-{i % 4}",
                                             {"source": f"Edit number {i}."}, "bench")
                else:
                    await store.update_block(COURSE, f"u1-1-{i % 6}",
                                             {"title": f"Unit renamed {i}"}, "bench")
            elapsed = time.perf_counter() - start
            after = await storage(store)
            dry = await prune_versions(store, COURSE, keep=20, dry_run=True,
                                       grace=timedelta(0))
            pruned = await prune_versions(store, COURSE, keep=20,
                                          grace=timedelta(0))
            assert dry.bytes_reclaimed == pruned.bytes_reclaimed
            final = await storage(store)
        finally:
            STORE.bind(None)
            if close:
                close()
    return {"backend": name, "blocks": blocks, "cold": cold, "cached": cached,
            "edits": edits, "elapsed": elapsed, "one_structure": one_structure,
            "before": before, "after": after, "pruned": pruned, "final": final}


def report(results: list[dict[str, Any]]) -> str:
    first = results[0]
    lines = [
        f"Course: {first['blocks']} blocks ({' x '.join(map(str, SHAPE))} "
        "chapters x subsections x units x html components, plus containers); "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs.",
        "",
        "**Published outline render (HTML region of the course home)**, milliseconds:",
        "",
        "| backend | structure | p50 | p99 | mean |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        for label, key in (("cold (read + parse)", "cold"), ("cached (LRU)", "cached")):
            t = r[key]
            lines.append(f"| {r['backend']} | {label} | {percentile(t, 50):.2f} | "
                         f"{percentile(t, 99):.2f} | {statistics.fmean(t):.2f} |")
    lines += ["", f"**Edit throughput and growth over {first['edits']:,} single-block edits** "
              "(half content, half title):", "",
              "| backend | edits/s | one structure | structures before -> after | "
              "definitions before -> after |", "|---|---:|---:|---|---|"]
    for r in results:
        sb, sa = r["before"], r["after"]
        lines.append(
            f"| {r['backend']} | {r['edits'] / r['elapsed']:,.0f} | "
            f"{r['one_structure'] / 1024:,.0f} KiB | {sb[0]:,} ({sb[1] / 2**20:.1f} MiB) -> "
            f"{sa[0]:,} ({sa[1] / 2**20:.1f} MiB) | {sb[2]:,} ({sb[3] / 2**20:.2f} MiB) -> "
            f"{sa[2]:,} ({sa[3] / 2**20:.2f} MiB) |")
    lines += ["", "**`prune-versions --keep 20`** afterwards:", "",
              "| backend | structures deleted | definitions deleted | reclaimed | left |",
              "|---|---:|---:|---:|---|"]
    for r in results:
        p, f = r["pruned"], r["final"]
        lines.append(f"| {r['backend']} | {p.structures_deleted:,} | "
                     f"{p.definitions_deleted:,} | {p.bytes_reclaimed / 2**20:.1f} MiB | "
                     f"{f[0]:,} structures ({f[1] / 2**20:.1f} MiB), "
                     f"{f[2]:,} definitions |")
    return "\n".join(lines)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--renders", type=int, default=300)
    parser.add_argument("--backend", default="both",
                        choices=["mock", "embedded", "mongo", "both"])
    args = parser.parse_args()
    names = ["mock", "embedded"] if args.backend == "both" else [args.backend]
    if args.backend == "both" and os.environ.get("MONGO_URL"):
        names.append("mongo")
    results = [await run_backend(n, args.edits, args.renders) for n in names]
    print(report(results))


if __name__ == "__main__":
    asyncio.run(main())
