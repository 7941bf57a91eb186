"""Code grader throughput and sandbox overhead on this machine.

    python bench/code_grader_throughput.py [--submissions 40] [--concurrency 1,2,4,8]

Prints Markdown: (1) the cost of one run: a bare `python -c pass`, the same empty
solution + test run in a plain subprocess (no sandbox, no limits), and through each
available sandbox; (2) submissions per minute for a small exercise (3 tests) with N runs
in flight at once, through each sandbox and, as the baseline measured in the same run,
in a plain subprocess; ratio = sandbox / plain (the sandbox's cost).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grading.sandbox import (
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


# The baseline: the same tests against the same solution.py, run by a minimal harness in a
# plain subprocess: no bubblewrap, no rlimits, no throwaway user, no report pipe.
PLAIN_HARNESS = """
import sys
sys.path.insert(0, ".")
ns = {}
exec(compile(sys.stdin.read(), "<tests>", "exec"), ns)
failed = 0
for name, fn in list(ns.items()):
    if name.startswith("test_") and callable(fn):
        try:
            fn()
        except Exception:
            failed += 1
sys.exit(1 if failed else 0)
"""


async def plain_run(python: str, code: str, tests: str) -> int:
    with tempfile.TemporaryDirectory(prefix="cw-plain-") as work:
        # Synchronous like the sandbox's own layout of the run directory.
        Path(work, "solution.py").write_text(code)  # noqa: ASYNC240
        proc = await asyncio.create_subprocess_exec(
            python, "-c", PLAIN_HARNESS, cwd=work, stdin=asyncio.subprocess.PIPE)
        await proc.communicate(tests.encode())
        return proc.returncode or 0


async def time_plain_runs(python: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        assert await plain_run(python, "", EMPTY_TESTS) == 0
        times.append(time.perf_counter() - started)
    return times


async def plain_throughput(python: str, concurrency: int,
                           submissions: int) -> tuple[float, float]:
    slots = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def submit() -> None:
        started = time.perf_counter()
        async with slots:
            assert await plain_run(python, EXERCISE_CODE, EXERCISE_TESTS) == 0
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(submit() for _ in range(submissions)))
    elapsed = time.perf_counter() - started
    return submissions / elapsed * 60, statistics.median(latencies)


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

    try:  # bubblewrap only: code is never run under rlimits alone
        sandboxes: list[Sandbox] = [await detect_sandbox()]
    except SandboxUnavailable as exc:
        raise SystemExit(f"no sandbox works on this machine: {exc}") from None

    python = sandboxes[0].interpreter.path
    print(f"Machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]} (host), "
          f"load average at start {os.getloadavg()[0]:.2f}\n")
    print("### Cost of one run (median of", args.runs, "sequential runs)\n")
    print("| what | median ms | overhead vs plain | ratio to plain |")
    print("|---|---:|---:|---:|")
    bare = await time_bare_python(python, args.runs)
    print(f"| bare `{python} -c pass` | {ms(bare)} | - | - |")
    plain = await time_plain_runs(python, args.runs)
    print(f"| empty solution, 1 test, plain subprocess (baseline) | {ms(plain)} | - | 1.00 |")
    for sandbox in sandboxes:
        runs = await time_empty_runs(sandbox, args.runs)
        overhead = (statistics.median(runs) - statistics.median(plain)) * 1000
        ratio = statistics.median(runs) / statistics.median(plain)
        what = f"empty solution, 1 test, {sandbox.isolation.value}"
        print(f"| {what} | {ms(runs)} | +{overhead:.1f} | {ratio:.2f} |")

    print(f"\n### Throughput: {args.submissions} submissions of a 3-test exercise\n")
    print("| runner | concurrent runs | submissions/min | median ms to grade, queueing "
          "included | ratio to plain (throughput) |")
    print("|---|---:|---:|---:|---:|")
    baseline: dict[int, float] = {}
    for level in levels:
        per_minute, latency = await plain_throughput(python, level, args.submissions)
        baseline[level] = per_minute
        print(f"| plain subprocess (baseline) | {level} | {per_minute:,.0f} | "
              f"{latency * 1000:.0f} | 1.00 |")
    for sandbox in sandboxes:
        for level in levels:
            per_minute, latency = await throughput(sandbox, level, args.submissions)
            row = [sandbox.isolation.value, level, f"{per_minute:,.0f}",
                   f"{latency * 1000:.0f}", f"{per_minute / baseline[level]:.2f}"]
            print("| " + " | ".join(map(str, row)) + " |")
    print(f"\nLoad average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
