"""The bench scripts BENCHMARKS.md quotes still run, at a toy size, in the mode under test
(their figures are not checked here: no timed assertion; only what must hold at any size)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import SERVICE_MODE
from tests.support.servers import ROOT

pytestmark = pytest.mark.slow


def run_bench(*args: str) -> dict:
    env = dict(os.environ)
    if not SERVICE_MODE:
        for name in ("DATABASE_URL", "REDIS_URL", "MONGO_URL"):
            env.pop(name, None)
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_exam_storm_loses_no_acknowledged_answer_and_submits_every_attempt(tmp_path):
    result = run_bench("bench/exam_storm.py", "--students", "6", "--start-window", "2",
                       "--minutes", "0.25", "--save-every", "3", "--leave-open", "0.5",
                       "--setup-seconds", "40", "--logs", str(tmp_path / "logs"))
    assert result["errors"] == 0, result["error_kinds"]
    assert result["logged_tracebacks"] == 0
    assert list((tmp_path / "logs").glob("server-uvicorn-*.log"))  # kept after the run
    assert result["attempts"] == 6 and result["acked_answers"] > 0
    assert result["lost_answers"] == 0
    assert isinstance(result["all_graded_s"], float)  # not "more than 600 s"


def test_exam_storm_refuses_bad_arguments_in_one_line():
    done = subprocess.run([sys.executable, "bench/exam_storm.py", "--students", "0"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "must be positive" in done.stderr
    done = subprocess.run([sys.executable, "bench/exam_storm.py", "--logs", "README.md"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--logs" in done.stderr


def test_save_cost_measures_the_exam_requests_against_the_baseline(tmp_path):
    result = run_bench("bench/save_cost.py", "--students", "2", "--saves", "6",
                       "--profile", str(tmp_path / "exam.prof"))
    assert result["saves"] == 6 and result["students"] == 2 and result["baseline_cpu_ms"] > 0
    assert all(result[f"{kind}_cpu_ms"] > 0 for kind in ("page", "start", "save", "hand_in",
                                                            "page_open", "page_close"))
    for kind in ("page", "start", "page_open", "save", "page_close", "hand_in", "baseline"):
        assert (tmp_path / f"exam.prof.{kind}").stat().st_size > 0
    done = subprocess.run([sys.executable, "bench/save_cost.py", "--saves", "0"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "must be positive" in done.stderr


def test_grading_storm_runs_and_grades_everyone():
    result = run_bench("bench/grading_bench.py", "storm", "--students", "4", "--seconds", "1")
    assert result["errors"] == 0 and result["students"] == 4


def test_proctor_page_bench_renders_the_page_and_drives_each_script(tmp_path):
    result = run_bench("bench/proctor_page.py", "--students", "3", "--pushes", "20",
                       "--seconds", "0.5", "--profile", str(tmp_path / "proctor.prof"),
                       "--baseline-script", "static/proctor.js")  # a clone may lack history
    assert result["students"] == 3 and result["render_cpu_ms"] > 0
    assert result["bytes"] > 0 and (tmp_path / "proctor.prof").stat().st_size > 0
    assert set(result["browser"]) == {f"{variant}/{show}" for variant in ("none", "before", "now")
                                      for show in ("all", "closed")}
    assert all(run["pushed"] > 0 for run in result["browser"].values())
    done = subprocess.run([sys.executable, "bench/proctor_page.py", "--students", "0"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "at least 1" in done.stderr
