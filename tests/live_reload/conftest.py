"""The live = reload harness's course: the grading test course (with peer review blocks),
its instructor, TA and two students, each logged in like a browser."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from forum import events as forum_events
from grading.queue import QUEUE, InProcessQueue
from tests.grading_app.conftest import COURSE_ID, setup_course
from tests.peer_review.conftest import EXTRA
from tests.support.live_reload import Viewer, observed
from tests.support.people import browser_login

HX = {"HX-Request": "true"}


@dataclass
class Cast:
    app: object
    course_id: str
    teacher: Viewer
    ta: Viewer
    ada: Viewer
    bob: Viewer
    queue: InProcessQueue

    @property
    def hub(self):
        return self.app.runtime.hub  # type: ignore[attr-defined]

    @property
    def everyone(self) -> list[Viewer]:
        return [self.teacher, self.ta, self.ada, self.bob]


@pytest.fixture
async def cast(app, tmp_path, monkeypatch) -> AsyncIterator[Cast]:
    # Which forum changes ran (the harness's coverage counts them like event names).
    for name in ("post_changed", "queue_changed"):
        original = getattr(forum_events, name)

        @functools.wraps(original)
        async def recording(post_id, change, *a, _original=original, _name=name, **kw):
            observed.add(f"forum.{_name}:{change}")
            return await _original(post_id, change, *a, **kw)

        monkeypatch.setattr(forum_events, name, recording)
    queue = InProcessQueue()
    app.runtime.provide(QUEUE, queue)  # jobs wait for the test to run them
    app.runtime.bind()
    people = await setup_course(app.runtime.settings, tmp_path / "course", EXTRA)
    viewers = []
    for name, user in zip(("teacher", "ta", "ada", "bob"), people, strict=True):
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                              base_url="http://testserver")
        csrf = await browser_login(c, user.email)
        c.headers.update({"X-CSRF-Token": csrf, **HX})
        viewers.append(Viewer(name, c, user))
    yield Cast(app, COURSE_ID, *viewers, queue=queue)
    for v in viewers:
        await v.client.aclose()
    await queue.close()
