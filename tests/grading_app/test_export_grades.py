"""`coursewire export-grades COURSE_ID PATH` writes the gradebook CSV."""

from __future__ import annotations

import csv

import pytest

from tests.conftest import REDIS_URL
from tests.grading_app.conftest import COURSE_ID, write_course
from tests.grading_app.live import PASSWORD, _cli
from tests.support.live import server_env

pytestmark = pytest.mark.slow


def test_export_grades_writes_one_row_per_student(db_factory, tmp_path):
    env = server_env(db_factory, tmp_path, REDIS_URL)
    _cli(env, "createuser", "prof@example.org", "--name", "Prof", "--password", "-",
         "--course-creator", stdin=PASSWORD + "\n")
    _cli(env, "import-course", str(write_course(tmp_path / "course")), "--publish",
         "--instructor", "prof@example.org")
    out = _cli(env, "export-grades", COURSE_ID, str(tmp_path / "grades.csv"))
    assert "Wrote grades of 0 students" in out
    rows = list(csv.reader((tmp_path / "grades.csv").open()))
    assert rows[0][:5] == ["user_id", "name", "email", "percent", "passed"]
    assert "Quiz %" in rows[0] and "pick (2)" in rows[0]
    missing = _cli_fails(env, "export-grades", "course-v1:No+Such+Run", str(tmp_path / "x.csv"))
    assert "No course" in missing


def _cli_fails(env, *args: str) -> str:
    import os
    import subprocess
    import sys

    from tests.support.servers import ROOT

    out = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT,
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    return out.stderr
