"""Text longer than its column is a clear 400 (or the form again with the message), never a
500: PostgreSQL refuses an over-long varchar even in a WHERE clause's parameter."""

from __future__ import annotations

import re

from tests.support.people import PASSWORD, browser_login, course_with, person

LONG_EMAIL = "a" * 240 + "@example.org"  # 252 characters: fits nowhere once lower()ed + more
TOO_LONG_EMAIL = "a" * 250 + "@example.org"  # 262 characters, past the 254 column


async def test_long_email_on_api_token_is_400(client, db_factory):
    r = await client.post("/api/v1/auth/token",
                          json={"email": TOO_LONG_EMAIL, "password": PASSWORD})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["fields"]["email"]


async def test_long_email_on_login_form_keeps_the_form(client):
    page = await client.get("/login")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf
    r = await client.post("/login", data={"email": TOO_LONG_EMAIL, "password": PASSWORD,
                                          "csrf_token": csrf.group(1)})
    assert r.status_code == 400, r.text
    assert "<form" in r.text and "valid email" in r.text


async def test_long_email_on_add_member_is_400_in_the_form(client):
    teacher = await person("teach@example.org", creator=True)
    course = await course_with(teacher, {})
    csrf = await browser_login(client, teacher.email)
    r = await client.post(f"/courses/{course.id}/members",
                          data={"email": TOO_LONG_EMAIL, "role": "student", "csrf_token": csrf})
    assert r.status_code == 400, r.text
    assert "<form" in r.text and "valid email" in r.text


async def test_long_ids_in_urls_are_never_500(client):
    """Course and block ids come from the URL into varchar(255) lookups."""
    teacher = await person("teach@example.org", creator=True)
    course = await course_with(teacher, {})
    from tests.support.people import bearer, token
    auth = bearer(await token(client, teacher.email))
    long = "b" * 300
    for method, url in (
        ("GET", f"/api/v1/courses/{course.id}/blocks/{long}"),
        ("POST", f"/api/v1/courses/{course.id}/blocks/{long}/submissions"),
        ("GET", f"/api/v1/courses/course-v1:{long}+X+Y/outline"),
        ("GET", f"/api/v1/peer-review/{course.id}/{long}/next"),
        ("GET", f"/api/v1/peer-review/{course.id}/{long}/result"),
    ):
        r = await client.request(method, url, headers=auth, json={"answer": {"text": "x"}})
        assert r.status_code < 500, (method, url, r.status_code, r.text)


async def test_long_titles_and_names_are_400(client):
    from tests.support.people import bearer, token
    teacher = await person("teach@example.org", creator=True)
    course = await course_with(teacher, {})
    auth = bearer(await token(client, teacher.email))
    long = "t" * 300
    calls = [
        ("/api/v1/auth/register", {"email": "n@example.org", "password": PASSWORD,
                                   "name": long}),
        ("/api/v1/courses", {"org": "O", "number": "N", "run": "R", "title": long}),
        ("/api/v1/courses", {"org": long, "number": "N", "run": "R", "title": "T"}),
        (f"/api/v1/courses/{course.id}/announcements", {"title": long, "body": "b"}),
        (f"/api/v1/courses/{course.id}/forum/threads", {"title": long, "body": "b",
                                                         "anonymity": "none"}),
    ]
    for url, body in calls:
        r = await client.post(url, json=body, headers=auth)
        assert r.status_code == 400, (url, r.status_code, r.text)
