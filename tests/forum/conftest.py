"""A course with an instructor, a TA and three students, for forum tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from models.courses import Course
from models.users import User
from tests.support.people import course_with, person


@dataclass
class Cast:
    course: Course
    teacher: User
    ta: User
    ada: User
    bob: User
    cy: User
    admin: User


async def make_cast() -> Cast:
    teacher = await person("teacher@example.org", "Tess Teacher", creator=True)
    ta = await person("ta@example.org", "Tom Assistant")
    ada = await person("ada.secret@example.org", "Ada Hiddenname")
    bob = await person("bob@example.org", "Bob Student")
    cy = await person("cy@example.org", "Cy Student")
    admin = await person("root@example.org", "Root Admin", admin=True)
    course = await course_with(teacher, {ta: "ta", ada: "student", bob: "student",
                                         cy: "student"})
    return Cast(course, teacher, ta, ada, bob, cy, admin)


@pytest.fixture
async def cast(db) -> Cast:
    return await make_cast()


@pytest.fixture
async def app_cast(app) -> Cast:
    return await make_cast()


@pytest.fixture(scope="module")
def forum_server(db_factory, tmp_path_factory):
    """A seeded uvicorn server process (demo course and people) for live forum tests."""
    import os
    import subprocess
    import sys

    from tests.conftest import REDIS_URL
    from tests.support.live import server_env
    from tests.support.servers import ROOT, ServerProcess

    env = server_env(db_factory, tmp_path_factory.mktemp("forum-live"), REDIS_URL)
    subprocess.run([sys.executable, "-m", "tests.forum.seed"], cwd=ROOT, check=True,
                   env={**os.environ, **env}, capture_output=True, timeout=120)
    server = ServerProcess("uvicorn", env).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def live_people(forum_server):
    """The demo people, logged in once per server (login attempts are rate limited)."""
    from tests.forum.live import people

    return people(forum_server.base)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """A live forum test that fails says what its server logged (a socket the server closed,
    a relay that stalled): the failure is explained by the report, not by a rerun."""
    outcome = yield
    report = outcome.get_result()
    server = getattr(item, "funcargs", {}).get("forum_server")
    if report.when == "call" and report.failed and server is not None:
        log_path = getattr(server, "log_path", None)
        if log_path is not None and log_path.exists():
            tail = log_path.read_text(errors="replace")[-6000:]
            report.sections.append(("forum server log (last 6,000 characters)", tail))
