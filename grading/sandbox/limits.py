"""The resource limits of one sandboxed run, derived from an exercise's settings."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Interpreter start-up plus bubblewrap set-up; generous because a loaded worker is slow.
STARTUP_GRACE_S = 1.5
# Hard ceiling on one run's wall time, however many tests an exercise has.
MAX_WALL_S = 120.0


@dataclass(frozen=True)
class RunLimits:
    """Limits for one run. Each test (and loading the solution) gets `test_timeout_s`."""

    test_timeout_s: float
    wall_s: float
    cpu_s: int
    memory_mb: int
    output_bytes: int = 1024 * 1024
    report_bytes: int = 1024 * 1024
    max_processes: int = 32
    file_bytes: int = 16 * 1024 * 1024
    open_files: int = 256
    tmpfs_bytes: int = 32 * 1024 * 1024

    @classmethod
    def for_exercise(cls, time_limit_s: float, memory_limit_mb: int, n_tests: int) -> RunLimits:
        """Per-test limit `time_limit_s`; the run as a whole gets one slot per test,
        one for loading the solution, and start-up grace."""
        wall = min(STARTUP_GRACE_S + time_limit_s * (n_tests + 1), MAX_WALL_S)
        return cls(
            test_timeout_s=time_limit_s,
            wall_s=wall,
            # CPU time is a backstop for code that ignores the per-test alarm; the
            # wall clock normally fires first.
            cpu_s=math.ceil(wall) + 1,
            memory_mb=memory_limit_mb,
        )
