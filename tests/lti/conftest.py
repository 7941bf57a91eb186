"""A registered simulated platform, a course to launch into, and the login/launch round trip."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from lti.course_access import set_course_access
from lti.platform_keys import PLATFORM_KEYS, PlatformKeySets
from models.courses import Course
from tests.lti.platform import AuthRequest, Platform
from tests.support.people import bearer, course_with, person, token


@pytest.fixture
async def admin_token(app, client: httpx.AsyncClient) -> str:
    await person("admin@example.org", admin=True)
    return await token(client, "admin@example.org")


@pytest.fixture
async def platform(app, client: httpx.AsyncClient, admin_token: str) -> Platform:
    """A platform registered through the API, whose key set the app fetches from it."""
    simulated = Platform()
    app.runtime.provide(PLATFORM_KEYS, PlatformKeySets(transport=simulated.transport))
    r = await client.post("/api/v1/lti/registrations", json=simulated.registration(),
                          headers=bearer(admin_token))
    assert r.status_code == 201, r.text
    simulated.registration_id = r.json()["id"]
    return simulated


@pytest.fixture
async def course(app, platform: Platform) -> Course:
    """A course whose instructor connected it to the platform."""
    teacher = await person("teacher@example.org", creator=True)
    course = await course_with(teacher, {})
    assert platform.registration_id is not None
    await set_course_access(teacher, course.id, platform.registration_id, True)
    return course


def unit_url(course: Course, unit: str = "unit-1") -> str:
    return f"https://coursewire.example.org/courses/{course.id}/units/{unit}"


async def start_login(client: httpx.AsyncClient, platform: Platform, target: str,
                      **overrides: str) -> AuthRequest:
    r = await client.get("/lti/login", params=platform.login_params(target, **overrides))
    assert r.status_code == 302, r.text
    return platform.authorize(r.headers["location"])


async def launch(client: httpx.AsyncClient, platform: Platform, target: str, *,
                 role: str = "student", sub: str = "user-1", **claims: Any) -> httpx.Response:
    """The whole launch as a browser does it: login initiation, the platform's answer, the
    form_post of the id_token."""
    auth = await start_login(client, platform, target)
    id_token = platform.id_token(auth.nonce, sub=sub, role=role, target_link_uri=target,
                                 **claims)
    return await client.post("/lti/launch", data={"id_token": id_token, "state": auth.state})


def landing(r: httpx.Response) -> str:
    """Where a launch's answer sends the browser, past /lti/continue (which checks that the
    session cookie came back)."""
    assert r.status_code == 303, r.text
    url = urlsplit(r.headers["location"])
    assert url.path == "/lti/continue", r.headers["location"]
    return parse_qs(url.query)["to"][0]
