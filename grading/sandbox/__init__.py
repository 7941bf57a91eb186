"""Run student Python code against hidden tests, isolated and resource-bounded.

    await run_code_tests(code, tests, time_limit_s, memory_limit_mb, max_points=...)
        -> GradeResult

The hidden tests run in a judge sandbox and the student's code in another, both
bubblewrap; without bubblewrap nothing is run. See SECURITY.md for what this protects
against.
"""

from .code_tests import run_code_tests, test_names_in
from .isolation import Interpreter, Isolation
from .limits import RunLimits
from .report import SandboxFailure
from .sandbox import Sandbox, SandboxUnavailable, default_sandbox, detect_sandbox

__all__ = [
    "Interpreter",
    "Isolation",
    "RunLimits",
    "Sandbox",
    "SandboxFailure",
    "SandboxUnavailable",
    "default_sandbox",
    "detect_sandbox",
    "run_code_tests",
    "test_names_in",
]
