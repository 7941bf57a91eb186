"""The demo course and its people, created idempotently by `coursewire demo`."""

from __future__ import annotations

from typing import Any

from app.accounts.service import register_user
from app.announcements.service import post_announcement
from app.content.service import import_demo_content
from app.courses.service import course_key, create_course, set_member_role
from forum.service import create_post, create_thread
from models.announcements import Announcement
from models.courses import Course, Role
from models.forum import Thread
from models.users import User

DEMO_PASSWORD = "coursewire-demo"
ORG, NUMBER, RUN = "Coursewire", "PY101", "2026"
PEOPLE = [
    ("instructor@demo.coursewire", "Grace Instructor", Role.INSTRUCTOR),
    ("ta@demo.coursewire", "Alan TA", Role.TA),
    ("ada@demo.coursewire", "Ada Student", Role.STUDENT),
    ("linus@demo.coursewire", "Linus Student", Role.STUDENT),
    ("margaret@demo.coursewire", "Margaret Student", Role.STUDENT),
]


async def _user(email: str, name: str, creator: bool) -> User:
    user = await User.get_or_none(email=email)
    return user or await register_user(email, DEMO_PASSWORD, name, can_create_courses=creator)


async def _seed_forum(course_id: str, people: list[User]) -> None:
    """A few threads, so the demo forum shows replies, a question and an anonymous post."""
    instructor, ta, ada, linus = people[:4]
    hello = await create_thread(
        instructor, course_id, "Introduce yourself",
        "Tell us who you are and what you would like to build with Python.",
        kind="discussion")
    await create_post(linus, hello.id, "Hi all! Linus here. I want to automate my photo backups.")
    question = await create_thread(
        ada, course_id, "Why does input() give me a string?",
        "I typed `5` and `input()` + 1 fails with a TypeError. What am I missing?",
        "peers", kind="question")
    await create_post(ta, question.id,
                      "`input()` always returns text. Convert it first: `int(input())`.")


async def seed_demo() -> dict[str, Any]:
    users = [(await _user(e, n, r == Role.INSTRUCTOR), r) for e, n, r in PEOPLE]
    instructor = users[0][0]
    course_id = course_key(ORG, NUMBER, RUN)
    if not await Course.exists(id=course_id):
        await create_course(instructor, ORG, NUMBER, RUN, "Introduction to Python")
    for user, role in users[1:]:
        await set_member_role(instructor, course_id, user.id, role)
    await import_demo_content(instructor, course_id)
    if not await Announcement.exists(course_id=course_id):
        await post_announcement(instructor, course_id, "Welcome to PY101!",
                                "Say hello in the forum, then start with **Chapter 1**.")
    if not await Thread.exists(course_id=course_id):
        await _seed_forum(course_id, [u for u, _ in users])
    return {"course_id": course_id,
            "users": [{"email": u.email, "password": DEMO_PASSWORD, "role": r.value}
                      for u, r in users]}
