"""Every `coursewire` command works on a fresh data dir, and every failure is one line on
stderr with a non-zero exit, never a traceback. One test per class of failure."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from courseware.service import DEMO_COURSE_FOLDER
from tests.conftest import PG_BASE
from tests.support.servers import ROOT

COURSE = "course-v1:Coursewire+PY101+2026"


def cw(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, input=stdin,
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=180)


def one_line_failure(out: subprocess.CompletedProcess, *words: str, status: int | None = None
                     ) -> str:
    assert out.returncode != 0, out.stdout
    if status is not None:
        assert out.returncode == status, out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def fresh(tmp_path) -> dict[str, str]:
    """A data dir nothing has touched, on the embedded defaults (even in service mode)."""
    return {"COURSEWIRE_DATA_DIR": str(tmp_path / "fresh"), "DATABASE_URL": "",
            "REDIS_URL": "", "MONGO_URL": "", "SECRET_KEY": "cli-failure-tests"}


def test_commands_work_on_a_data_dir_that_was_never_migrated(fresh):
    made = cw(fresh, "createuser", "ada@example.org", "--name", "Ada", "--password", "-",
              stdin="a-long-password\n")
    assert made.returncode == 0 and "Created user" in made.stdout, made.stderr
    imported = cw({**fresh, "COURSEWIRE_DATA_DIR": fresh["COURSEWIRE_DATA_DIR"] + "-2"},
                  "import-course", str(DEMO_COURSE_FOLDER), "--publish")
    assert imported.returncode == 0 and f"Imported {COURSE}" in imported.stdout, \
        imported.stderr


@pytest.mark.skipif(not PG_BASE, reason="a server database (PostgreSQL) is never migrated "
                                        "implicitly; SQLite is")
def test_a_server_database_never_migrated_says_to_run_migrate(fresh, db_factory):
    from tests.support.databases import run

    url = run(db_factory.new_url())
    blank = url.rsplit("/", 1)[0] + "/postgres"  # a database with none of our tables
    out = cw({**fresh, "DATABASE_URL": blank}, "createuser", "x@example.org", "--name", "X",
             "--password", "-", stdin="a-long-password\n")
    one_line_failure(out, "coursewire migrate")


def test_missing_folders_and_files_are_named(fresh, tmp_path):
    one_line_failure(cw(fresh, "import-course", str(tmp_path / "nowhere")), "no such folder",
                     status=2)
    empty = tmp_path / "empty"
    empty.mkdir()
    one_line_failure(cw(fresh, "import-course", str(empty)), "course.yaml", status=2)


def test_unknown_courses_and_bad_ids(fresh, tmp_path):
    one_line_failure(cw(fresh, "export-course", "course-v1:No+Such+Course",
                        str(tmp_path / "out")), "No course", status=2)
    one_line_failure(cw(fresh, "prune-versions", "not-a-course-id"), "course-v1:", status=2)
    one_line_failure(cw(fresh, "rerun-course", "course-v1:No+Such+Course", "2027"),
                     "No course", status=2)
    one_line_failure(cw(fresh, "export-grades", "course-v1:No+Such+Course",
                        str(tmp_path / "g.csv")), "No course", status=2)
    one_line_failure(cw(fresh, "createuser", "not-an-email", "--name", "X", "--password",
                        "-", stdin="a-long-password\n"), "email", status=2)
    one_line_failure(cw(fresh, "import-course", str(DEMO_COURSE_FOLDER), "--instructor",
                        "nobody@example.org"), "createuser", status=2)


def test_paths_that_cannot_be_written(fresh, tmp_path):
    assert cw(fresh, "import-course", str(DEMO_COURSE_FOLDER), "--publish").returncode == 0
    one_line_failure(cw(fresh, "export-grades", COURSE, str(tmp_path / "no" / "dir" / "g.csv")),
                     "No such file or directory")
    one_line_failure(cw(fresh, "export-grades", COURSE, str(tmp_path)), "Is a directory")
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    one_line_failure(cw(fresh, "export-course", COURSE, str(full)), "--overwrite", status=2)
    assert (full / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(("variable", "value", "command"), [
    ("DATABASE_URL", "mysqlx://nowhere/db", ["migrate"]),
    ("REDIS_URL", "localhost:6379", ["worker"]),
    ("MONGO_URL", "http://127.0.0.1:27017", ["export-course", COURSE, "/tmp/x"]),
    ("COURSEWIRE_PUBLIC_URL", "courses.example.org", ["migrate"]),
    ("COURSEWIRE_TOKEN_TTL", "an hour", ["migrate"]),
    ("SMTP_URL", "mail.example.org:25", ["migrate"]),
    ("COURSEWIRE_DIGEST_HOUR", "24", ["migrate"]),
    ("COURSEWIRE_DIGEST_HOUR", "6am", ["migrate"]),
    ("COURSEWIRE_QUIZ_GRACE_SECONDS", "-1", ["migrate"]),
    ("COURSEWIRE_QUIZ_GRACE_SECONDS", "a minute", ["migrate"]),
])
def test_bad_settings_in_the_environment(fresh, variable, value, command):
    line = one_line_failure(cw({**fresh, variable: value}, *command))
    assert variable in line or "setting" in line


def test_worker_refuses_a_bad_concurrency(fresh):
    env = {**fresh, "REDIS_URL": "redis://127.0.0.1:6379/0",
           "MONGO_URL": "mongodb://127.0.0.1:27017"}
    one_line_failure(cw(env, "worker", "--concurrency", "0"), "--concurrency", status=2)


@pytest.mark.parametrize("grace", ["-1", "nan", "inf", "soon", "7200"])
def test_worker_refuses_a_bad_grace(fresh, grace):
    env = {**fresh, "REDIS_URL": "redis://127.0.0.1:6379/0",
           "MONGO_URL": "mongodb://127.0.0.1:27017"}
    one_line_failure(cw(env, "worker", "--grace", grace), "--grace", status=2)


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_a_port_in_use_is_one_line_before_anything_starts(fresh, command):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = cw(fresh, command, "--port", str(port))
    one_line_failure(out, "already in use", str(port))
    assert "password" not in out.stdout  # `demo` failed before seeding and printing logins
