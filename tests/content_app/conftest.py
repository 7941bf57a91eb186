"""Fixtures for the content integration: people in the demo course id, archives of the
demo course folder (optionally edited first)."""

from __future__ import annotations

import io
import shutil
import tarfile
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from courses.service import create_course, set_member_role
from courseware.service import DEMO_COURSE_FOLDER
from tests.support.people import bearer, person, token

COURSE = "course-v1:Coursewire+PY101+2026"


@pytest.fixture
async def people(app) -> SimpleNamespace:
    """grace and alan (instructors), tom (TA), ada (student), out (not a member)."""
    grace = await person("grace@example.org", "Grace", creator=True)
    alan = await person("alan@example.org", "Alan")
    tom = await person("tom@example.org", "Tom")
    ada = await person("ada@example.org", "Ada")
    out = await person("out@example.org", "Out")
    await create_course(grace, "Coursewire", "PY101", "2026", "Python from scratch")
    await set_member_role(grace, COURSE, alan.id, "instructor")
    await set_member_role(grace, COURSE, tom.id, "ta")
    await set_member_role(grace, COURSE, ada.id, "student")
    return SimpleNamespace(grace=grace, alan=alan, tom=tom, ada=ada, out=out)


def archive_of(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(folder, arcname="py101")
    return buffer.getvalue()


@pytest.fixture
def course_folder(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the demo course folder; `edit(relative path, old, new)` changes a file."""
    def make(*edits: tuple[str, str, str]) -> Path:
        target = tmp_path / f"course-{len(list(tmp_path.glob('course-*')))}"
        shutil.copytree(DEMO_COURSE_FOLDER, target)
        for rel, old, new in edits:
            path = target / rel
            text = path.read_text()
            assert old in text, (rel, old)
            path.write_text(text.replace(old, new, 1))
        return target
    return make


@pytest.fixture
def archive(course_folder: Callable[..., Path]) -> Callable[..., bytes]:
    return lambda *edits: archive_of(course_folder(*edits))


WELCOME = "01-getting-started/01-first-steps/01-hello/01-welcome.md"


async def import_and_publish(client, archive: Callable[..., bytes],
                             who: str = "grace@example.org") -> tuple[str, str]:
    """Import the demo folder through the API and publish it: (draft, published)."""
    auth = bearer(await token(client, who))
    r = await client.post(f"/api/v1/courses/{COURSE}/import", content=archive(),
                          headers={**auth, "content-type": "application/gzip"})
    assert r.status_code == 200, r.text
    p = await client.post(f"/api/v1/courses/{COURSE}/publish", headers=auth)
    assert p.status_code == 200, p.text
    return r.json()["draft_version"], p.json()["published_version"]
