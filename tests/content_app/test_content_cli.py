"""The content commands and embedded persistence: every step is its own process, as a
person would run them (`coursewire demo --seed-only`, `import-course`, then `serve`)."""

import asyncio
import os
import shutil
import subprocess
import sys
import uuid

import httpx
import pytest

from courseware.service import DEMO_COURSE_FOLDER
from realtime.layer import group_name, make_channel_layer
from tests.conftest import REDIS_URL
from tests.content_app.conftest import COURSE
from tests.support.live import api_token, seed_demo, server_env
from tests.support.servers import ROOT, ServerProcess

pytestmark = pytest.mark.slow


def coursewire(env, *args, check=True):
    out = subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT,
                         env={**os.environ, **env}, capture_output=True, text=True,
                         timeout=120)
    if check:
        assert out.returncode == 0, out.stderr
    return out


def outline_titles(base: str) -> list[str]:
    token = api_token(base, "ada@demo.coursewire")
    r = httpx.get(f"{base}/api/v1/courses/{COURSE}/outline",
                  headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    titles, stack = [], [r.json()]
    while stack:
        node = stack.pop()
        titles.append(node["title"])
        stack.extend(node["children"])
    return titles


@pytest.fixture
def env(db_factory, tmp_path):
    return server_env(db_factory, tmp_path / "data", None)


def test_demo_seed_then_serve_shows_the_published_demo_course(env):
    seeded = seed_demo(env)  # its own process; the content is saved in the data dir
    assert seeded["course_id"] == COURSE
    server = ServerProcess("uvicorn", env).start()
    try:
        assert "Hello, Python" in outline_titles(server.base)
    finally:
        server.stop()


def test_seeding_twice_keeps_one_json_line_last_and_changes_nothing(env):
    first = seed_demo(env)
    out = coursewire(env, "demo", "--seed-only")
    assert out.stdout.strip().splitlines()[-1].startswith("{")
    assert seed_demo(env) == first


def test_export_import_round_trip_and_edits_survive_into_the_server(env, tmp_path):
    seed_demo(env)
    folder = tmp_path / "py101"
    out = coursewire(env, "export-course", COURSE, str(folder))
    assert "Wrote 42 files" in out.stdout  # with the question bank and the practice exam
    unchanged = coursewire(env, "import-course", str(folder))
    again = coursewire(env, "import-course", str(folder))
    assert unchanged.stdout.split("draft version ")[1][:24] == \
        again.stdout.split("draft version ")[1][:24]  # importing an export changes nothing
    unit = folder / "01-getting-started" / "01-first-steps" / "01-hello" / "unit.yaml"
    unit.write_text(unit.read_text().replace("Hello, Python", "Hello again, Python"))
    published = coursewire(env, "import-course", str(folder), "--publish")
    assert "published version" in published.stdout
    server = ServerProcess("uvicorn", env).start()
    try:
        titles = outline_titles(server.base)
        assert "Hello again, Python" in titles and "Hello, Python" not in titles
        busy = coursewire(env, "import-course", str(folder), check=False)
        if "MONGO_URL" in env:  # a shared MongoDB server: another process imports alongside
            assert busy.returncode == 0 and "draft version" in busy.stdout, busy.stderr
        else:  # the embedded store is one process's: another is refused clearly
            assert busy.returncode == 1 and "already open" in busy.stderr
    finally:
        server.stop()
    report = coursewire(env, "prune-versions", COURSE, "--keep", "0", "--dry-run")
    assert report.stdout.startswith("Would delete")


def test_import_course_names_the_file_and_line_of_a_mistake(env, tmp_path):
    seed_demo(env)
    folder = tmp_path / "bad"
    coursewire(env, "export-course", COURSE, str(folder))
    quiz = next(folder.glob("02-loops/01-repeating/01-for-loops/*sum-range*"))
    quiz.write_text(quiz.read_text().replace("max_attempts:", "max_attemps:"))
    out = coursewire(env, "import-course", str(folder), check=False)
    assert out.returncode == 2
    assert f"{quiz.relative_to(folder)}:" in out.stderr and "max_attemps" in out.stderr


def test_cli_manual_pages_explain_the_content_commands(env):
    for command in ("import-course", "export-course", "prune-versions", "rerun-course",
                    "reconcile"):
        out = coursewire(env, command, "--help")
        assert "Example" in out.stdout


def test_reconcile_finds_the_seeded_demo_announced(env):
    seed_demo(env)  # its publish announced itself, so there is nothing to reconcile
    out = coursewire(env, "reconcile")
    assert "nothing to do" in out.stdout


def test_rerun_course_starts_a_new_run_with_the_content_and_instructors(env):
    seed_demo(env)
    out = coursewire(env, "rerun-course", COURSE, "2027")
    rerun = COURSE.replace("2026", "2027")
    assert f"Created {rerun}" in out.stdout and "published version" in out.stdout
    taken = coursewire(env, "rerun-course", COURSE, "2027", check=False)
    assert taken.returncode == 2 and "already exists" in taken.stderr
    bad = coursewire(env, "rerun-course", COURSE, "no spaces", check=False)
    assert bad.returncode == 2
    server = ServerProcess("uvicorn", env).start()
    try:
        token = api_token(server.base, "instructor@demo.coursewire")
        teacher = {"Authorization": f"Bearer {token}"}
        outline = httpx.get(f"{server.base}/api/v1/courses/{rerun}/outline", headers=teacher)
        assert outline.status_code == 200, outline.text  # the instructor came along
        assert outline.json()["children"] == httpx.get(
            f"{server.base}/api/v1/courses/{COURSE}/outline", headers=teacher).json()["children"]
        student = {"Authorization": f"Bearer {api_token(server.base, 'ada@demo.coursewire')}"}
        assert httpx.get(f"{server.base}/api/v1/courses/{rerun}/outline",
                         headers=student).status_code in (403, 404)  # students did not
    finally:
        server.stop()


@pytest.mark.skipif(not REDIS_URL, reason="service mode: the CLI reaches servers through Redis")
def test_a_cli_publish_reaches_open_pages_through_the_channel_layer(db_factory, tmp_path):
    env = server_env(db_factory, tmp_path / "data", REDIS_URL)
    seed_demo(env)
    folder = tmp_path / "course"
    shutil.copytree(DEMO_COURSE_FOLDER, folder)
    unit = folder / "01-getting-started/01-first-steps/01-hello/unit.yaml"
    unit.write_text("title: Hello from the CLI\n")
    listener = make_channel_layer(REDIS_URL, env["COURSEWIRE_REDIS_PREFIX"])
    channel = f"cwtest.cli-{uuid.uuid4().hex[:8]}"  # what a server's hub would join

    async def listen() -> None:
        await listener.group_add(group_name(f"course:{COURSE}"), channel)

    async def received() -> dict:
        try:
            return await asyncio.wait_for(listener.receive(channel), 10)
        finally:
            await listener.close_pools()

    asyncio.run(listen())
    coursewire(env, "import-course", str(folder), "--publish")
    message = asyncio.run(received())
    assert message["event"] == "content.published"
    # The outline, as pages show it: rendered once per audience (release dates differ).
    assert all("Hello from the CLI" in message["html"][a] for a in ("student", "staff"))
