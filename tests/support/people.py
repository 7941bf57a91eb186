"""Make accounts and courses for tests through the real services and API."""

from __future__ import annotations

import re

import httpx

from accounts.service import register_user
from courses.service import create_course, set_member_role
from models.courses import Course
from models.users import User

PASSWORD = "correct horse battery"


async def person(email: str, name: str | None = None, *, admin: bool = False,
                 creator: bool = False) -> User:
    return await register_user(email, PASSWORD, name or email.split("@")[0].title(),
                               is_admin=admin, can_create_courses=creator)


async def course_with(instructor: User, members: dict[User, str],
                      number: str = "CS101") -> Course:
    course = await create_course(instructor, "TestU", number, "2026", f"Course {number}")
    for user, role in members.items():
        await set_member_role(instructor, course.id, user.id, role)
    return course


async def token(client: httpx.AsyncClient, email: str) -> str:
    r = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def bearer(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


async def browser_login(client: httpx.AsyncClient, email: str) -> str:
    """Log in through the HTML form like a browser; returns the CSRF token for later posts."""
    page = await client.get("/login")
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert csrf
    r = await client.post("/login", data={"email": email, "password": PASSWORD,
                                          "csrf_token": csrf.group(1), "next": "/"})
    assert r.status_code == 303, r.text
    home = await client.get("/")
    m = re.search(r'name="csrf-token" content="([^"]+)"', home.text)
    assert m
    return m.group(1)
