"""The README's front door, end to end: `pip install -e . && coursewire demo`, then a demo
student's code exercise submitted over HTTP and graded.

    python bench/front_door.py smoke [--coursewire PATH]
    python bench/front_door.py bench [--runs 3]

`smoke` (what `scripts/smoke-demo` and CI run, in the environment that runs it): start
`coursewire demo` on a free port in a temp data dir on the embedded defaults, wait until it
answers, sign in as the demo student it printed, submit a correct solution to the demo's code
exercise and poll the submission until it is `graded` with full points. Always stops the
server. Any failure is one line on stderr and exit code 1.

`bench`: per run, a fresh virtualenv and an empty pip cache; times `pip install -e .` (the
README's command) through the graded submission. The baseline, in the same run: a fresh
virtualenv with an empty pip cache installs starlette + uvicorn and answers one request from a
hello-world app. Prints Markdown (machine, commit, per-run rows, median and spread).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ANSWER_TIMEOUT_S = 180.0  # a cold start on a loaded 2-core box migrates + imports the course
GRADE_TIMEOUT_S = 120.0
# Correct solutions to the demo's code exercises, keyed by the function their starter defines.
SOLUTIONS = {
    "count_vowels": (
        "def count_vowels(text):\n"
        "    return sum(1 for ch in text.lower() if ch in 'aeiou')\n"
    ),
    "fizzbuzz": (
        "def fizzbuzz(n):\n"
        "    if n % 15 == 0:\n        return 'FizzBuzz'\n"
        "    if n % 3 == 0:\n        return 'Fizz'\n"
        "    if n % 5 == 0:\n        return 'Buzz'\n"
        "    return str(n)\n"
    ),
}
STUDENT_LINE = re.compile(r"^\s*student\s+(\S+@\S+)\s+password:\s+(\S+)\s*$", re.MULTILINE)


class SmokeFailure(Exception):
    """The front door is broken; the message is the one line to print."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def embedded_env(data_dir: Path) -> dict[str, str]:
    """The environment of a new user: embedded defaults, nothing from the caller's services."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("COURSEWIRE_")
           and k not in {"DATABASE_URL", "REDIS_URL", "MONGO_URL", "MONGO_DB", "SECRET_KEY"}}
    env["COURSEWIRE_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"  # the logins must reach the log before the server exits
    return env


def http(method: str, url: str, body: Any = None, token: str | None = None,
         timeout: float = 30.0) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw[:200].decode(errors="replace")


def expect(status: int, payload: Any, wanted: int, what: str) -> Any:
    if status != wanted:
        raise SmokeFailure(f"{what}: HTTP {status} (wanted {wanted}): {payload}")
    return payload


def last_line(log: Path) -> str:
    lines = [ln for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    return lines[-1].strip() if lines else "(no output)"


def wait_until_answering(proc: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + ANSWER_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SmokeFailure(f"`coursewire demo` exited with code {proc.returncode} before "
                               f"answering; last output: {last_line(log)}")
        try:
            with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])), 0.5):
                pass
            status, _ = http("GET", base + "/login", timeout=10)
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SmokeFailure(f"`coursewire demo` did not answer on {base} within "
                       f"{ANSWER_TIMEOUT_S:.0f}s; last output: {last_line(log)}")


def code_blocks(node: dict[str, Any]) -> list[str]:
    found = [node["id"]] if node.get("type") == "code" else []
    for child in node.get("children") or []:
        found += code_blocks(child)
    return found


def pick_exercise(base: str, token: str, course_id: str) -> tuple[str, str]:
    """A published code block whose starter we have a solution for: (block id, code)."""
    outline = expect(*http("GET", f"{base}/api/v1/courses/{course_id}/outline", token=token),
                     200, "GET outline")
    seen = []
    for block_id in code_blocks(outline):
        block = expect(*http("GET", f"{base}/api/v1/courses/{course_id}/blocks/{block_id}",
                             token=token), 200, f"GET block {block_id}")
        seen.append(block.get("title"))
        for name, code in SOLUTIONS.items():
            if f"def {name}(" in (block.get("starter_code") or ""):
                return block_id, code
    raise SmokeFailure(f"no demo code exercise we can solve in the outline (code blocks: {seen})")


def submit_and_grade(base: str, log: Path) -> dict[str, float]:
    """Sign in as the printed demo student, submit, poll until graded. Returns timestamps."""
    logins = STUDENT_LINE.findall(log.read_text(errors="replace"))
    if not logins:
        raise SmokeFailure(f"`coursewire demo` printed no student login; last output: "
                           f"{last_line(log)}")
    email, password = logins[0]
    token = expect(*http("POST", base + "/api/v1/auth/token",
                         {"email": email, "password": password}), 200,
                   f"sign in as {email}")["access_token"]
    courses = expect(*http("GET", base + "/api/v1/courses", token=token), 200, "GET courses")
    enrolled = [c["id"] for c in courses if c.get("role") == "student"]
    if not enrolled:
        raise SmokeFailure(f"{email} is enrolled in no course as a student: {courses}")
    course_id = enrolled[0]
    block_id, code = pick_exercise(base, token, course_id)
    submitted = time.monotonic()
    sub = expect(*http("POST", f"{base}/api/v1/courses/{course_id}/blocks/{block_id}/submissions",
                       {"answer": {"code": code}}, token=token), 202,
                 f"submit code to {block_id}")
    deadline = submitted + GRADE_TIMEOUT_S
    state: Any = sub
    while time.monotonic() < deadline:
        state = expect(*http("GET", f"{base}/api/v1/submissions/{sub['id']}", token=token),
                       200, f"GET submission {sub['id']}")
        if state.get("status") == "graded":
            if state.get("points") != state.get("max_points") or not state.get("max_points"):
                raise SmokeFailure(f"submission {sub['id']} graded {state.get('points')}/"
                                   f"{state.get('max_points')}, not full points: "
                                   f"{state.get('feedback')}")
            return {"submitted": submitted, "graded": time.monotonic()}
        if state.get("status") not in {"queued", "grading"}:
            raise SmokeFailure(f"submission {sub['id']} ended {state.get('status')!r}: "
                               f"{state.get('feedback')}")
        time.sleep(0.1)
    raise SmokeFailure(f"submission {sub['id']} not graded within {GRADE_TIMEOUT_S:.0f}s "
                       f"(status {state.get('status')!r})")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def run_smoke(coursewire: str) -> dict[str, float]:
    """The whole smoke; returns monotonic timestamps (start, answered, submitted, graded)."""
    work = Path(tempfile.mkdtemp(prefix="coursewire-smoke-"))
    log = work / "demo.log"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    times = {"start": time.monotonic()}
    ok = False
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [coursewire, "demo", "--port", str(port)], cwd=work, env=embedded_env(work / "data"),
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            wait_until_answering(proc, base, log)
            times["answered"] = time.monotonic()
            times.update(submit_and_grade(base, log))
            ok = True
        except SmokeFailure as exc:
            raise SmokeFailure(f"{exc} (server log: {log})") from None
        finally:
            stop(proc)
            if ok:
                shutil.rmtree(work, ignore_errors=True)
    return times


def cmd_smoke(args: argparse.Namespace) -> int:
    coursewire = args.coursewire or shutil.which("coursewire")
    if not coursewire:
        print("smoke-demo: FAIL: no `coursewire` on PATH (pip install -e . first)",
              file=sys.stderr)
        return 1
    try:
        t = run_smoke(coursewire)
    except (SmokeFailure, OSError) as exc:
        print(f"smoke-demo: FAIL: {exc}", file=sys.stderr)
        return 1
    print(f"smoke-demo: ok: `coursewire demo` answered in {t['answered'] - t['start']:.1f}s, "
          f"a demo student's code submission was graded with full points "
          f"{t['graded'] - t['submitted']:.1f}s after submitting")
    return 0


# ---- bench -------------------------------------------------------------------------------

HELLO_APP = (
    "from starlette.applications import Starlette\n"
    "from starlette.responses import PlainTextResponse\n"
    "from starlette.routing import Route\n"
    "async def hello(request):\n    return PlainTextResponse('hello')\n"
    "app = Starlette(routes=[Route('/', hello)])\n"
)


def fresh_venv(where: Path) -> tuple[Path, dict[str, str]]:
    """A new virtualenv and an environment whose pip cache is new and empty."""
    subprocess.run([sys.executable, "-m", "venv", str(where / "venv")], check=True)
    env = dict(os.environ, PIP_CACHE_DIR=str(where / "pip-cache"),
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    return where / "venv" / "bin", env


def pip_install(bin_dir: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run([str(bin_dir / "pip"), "install", "-q", *args], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def baseline_run(where: Path) -> dict[str, float]:
    bin_dir, env = fresh_venv(where)
    t0 = time.monotonic()
    pip_install(bin_dir, env, "starlette", "uvicorn")
    installed = time.monotonic()
    (where / "hello.py").write_text(HELLO_APP)
    port = free_port()
    proc = subprocess.Popen([str(bin_dir / "uvicorn"), "hello:app", "--port", str(port),
                             "--log-level", "warning"], cwd=where, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if http("GET", f"http://127.0.0.1:{port}/", timeout=5)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        done = time.monotonic()
    finally:
        stop(proc)
    return {"pip": installed - t0, "serve": done - installed, "total": done - t0}


def front_door_run(where: Path) -> dict[str, float]:
    bin_dir, env = fresh_venv(where)
    t0 = time.monotonic()
    pip_install(bin_dir, env, "-e", ".")
    installed = time.monotonic()
    t = run_smoke(str(bin_dir / "coursewire"))
    return {"pip": installed - t0, "answered": t["answered"] - t["start"],
            "signin_to_graded": t["graded"] - t["answered"],
            "submit_to_graded": t["graded"] - t["submitted"], "total": t["graded"] - t0,
            "cache_bytes": sum(f.stat().st_size for f in (where / "pip-cache").rglob("*")
                               if f.is_file())}


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text()
                .splitlines() if ln.startswith("model name")), "unknown CPU")
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return f"{os.cpu_count()} cores, {cpu}, Python {sys.version.split()[0]}, load average {load}"


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} s ({min(values):.1f}-{max(values):.1f})"


def cmd_bench(args: argparse.Namespace) -> int:
    sys.stdout.reconfigure(line_buffering=True)  # progress shows while runs go on
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           text=True, capture_output=True).stdout.strip()
    print(f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; commit {commit}"
          f"{' plus uncommitted changes' if dirty else ''}")
    print(f"- machine at start: {machine()}")
    rows: list[tuple[dict[str, float], dict[str, float]]] = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="coursewire-bench-") as a, \
                tempfile.TemporaryDirectory(prefix="coursewire-bench-") as b:
            try:
                base = baseline_run(Path(a))
                door = front_door_run(Path(b))
            except (SmokeFailure, subprocess.CalledProcessError, OSError) as exc:
                print(f"front_door: FAIL: {exc}", file=sys.stderr)
                return 1
        rows.append((base, door))
    print(f"- machine at end: {machine()}\n")
    print("| run | front door: pip install -e . | demo answers | sign in to graded "
          "| of which submit to graded | total | baseline: pip install starlette uvicorn "
          "| hello answers | baseline total | ratio |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for i, (base, door) in enumerate(rows, 1):
        print(f"| {i} | {door['pip']:.1f} s | {door['answered']:.1f} s "
              f"| {door['signin_to_graded']:.1f} s | {door['submit_to_graded']:.1f} s "
              f"| **{door['total']:.1f} s** | {base['pip']:.1f} s | {base['serve']:.1f} s "
              f"| {base['total']:.1f} s | {door['total'] / base['total']:.1f}x |")
    doors = [d for _, d in rows]
    bases = [b for b, _ in rows]
    print(f"\nmedian (min-max): front door total {spread([d['total'] for d in doors])}, "
          f"its pip install {spread([d['pip'] for d in doors])}; baseline total "
          f"{spread([b['total'] for b in bases])}; pip cache left after a run: "
          f"{max(d['cache_bytes'] for d in doors) / 1e6:.1f} MB")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("smoke", help="start the demo, submit a code exercise, check it is graded")
    p.add_argument("--coursewire", help="the coursewire executable (default: from PATH)")
    p.set_defaults(func=cmd_smoke)
    p = sub.add_parser("bench", help="time fresh venv + pip install -e . through a graded "
                                     "submission, against a starlette+uvicorn baseline")
    p.add_argument("--runs", type=int, default=3)
    p.set_defaults(func=cmd_bench)
    args = parser.parse_args()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
