"""`coursewire worker --grace`: the stop grace given on the command line is the one the
worker runs with (refusals: tests/demo/test_cli_failures.py)."""

from __future__ import annotations

import pytest

import app.cli as cli
import grading.worker
from app.runtime import Runtime
from grading.queue import STOP_GRACE_SECONDS


@pytest.mark.parametrize(("argv", "expected"), [
    (["worker"], STOP_GRACE_SECONDS),
    (["worker", "--grace", "0"], 0.0),
    (["worker", "--grace", "42.5", "--concurrency", "2"], 42.5),
])
def test_the_grace_reaches_the_worker(monkeypatch, tmp_path, argv, expected):
    monkeypatch.setenv("COURSEWIRE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("MONGO_URL", "mongodb://127.0.0.1:27017")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    ran = []

    async def run_worker(settings, concurrency, grace):
        ran.append((concurrency, grace))

    monkeypatch.setattr(grading.worker, "run_worker", run_worker)
    monkeypatch.setattr(Runtime, "bind", lambda self: None)
    assert cli.main(argv) == 0
    assert ran == [(2 if "--concurrency" in argv else 4, expected)]
