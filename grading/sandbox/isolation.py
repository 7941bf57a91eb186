"""How a run is isolated: the bubblewrap command line and the pre-exec limits.

Each run is two sandboxes, both made by bubblewrap: the student's (solution.py and the
code serving it) and the judge's (the hidden tests). Each gets fresh user, pid,
network, ipc, uts and cgroup namespaces; a filesystem of /usr (read-only), the
interpreter, /proc, a minimal /dev and small private tmpfs for its working directory,
/tmp and /dev/shm. There is no fallback: without bubblewrap no code is run (see
SECURITY.md for why rlimits alone are not enough).
"""

from __future__ import annotations

import enum
import glob
import os
import resource
import sys
from collections.abc import Callable
from dataclasses import dataclass

from .limits import RunLimits

SANDBOX_CWD = "/sandbox"
SANDBOX_GRADER_DIR = "/grader"


class Isolation(enum.Enum):
    BUBBLEWRAP = "bubblewrap"


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

    grader: str  # judge.py, student.py, wire.py: read-only for both sandboxes
    work: str  # the student's working directory (holds solution.py)

    @property
    def solution(self) -> str:
        return os.path.join(self.work, "solution.py")

    def script(self, name: str) -> str:
        return os.path.join(self.grader, name)


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
    bwrap: str,
    interpreter: Interpreter,
    limits: RunLimits,
    *,
    binds: list[tuple[str, str]],
    script: str,
    args: list[str],
) -> list[str]:
    """The bwrap command line running `script` (a path inside) with `args`; `binds`
    are (host file, sandbox path) pairs mounted read-only."""
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
    size = str(limits.tmpfs_bytes)
    cmd += [
        "--proc", "/proc",
        "--dev", "/dev",
        "--remount-ro", "/dev",  # device nodes still work; no files in its tmpfs
        # Private and sized: whatever is written here is gone with the run.
        "--size", size, "--tmpfs", "/dev/shm",
        "--size", size, "--tmpfs", "/tmp",
        "--size", size, "--tmpfs", SANDBOX_CWD,
    ]  # fmt: skip
    for host, inside in binds:
        cmd += ["--ro-bind", host, inside]
    cmd += [
        # bwrap's root is an unbounded tmpfs; read-only, only the sized ones are writable.
        "--remount-ro", "/",
        "--chdir", SANDBOX_CWD,
        "--", interpreter.path, "-S", "-B", script, *args,
    ]  # fmt: skip
    return cmd


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


def make_preexec(limits: RunLimits, *, run_as_uid: int | None) -> Callable[[], None]:
    """What the child does between fork and exec: limits, then drop privileges.

    Runs in the forked child, so it only makes system calls. RLIMIT_NPROC is set by
    the scripts themselves inside the sandbox because, set here, bubblewrap's user
    namespace would count every process of the host user against it.
    """
    memory = limits.memory_mb * 1024 * 1024
    rlimits = [
        (resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s + 1)),
        (resource.RLIMIT_AS, (memory, memory)),
        (resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes)),
        (resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]

    def preexec() -> None:
        for which, value in rlimits:
            resource.setrlimit(which, value)
        if run_as_uid is not None:
            os.setgroups([])
            os.setgid(run_as_uid)
            os.setuid(run_as_uid)

    return preexec
