"""Fill the demo course's moderation queue past its first page for live tests:
`python -m tests.forum.seed_queue N` after `tests.forum.seed` (environment as for
`coursewire serve`). N replies by Linus, each reported by Ada. Their events are marked sent:
they happened before any page opened, and a relay sweeping them up later would re-announce
old items on the pages under test."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime

from app.demo import NUMBER, ORG, RUN
from app.runtime import Runtime
from core.settings import load_settings
from courses.service import course_key
from forum.flags import flag_post
from forum.posts import create_post
from forum.threads import create_thread
from models.db import close_db, init_db
from models.events import Event
from models.users import User


async def seed_queue(count: int) -> dict[str, object]:
    settings = load_settings()
    Runtime(settings).bind()
    await init_db(settings)
    try:
        course_id = course_key(ORG, NUMBER, RUN)
        teacher, ada, linus = [await User.get(email=f"{name}@demo.coursewire")
                               for name in ("instructor", "ada", "linus")]
        thread = await create_thread(teacher, course_id, "Reported replies", "Look below")
        posts = []
        for i in range(count):
            post = await create_post(linus, thread.id, f"Queued reply number {i}")
            await flag_post(ada, post.id, "rude")
            posts.append(post.id)
        await Event.filter(sent_at__isnull=True).update(sent_at=datetime.now(UTC))
        return {"thread_id": thread.id, "post_ids": posts}
    finally:
        await close_db()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(seed_queue(int(sys.argv[1])))))
