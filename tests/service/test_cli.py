"""The `coursewire` command, run as a user would."""

import json
import os
import signal
import subprocess
import sys

import httpx
import pytest

from tests.support.content_databases import CONTENT_DATABASES
from tests.support.servers import ROOT, ServerProcess


def cw(args, env, stdin=None):
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, input=stdin,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli_env(settings, tmp_path):
    return {"COURSEWIRE_DATA_DIR": str(tmp_path), "DATABASE_URL": settings.database_url,
            "SECRET_KEY": "cli-test-secret-key",
            **CONTENT_DATABASES.env(settings.mongo_db_name)}


@pytest.mark.parametrize("command", [[], ["serve"], ["demo"], ["migrate"], ["createuser"]])
def test_every_command_has_a_usable_help(command):
    out = cw([*command, "--help"], {})
    assert out.returncode == 0
    assert "usage: coursewire" in out.stdout and len(out.stdout) > 200


def test_createuser_reads_the_password_from_stdin_and_grants_admin(cli_env):
    out = cw(["createuser", "Root@Example.org", "--name", "Root", "--password", "-", "--admin"],
             cli_env, stdin="a-long-admin-password\n")
    assert out.returncode == 0, out.stderr
    assert "root@example.org (admin, course creator)" in out.stdout
    again = cw(["createuser", "root@example.org", "--name", "R", "--password", "-"], cli_env,
               stdin="another-password\n")
    assert again.returncode == 2 and "already exists" in again.stderr


def test_createuser_explains_a_bad_password(cli_env):
    out = cw(["createuser", "x@example.org", "--name", "X", "--password", "short"], cli_env)
    assert out.returncode == 2 and "at least 8 characters" in out.stderr


def test_demo_seed_only_is_idempotent_and_prints_logins_as_json(cli_env):
    first = cw(["demo", "--seed-only"], cli_env)
    second = cw(["demo", "--seed-only"], cli_env)
    assert first.returncode == second.returncode == 0, first.stderr
    a = json.loads(first.stdout.strip().splitlines()[-1])
    b = json.loads(second.stdout.strip().splitlines()[-1])
    assert a == b
    assert a["course_id"] == "course-v1:Coursewire+PY101+2026"
    assert {u["role"] for u in a["users"]} == {"instructor", "ta", "student"}


def test_migrate_is_idempotent(cli_env):
    assert cw(["migrate"], cli_env).returncode == 0
    assert "up to date" in cw(["migrate"], cli_env).stdout


@pytest.mark.parametrize("server", ["daphne", "uvicorn"])
def test_serve_stops_promptly_on_sigterm(cli_env, server):
    # daphne sends no lifespan shutdown; the database connection must still be closed, or
    # its worker thread keeps the process alive after the server stopped.
    assert cw(["migrate"], cli_env).returncode == 0
    proc = ServerProcess(server, cli_env).start()
    assert httpx.get(proc.base + "/login", timeout=10).status_code == 200
    proc.proc.terminate()
    try:
        code = proc.proc.wait(8)
    except subprocess.TimeoutExpired:
        proc.stop()
        pytest.fail(f"`coursewire serve --server {server}` ignored SIGTERM:\n{proc.log()[-2000:]}")
    # uvicorn re-raises the signal after its graceful shutdown, so it reports -SIGTERM.
    assert code in (0, -signal.SIGTERM), proc.log()[-2000:]
