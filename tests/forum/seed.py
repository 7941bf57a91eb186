"""Seed the demo people and course for live forum tests, without course content:
`python -m tests.forum.seed` (environment as for `coursewire serve`). Independent of
`coursewire demo` so forum tests don't depend on the content importer."""

from __future__ import annotations

import asyncio
import json

from accounts.service import register_user
from app.demo import DEMO_PASSWORD, NUMBER, ORG, PEOPLE, RUN
from app.runtime import Runtime
from core.settings import load_settings
from courses.service import course_key, create_course, set_member_role
from models.courses import Course, Role
from models.db import close_db, init_db, migrate
from models.users import User


async def seed() -> dict[str, object]:
    settings = load_settings()
    Runtime(settings).bind()  # templates and limits, as every CLI command has them
    await migrate(settings)
    await init_db(settings)
    try:
        users = []
        for email, name, role in PEOPLE:
            user = await User.get_or_none(email=email) or await register_user(
                email, DEMO_PASSWORD, name, can_create_courses=role == Role.INSTRUCTOR)
            users.append((user, role))
        course_id = course_key(ORG, NUMBER, RUN)
        if not await Course.exists(id=course_id):
            await create_course(users[0][0], ORG, NUMBER, RUN, "Introduction to Python")
        for user, role in users[1:]:
            await set_member_role(users[0][0], course_id, user.id, role)
        return {"course_id": course_id}
    finally:
        await close_db()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(seed())))
