"""The proctor page at exam scale (issue 14): what a page of every student costs the server
to render, and what its script costs the proctor's browser while rows are pushed to it.

    python bench/proctor_page.py [--students 9000] [--pushes 300] [--seconds 10]
        [--baseline-script REV] [--profile FILE] [--no-browser]

Seeds the exam course of bench/exam_storm.py with `--students` students, starts an attempt
for each (in this process, the app behind httpx's in-process transport), then renders the
proctor page as the instructor five times: CPU and wall milliseconds per render, and its
size. Then Debian's Chromium (headless) opens that page, served as a static file with only
its own script (htmx and the socket left out, so that what is measured is the script), and
for each script variant replaces `--pushes` rows a second for `--seconds` seconds (each a
rendered row whose time left changed, swapped in as an out-of-band swap does: the old row
replaced by the new), with the filter on "everyone" and then on "in progress, no page open":
  - `none`: no script (the swaps alone: the baseline of the same run);
  - `before`: static/proctor.js as of `--baseline-script` (a git revision, default b8af8b9,
    before the script handled only the rows a push changed; or a file);
  - `now`: static/proctor.js of this checkout.
Reports the main thread's busy share (Chrome's TaskDuration over the pushing window), its
milliseconds per pushed row (when the share nears 1 the page falls behind and fewer rows
are pushed: compare the milliseconds), and the page's load time for each. Uses
DATABASE_URL / REDIS_URL if set, else SQLite + in-memory. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.exam_storm import COURSE_ID, START_URL, drop_databases, seed
from bench.grading_bench import SECRET, make_env

ROOT = Path(__file__).resolve().parent.parent
PROCTOR_URL = f"/courses/{COURSE_ID}/quizzes/exam/proctor"
RENDERS = 5


async def render_page(env: dict[str, str], tokens: list[str],
                      profile: Path | None = None) -> dict[str, object]:
    """Start every student's attempt, then render the proctor page RENDERS times (and once
    more under cProfile, written to `profile`, if given)."""
    from accounts.tokens import issue_token
    from app.application import create_app
    from core.settings import load_settings
    from models.users import User

    app = create_app(load_settings(env))
    await app.runtime.start()
    try:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench",
                                     timeout=120) as c:
            for token in tokens:
                r = await c.post(START_URL, headers={"Authorization": f"Bearer {token}"})
                if r.status_code != 201:
                    raise SystemExit(f"error: start answered {r.status_code}: {r.text[:200]}")
            prof = await User.get(email="prof@example.org")
            head = {"Authorization": f"Bearer {issue_token(prof.id, SECRET, 3600)}"}
            cpu, wall, html = [], [], ""
            for _ in range(RENDERS + 1):  # the first warms the templates, not timed
                t, w = time.process_time(), time.perf_counter()
                r = await c.get(PROCTOR_URL, headers=head)
                if r.status_code != 200:
                    raise SystemExit(f"error: the proctor page answered {r.status_code}")
                cpu.append((time.process_time() - t) * 1000)
                wall.append((time.perf_counter() - w) * 1000)
                html = r.text
            if profile is not None:
                profiler = cProfile.Profile()
                profiler.enable()
                await c.get(PROCTOR_URL, headers=head)
                profiler.disable()
                profiler.dump_stats(profile)
    finally:
        await app.runtime.stop()
    return {"html": html, "render_cpu_ms": round(sorted(cpu[1:])[RENDERS // 2], 1),
            "render_wall_ms": round(sorted(wall[1:])[RENDERS // 2], 1),
            "bytes": len(html.encode())}


def static_page(html: str, folder: Path) -> None:
    """The page with only its own script: htmx and the socket left out."""
    html = re.sub(r'<script[^>]*src="/static/(?!proctor\.js)[^"]*"[^>]*></script>', "", html)
    html = re.sub(r'\shx-ws:connect="[^"]*"', "", html)
    (folder / "proctor.html").write_text(html)
    (folder / "static" / "vendor").mkdir(parents=True)
    for name in ("vendor/pico.min.css", "coursewire.css"):
        shutil.copy(ROOT / "static" / name, folder / "static" / name)


PUSH = """([perSecond, seconds]) => new Promise(resolve => {
  const rows = Array.from(document.querySelectorAll('tr.proctor-row'));
  let n = 0;
  const every = 50, batch = Math.max(1, Math.round(perSecond * every / 1000));
  const timer = setInterval(() => {
    for (let i = 0; i < batch; i++) {
      const id = rows[(n * 7919) % rows.length].id;
      const old = document.getElementById(id);
      const fresh = old.cloneNode(true);
      fresh.removeAttribute('hidden');
      const left = fresh.querySelector('.proctor-left');
      if (left) {
        const s = Math.max(0, parseInt(left.dataset.secondsLeft, 10) - 1);
        left.dataset.secondsLeft = String(s);
        delete left.dataset.shownAt; delete left.dataset.format;
        left.textContent = '(' + String(Math.floor(s / 60)).padStart(2, '0') + ':'
          + String(s % 60).padStart(2, '0') + ' left)';
      }
      const page = fresh.querySelector('.proctor-page');
      if (page) { page.dataset.connected = n % 2 ? 'true' : 'false'; }
      old.replaceWith(fresh);
      n++;
    }
  }, every);
  setTimeout(() => { clearInterval(timer); resolve(n); }, seconds * 1000);
})"""


def browse(folder: Path, variants: dict[str, str | None], pushes: int,
           seconds: float) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    out: dict[str, object] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox", "--disable-gpu"])
            for name, script in variants.items():
                target = folder / "static" / "proctor.js"
                target.write_text(script or "")
                for show in ("all", "closed"):
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    cdp = page.context.new_cdp_session(page)
                    cdp.send("Performance.enable")
                    t = time.perf_counter()
                    page.goto(f"{base}/proctor.html?show={show}", wait_until="load")
                    page.wait_for_timeout(300)
                    load_ms = (time.perf_counter() - t) * 1000
                    if script and show != "all":
                        page.select_option("#proctor-show", show)
                    page.wait_for_timeout(1500)  # settle
                    before = _task_seconds(cdp)
                    t = time.perf_counter()
                    pushed = page.evaluate(PUSH, [pushes, seconds])
                    task = _task_seconds(cdp) - before
                    busy = task / (time.perf_counter() - t)
                    out[f"{name}/{show}"] = {"busy_share": round(busy, 3), "pushed": pushed,
                                             "ms_per_push": round(task * 1000 / pushed, 2),
                                             "load_ms": round(load_ms)}
                    page.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def _task_seconds(cdp) -> float:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return float(metrics["TaskDuration"])


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=9000)
    parser.add_argument("--pushes", type=int, default=300, help="rows pushed a second")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--profile", type=Path, help="write a cProfile of one render here")
    parser.add_argument("--no-browser", action="store_true", help="the server's render only")
    parser.add_argument("--baseline-script", default="b8af8b9",
                        help="the git revision whose static/proctor.js is 'before', "
                        "or a file")
    args = parser.parse_args()
    if args.students < 1 or args.pushes < 1 or args.seconds <= 0:
        parser.error("--students and --pushes must be at least 1, --seconds above 0")
    if not Path("/usr/bin/chromium").exists():
        parser.error("needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    if Path(args.baseline_script).is_file():
        before = Path(args.baseline_script).read_text()
    else:
        try:
            before = subprocess.run(["git", "-C", str(ROOT), "show",
                                     f"{args.baseline_script}:static/proctor.js"],
                                    capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError) as exc:
            why = exc.stderr.strip() if isinstance(exc, subprocess.CalledProcessError) else exc
            parser.error(f"--baseline-script {args.baseline_script}: {why}")
    work = Path(tempfile.mkdtemp(prefix="cw-proctor-bench-"))
    env = make_env(work / "data")
    try:
        closes_at = datetime.now(UTC) + timedelta(hours=2)
        tokens = asyncio.run(seed(env, args.students, closes_at, 90.0))
        rendered = asyncio.run(render_page(env, tokens, args.profile))
        static_page(str(rendered.pop("html")), work)
        variants = {"none": None, "before": before,
                    "now": (ROOT / "static" / "proctor.js").read_text()}
        result = {"students": args.students, "pushes_per_s": args.pushes,
                  "seconds": args.seconds,
                  "database": env.get("DATABASE_URL", "sqlite").split(":", 1)[0], **rendered}
        if not args.no_browser:
            result["browser"] = browse(work, variants, args.pushes, args.seconds)
    finally:
        drop_databases(env)
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
