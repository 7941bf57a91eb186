"""`coursewire export-grades COURSE_ID PATH` writes the gradebook CSV."""

from __future__ import annotations

import csv
import time

import httpx
import pytest

from tests.grading_app.conftest import COURSE_ID
from tests.grading_app.live import _cli, start_course_server

pytestmark = pytest.mark.slow


def test_export_grades_writes_one_row_per_student(db_factory, tmp_path):
    live = start_course_server(db_factory, tmp_path, students=2)
    try:
        ada = live.headers("ada@example.org")
        for block, answer in [("pick", {"choice": "a"}), ("number", {"value": 42})]:
            r = httpx.post(f"{live.server.base}/api/v1/courses/{COURSE_ID}/blocks/{block}"
                           "/submissions", json={"answer": answer}, headers=ada)
            assert r.status_code == 202, r.text
            _wait_graded(live, r.json()["id"])
        r = httpx.post(f"{live.server.base}/api/v1/courses/{COURSE_ID}/blocks/pick/submissions",
                       json={"answer": {"choice": "b"}}, headers=live.headers("s1@example.org"))
        _wait_graded(live, r.json()["id"])
    finally:
        live.server.stop()  # the embedded content store is one process's at a time
    env = live.server.env
    out = _cli(env, "export-grades", COURSE_ID, str(tmp_path / "grades.csv"))
    assert "Wrote grades of 4 students" in out  # Ada, Bob, Student 0, Student 1
    rows = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert list(rows[0])[:5] == ["user_id", "name", "email", "percent", "passed"]
    by_name = {r["name"]: r for r in rows}
    assert sorted(by_name) == ["Ada", "Bob", "Student 0", "Student 1"]
    # Ada: Quiz one 3/3 = 100 % (Quiz two dropped), weight 0.5 -> 50 %.
    assert by_name["Ada"]["pick (2)"] == "2" and by_name["Ada"]["number (1)"] == "1"
    assert by_name["Ada"]["percent"] == "50.00" and by_name["Ada"]["passed"] == "yes"
    assert by_name["Ada"]["Quiz %"] == "100.00" and by_name["Ada"]["section Basics"] == "3/4"
    assert by_name["Student 1"]["pick (2)"] == "0" and by_name["Student 1"]["passed"] == "no"
    assert by_name["Bob"]["pick (2)"] == "" and by_name["Bob"]["percent"] == "0.00"
    assert by_name["Ada"]["user_id"] == str(live.ids["ada@example.org"])
    missing = _cli_fails(env, "export-grades", "course-v1:No+Such+Run", str(tmp_path / "x.csv"))
    assert "No course" in missing


def _wait_graded(live, submission_id: int) -> None:
    for _ in range(200):
        body = httpx.get(f"{live.server.base}/api/v1/submissions/{submission_id}",
                         headers=live.headers("prof@example.org")).json()
        if body["status"] == "graded":
            return
        time.sleep(0.05)
    raise AssertionError(body)


def _cli_fails(env, *args: str) -> str:
    import os
    import subprocess
    import sys

    from tests.support.servers import ROOT

    out = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT,
                         env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    return out.stderr
