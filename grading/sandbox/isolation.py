"""How a run is isolated: the command line and the pre-exec limits for each method.

BUBBLEWRAP (preferred): fresh user, pid, network, ipc, uts and cgroup namespaces;
a filesystem of /usr (read-only), the interpreter, /proc, a minimal /dev and two
small tmpfs (/sandbox as cwd, /tmp). RLIMITS (fallback when bubblewrap is missing
or fails here): the same rlimits and empty environment, the host filesystem as
the run's user sees it, and a network namespace only when we are root.
See SECURITY.md for what each protects against.
"""

from __future__ import annotations

import ctypes
import enum
import glob
import os
import resource
import sys
from collections.abc import Callable
from dataclasses import dataclass

from .limits import RunLimits

CLONE_NEWNET = 0x40000000
SANDBOX_CWD = "/sandbox"
SANDBOX_GRADER_DIR = "/grader"


class Isolation(enum.Enum):
    BUBBLEWRAP = "bubblewrap"
    RLIMITS = "rlimits"


@dataclass(frozen=True)
class Interpreter:
    """A Python to run student code with, and the install prefix it needs."""

    path: str
    prefix: str

    @classmethod
    def candidates(cls) -> list[Interpreter]:
        """The platform's own Python first, then the system one.

        The platform's may live where the sandbox user cannot read it (pyenv under
        /root); the probe then falls through to /usr/bin/python3.
        """
        found = [cls(os.path.realpath(sys.executable), sys.base_prefix)]
        if os.path.exists("/usr/bin/python3"):
            found.append(cls(os.path.realpath("/usr/bin/python3"), "/usr"))
        return list(dict.fromkeys(found))


@dataclass(frozen=True)
class RunPaths:
    """Host paths of one run's throwaway directory."""

    runner: str  # grader/runner.py, read-only for the student
    work: str  # the student's working directory (holds solution.py)

    @property
    def solution(self) -> str:
        return os.path.join(self.work, "solution.py")


def sandbox_env(home: str) -> dict[str, str]:
    """The complete environment of a run: nothing inherited from the platform."""
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": home,
        "LANG": "C.UTF-8",
        "PYTHONUTF8": "1",
        "PYTHONHASHSEED": "0",  # deterministic set/dict order for the same code
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def bubblewrap_command(
    bwrap: str, interpreter: Interpreter, paths: RunPaths, limits: RunLimits
) -> list[str]:
    """The bwrap command line running the test runner on `paths.solution`."""
    cmd = [
        bwrap,
        "--unshare-all",  # pid, net, ipc, uts, cgroup, and user if it can
        "--unshare-user",  # required: we rely on the user namespace
        "--die-with-parent",
        "--new-session",
        "--disable-userns",  # no nested namespaces from inside
        "--uid", "65534", "--gid", "65534",
        "--hostname", "sandbox",
        "--ro-bind", "/usr", "/usr",
    ]  # fmt: skip
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(top):
            cmd += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            cmd += ["--ro-bind", top, top]
    prefix = interpreter.prefix
    if not (prefix == "/usr" or prefix.startswith("/usr/")):
        cmd += ["--ro-bind", prefix, prefix]
    for packages in _package_dirs(prefix):
        # Installed packages (perhaps the platform itself) are none of the student's business.
        cmd += ["--tmpfs", packages, "--remount-ro", packages]
    cmd += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--remount-ro", "/dev",  # device nodes still work; no files in its tmpfs
        "--size", str(limits.tmpfs_bytes), "--tmpfs", "/tmp",
        "--size", str(limits.tmpfs_bytes), "--tmpfs", SANDBOX_CWD,
        "--ro-bind", paths.solution, f"{SANDBOX_CWD}/solution.py",
        "--ro-bind", paths.runner, f"{SANDBOX_GRADER_DIR}/runner.py",
        # bwrap's root is an unbounded tmpfs; read-only, only the sized ones are writable.
        "--remount-ro", "/",
        "--chdir", SANDBOX_CWD,
        "--", interpreter.path, "-S", "-B", f"{SANDBOX_GRADER_DIR}/runner.py",
    ]  # fmt: skip
    return cmd


def rlimits_command(interpreter: Interpreter, paths: RunPaths) -> list[str]:
    """The fallback command line: the runner in the run's own directory."""
    return [interpreter.path, "-S", "-B", paths.runner]


def _package_dirs(prefix: str) -> list[str]:
    patterns = [
        f"{prefix}/lib/python3*/site-packages",
        f"{prefix}/lib/python3*/dist-packages",
        f"{prefix}/local/lib/python3*/site-packages",
        f"{prefix}/local/lib/python3*/dist-packages",
        "/usr/lib/python3/dist-packages",
        "/usr/local/lib/python3*/site-packages",
        "/usr/local/lib/python3*/dist-packages",
    ]
    found = {path for pattern in patterns for path in glob.glob(pattern) if os.path.isdir(path)}
    return sorted(found)


def make_preexec(
    limits: RunLimits, *, run_as_uid: int | None, unshare_network: bool
) -> Callable[[], None]:
    """What the child does between fork and exec: limits, then drop privileges.

    Runs in the forked child, so it only makes system calls. RLIMIT_NPROC is set
    by the runner itself (see runner.py) because, set here, bubblewrap's user
    namespace would count every process of the host user against it.
    """
    libc = ctypes.CDLL(None, use_errno=True) if unshare_network else None
    memory = limits.memory_mb * 1024 * 1024
    rlimits = [
        (resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1)),
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes)),
        (resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    if run_as_uid is not None:
        # A uid of its own makes the count per run, and lets us sweep up leftovers.
        rlimits.append((resource.RLIMIT_NPROC, (limits.max_processes, limits.max_processes)))

    def preexec() -> None:
        if libc is not None and libc.unshare(CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNET) failed")
        for which, value in rlimits:
            resource.setrlimit(which, value)
        if run_as_uid is not None:
            os.setgroups([])
            os.setgid(run_as_uid)
            os.setuid(run_as_uid)

    return preexec
