"""Code grader throughput and sandbox overhead on this machine.

    python bench/code_grader_throughput.py [--submissions 40] [--concurrency 1,2,4,8]

Prints Markdown: (1) the cost of one run: a bare `python -c pass` against an
empty solution run through each available sandbox; (2) submissions per minute
for a small exercise (3 tests) with N runs in flight at once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grading.sandbox import (
    Isolation,
    RunLimits,
    Sandbox,
    SandboxUnavailable,
    detect_sandbox,
    run_code_tests,
)

EXERCISE_CODE = "def add(a, b):\n    return a + b\n"
EXERCISE_TESTS = (
    "from solution import add\n\n"
    "def test_ints():\n    assert add(2, 3) == 5\n\n"
    "def test_strings():\n    assert add('a', 'b') == 'ab'\n\n"
    "def test_floats():\n    assert abs(add(0.1, 0.2) - 0.3) < 1e-9\n"
)
EMPTY_TESTS = "def test_nothing():\n    pass\n"


async def time_bare_python(python: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(python, "-c", "pass")
        await proc.wait()
        times.append(time.perf_counter() - started)
    return times


async def time_empty_runs(sandbox: Sandbox, runs: int) -> list[float]:
    limits = RunLimits.for_exercise(5.0, 256, n_tests=1)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await sandbox.run("", EMPTY_TESTS, limits)
        times.append(time.perf_counter() - started)
    return times


async def throughput(base: Sandbox, concurrency: int, submissions: int) -> tuple[float, float]:
    sandbox = Sandbox(
        base.isolation, base.interpreter, bwrap=base.bwrap, max_concurrent=concurrency
    )
    latencies: list[float] = []

    async def submit() -> None:
        started = time.perf_counter()
        result = await run_code_tests(EXERCISE_CODE, EXERCISE_TESTS, sandbox=sandbox)
        assert result.points == result.max_points, result
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(submit() for _ in range(submissions)))
    elapsed = time.perf_counter() - started
    return submissions / elapsed * 60, statistics.median(latencies)


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f}"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40)
    parser.add_argument("--concurrency", default="1,2,4,8")
    parser.add_argument("--runs", type=int, default=20, help="runs for the overhead table")
    args = parser.parse_args()
    levels = [int(n) for n in args.concurrency.split(",")]

    sandboxes: list[Sandbox] = []
    for method in (Isolation.BUBBLEWRAP, Isolation.RLIMITS):
        try:
            sandboxes.append(await detect_sandbox((method,)))
        except SandboxUnavailable as exc:
            print(f"<!-- {method.value} unavailable: {exc} -->")
    if not sandboxes:
        raise SystemExit("no sandbox works on this machine")

    print(f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]} (host)\n")
    print("### Cost of one run (median of", args.runs, "sequential runs)\n")
    print("| what | median ms | overhead vs bare |")
    print("|---|---:|---:|")
    bare = await time_bare_python(sandboxes[0].interpreter.path, args.runs)
    print(f"| bare `{sandboxes[0].interpreter.path} -c pass` | {ms(bare)} | - |")
    for sandbox in sandboxes:
        runs = await time_empty_runs(sandbox, args.runs)
        overhead = (statistics.median(runs) - statistics.median(bare)) * 1000
        what = f"empty solution, 1 test, {sandbox.isolation.value}"
        print(f"| {what} | {ms(runs)} | +{overhead:.1f} |")

    print(f"\n### Throughput: {args.submissions} submissions of a 3-test exercise\n")
    print("| sandbox | concurrent runs | submissions/min | median ms to grade, queueing included |")
    print("|---|---:|---:|---:|")
    for sandbox in sandboxes:
        for level in levels:
            per_minute, latency = await throughput(sandbox, level, args.submissions)
            row = [sandbox.isolation.value, level, f"{per_minute:,.0f}", f"{latency * 1000:.0f}"]
            print("| " + " | ".join(map(str, row)) + " |")


if __name__ == "__main__":
    asyncio.run(main())
