"""Throwaway Redis and PostgreSQL servers that a fault test may kill and restart.

The shared services on 5432/6379 belong to everyone's tests and are never touched: each
fault test starts its own redis-server and its own PostgreSQL cluster (initdb into a
temporary directory, on free ports), kills and restarts those, and removes them after.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from tests.support.servers import free_port

REDIS_SERVER = shutil.which("redis-server")
_PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
PG_BIN = Path(_PG_BINS[-1]).parent if _PG_BINS else None


def missing_services() -> str | None:
    """Why the fault suite cannot run here, or None."""
    if REDIS_SERVER is None:
        return "redis-server is not installed (apt-get install redis-server)"
    if PG_BIN is None:
        return "PostgreSQL server binaries are not installed (apt-get install postgresql)"
    if os.geteuid() == 0 and not _pg_user():
        return "running as root and there is no 'postgres' user to run initdb as"
    return None


def _pg_user() -> str | None:
    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        return None


def wait_until(check, timeout: float, what: str, step: float = 0.1):
    """Poll `check()` until it returns something truthy; fail naming `what`."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as exc:  # the point is to wait through failures
            last = exc
        time.sleep(step)
    raise AssertionError(f"{what} within {timeout} s (last: {last!r})")


@dataclass
class PrivateRedis:
    """A redis-server with no persistence: a restart comes back empty."""

    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        assert REDIS_SERVER
        log = open(self.workdir / f"redis-{self.port}.log", "ab")
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)], stdout=log,
            stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port)
        wait_until(client.ping, 10, "redis-server answers PING")
        client.close()
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing saved."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def restart_empty(self) -> None:
        self.kill()
        self.start()

    def keys(self) -> int:
        client = redis.Redis(port=self.port)
        try:
            return int(client.dbsize())
        finally:
            client.close()


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster of our own (initdb as the postgres user when we are root)."""

    workdir: Path
    port: int = field(default_factory=free_port)
    datadir: Path | None = None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              check=True)

    def init(self) -> PrivatePostgres:
        assert PG_BIN
        # Its own directory under /tmp, owned by the user the server runs as.
        root = Path(tempfile.mkdtemp(prefix="cw-faults-pg-"))
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(root, pw.pw_uid, pw.pw_gid)
        self.datadir = root / "data"
        self._run(str(PG_BIN / "initdb"), "-D", str(self.datadir), "-U", "postgres",
                  "-A", "trust", "--no-sync", "-E", "UTF8")
        return self.start()

    def start(self) -> PrivatePostgres:
        assert PG_BIN and self.datadir
        opts = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.datadir} "
                "-c fsync=off -c full_page_writes=off -c max_connections=200")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-o", opts, "-l",
                  str(self.datadir / "server.log"), "-w", "-t", "30", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """`immediate` is a crash (no checkpoint); committed data survives either way."""
        assert PG_BIN and self.datadir
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "-t",
                  "30", "stop")

    def destroy(self) -> None:
        if self.datadir is None:
            return
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.datadir.parent, ignore_errors=True)
