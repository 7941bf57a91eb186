"""Browser-facing pages: sessions, CSRF, inline form errors, role-gated pages."""

import re

from tests.support.people import PASSWORD, browser_login, course_with, person


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m
    return m.group(1)


async def test_register_page_logs_you_in_and_sets_a_hardened_cookie(client):
    page = await client.get("/register")
    r = await client.post("/register", data={"name": "Ada", "email": "ada@example.org",
                                              "password": PASSWORD,
                                              "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "Your courses" in (await client.get("/")).text


async def test_register_form_shows_inline_errors_without_losing_input(client):
    page = await client.get("/register")
    r = await client.post("/register", data={"name": "Ada", "email": "bad",
                                              "password": "short",
                                              "csrf_token": csrf_of(page.text)},
                          headers={"HX-Request": "true"})
    assert r.status_code == 400
    assert 'aria-invalid="true"' in r.text and "valid email" in r.text
    assert 'value="Ada"' in r.text


async def test_posts_without_a_csrf_token_are_refused(client):
    await client.get("/login")
    r = await client.post("/login", data={"email": "a@b.c", "password": "x"})
    assert r.status_code == 403
    assert "CSRF" in r.text


async def test_session_api_calls_need_the_csrf_header_but_bearer_calls_do_not(client):
    await person("p@example.org", creator=True)
    csrf = await browser_login(client, "p@example.org")
    body = {"org": "O", "number": "N", "run": "R", "title": "T"}
    assert (await client.post("/api/v1/courses", json=body)).status_code == 403
    r = await client.post("/api/v1/courses", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201


async def test_login_failure_is_shown_inline_and_next_is_kept_on_site(client):
    await person("u@example.org")
    page = await client.get("/login?next=//evil.example/")
    assert 'name="next" value="/"' in page.text
    r = await client.post("/login", data={"email": "u@example.org", "password": "nope",
                                          "csrf_token": csrf_of(page.text), "next": "/"})
    assert r.status_code == 401 and "incorrect" in r.text


async def test_anonymous_visitors_are_sent_to_login(client):
    r = await client.get("/courses/course-v1:A+B+C")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


async def test_course_page_lists_announcements_and_shows_the_form_to_instructors_only(client):
    prof = await person("prof@example.org", creator=True)
    student = await person("s@example.org")
    course = await course_with(prof, {student: "student"})
    csrf = await browser_login(client, "prof@example.org")
    r = await client.post(f"/courses/{course.id}/announcements",
                          data={"title": "Quiz moved", "body": "to **Friday**", "csrf_token": csrf},
                          headers={"HX-Request": "true"})
    assert r.status_code == 200 and "Posted." in r.text
    page = await client.get(f"/courses/{course.id}")
    assert "Quiz moved" in page.text and 'id="announcement-form"' in page.text
    await client.post("/logout", data={"csrf_token": csrf})
    await browser_login(client, "s@example.org")
    page = await client.get(f"/courses/{course.id}")
    assert "Quiz moved" in page.text and 'id="announcement-form"' not in page.text
    members = await client.get(f"/courses/{course.id}/members")
    assert members.status_code == 403


async def test_unknown_course_page_is_404(client):
    await person("x@example.org")
    await browser_login(client, "x@example.org")
    assert (await client.get("/courses/course-v1:Nope+1+2")).status_code == 404


async def test_instructor_manages_members_on_the_members_page(client):
    prof = await person("prof@example.org", creator=True)
    await person("new@example.org", "Newcomer")
    course = await course_with(prof, {})
    csrf = await browser_login(client, "prof@example.org")
    r = await client.post(f"/courses/{course.id}/members",
                          data={"email": "new@example.org", "role": "ta", "csrf_token": csrf})
    assert r.status_code == 200 and "Newcomer" in r.text
    r = await client.post(f"/courses/{course.id}/members",
                          data={"email": "ghost@example.org", "role": "ta", "csrf_token": csrf})
    assert r.status_code == 404 and "register first" in r.text
