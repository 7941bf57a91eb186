"""Launched pages inside the platform's iframe: the platform's origins may frame a launched
session's pages (CSP frame-ancestors, no X-Frame-Options), its session cookie crosses sites
over https, and a browser that sends no cookie back is offered a new window."""

from __future__ import annotations

import re

import httpx
import pytest

from lti.framing import origin_of
from tests.lti.conftest import landing, launch
from tests.lti.platform import CLAIM
from tests.support.people import browser_login

RETURN = {CLAIM + "launch_presentation": {
    "return_url": "https://school.lms.example.edu/courses/7/modules", "document_target": "iframe"}}


@pytest.fixture
async def https_client(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        yield client


def frame_ancestors(r: httpx.Response) -> str:
    policy = r.headers["content-security-policy"]
    return next(p for p in policy.split("; ") if p.startswith("frame-ancestors"))


async def test_a_launched_course_page_renders_in_the_platforms_frame(
        https_client, platform, course):
    r = await launch(https_client, platform, f"https://cw.example/courses/{course.id}",
                     **RETURN)
    session = next(c for c in r.headers.get_list("set-cookie") if c.startswith("cw_session="))
    assert "samesite=none" in session and "secure" in session and "Partitioned" in session
    assert "lax" not in session.lower()
    onward = await https_client.get(r.headers["location"])
    assert onward.status_code == 303 and onward.headers["location"] == f"/courses/{course.id}"
    page = await https_client.get(f"/courses/{course.id}")
    assert page.status_code == 200
    assert frame_ancestors(page) == ("frame-ancestors 'self' https://lms.example.edu "
                                     "https://school.lms.example.edu")
    assert "x-frame-options" not in page.headers
    assert 'class="course-frame' in page.text and 'class="breadcrumbs"' in page.text
    # Signing out in the frame clears the partitioned cookie too.
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
    out = await https_client.post("/logout", data={"csrf_token": csrf})
    cleared = [c for c in out.headers.get_list("set-cookie") if c.startswith("cw_session=null")]
    assert len(cleared) == 2 and "Partitioned" in cleared[1] and "samesite=none" in cleared[1]


async def test_without_the_session_cookie_the_landing_offers_a_new_window(
        https_client, platform, course):
    r = await launch(https_client, platform, f"https://cw.example/courses/{course.id}")
    https_client.cookies.clear()  # third-party cookies blocked, partitioned ones too
    page = await https_client.get(r.headers["location"])
    assert page.status_code == 200
    assert 'id="lti-new-window"' in page.text and 'target="_blank"' in page.text
    assert "/lti/login?iss=https%3A%2F%2Flms.example.edu" in page.text
    # The landing leads only to our own course pages.
    bad = await https_client.get("/lti/continue", params={"to": "https://evil.example/x"})
    assert bad.status_code == 400


async def test_other_sessions_keep_refusing_frames(client, platform, course):
    await browser_login(client, "teacher@example.org")
    page = await client.get(f"/courses/{course.id}")
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert frame_ancestors(page) == "frame-ancestors 'self'"


async def test_over_plain_http_the_cookie_stays_lax_and_frames_are_still_named(
        client, platform, course):
    r = await launch(client, platform, f"https://cw.example/courses/{course.id}")
    session = next(c for c in r.headers.get_list("set-cookie") if c.startswith("cw_session="))
    assert "samesite=lax" in session.lower() and "Partitioned" not in session
    assert landing(r) == f"/courses/{course.id}"
    page = await client.get(f"/courses/{course.id}")
    assert "https://lms.example.edu" in frame_ancestors(page)


@pytest.mark.parametrize("url, origin", [
    ("https://LMS.example.edu/x?y", "https://lms.example.edu"),
    ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
    ("https://a.example; script-src *", None),
    ("javascript:alert(1)", None),
    ("https://user@a.example/", None),
    (None, None),
])
def test_only_plain_origins_reach_the_policy(url, origin):
    assert origin_of(url) == origin
