"""The forum's part of a person's export and erasure.

The export lists every post they wrote, anonymous ones included (anonymity hides a name from
other readers, never from its owner), with the thread's title, and their votes, follows and
flags. Erasure keeps posts in their threads, written by the tombstone (a reply keeps its
place in the conversation; a thread keeps its count), and moves what they did as staff
too; their follows are deleted (nobody is left to notify). Each moved post is published as
updated, so open thread pages show the tombstone without a reload (live = reload)."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart, move_rows
from forum.changes import PostChange
from forum.events import post_changed
from models.forum import Ban, Flag, Follow, ModerationAction, Post, Vote


async def export(user_id: int) -> dict[str, Any]:
    posts = await Post.filter(author_id=user_id).order_by("id").values(
        "id", "thread_id", "thread__title", "thread__course_id", "parent_id", "anonymity",
        "status", "body_md", "pending_body_md", "endorsed", "score", "created_at",
        "edited_at")
    return {
        "posts": [{"thread_title": p.pop("thread__title"),
                   "course_id": p.pop("thread__course_id"), **p} for p in posts],
        "votes": await Vote.filter(user_id=user_id).values("post_id"),
        "follows": await Follow.filter(user_id=user_id).values("thread_id"),
        "flags": await Flag.filter(reporter_id=user_id).values(
            "post_id", "reason", "status", "created_at"),
        "bans": await Ban.filter(user_id=user_id).values(
            "course_id", "reason", "until", "created_at"),
    }


async def erase(erasure: Erasure) -> None:
    await Follow.filter(user_id=erasure.user_id).delete()
    post_ids = await Post.filter(author_id=erasure.user_id).order_by("id").values_list(
        "id", flat=True)
    await move_rows(erasure, Post, "author_id", "claimed_by_id")
    await move_rows(erasure, Vote, "user_id")
    await move_rows(erasure, Flag, "reporter_id")
    await move_rows(erasure, Ban, "user_id", "created_by_id")
    await move_rows(erasure, ModerationAction, "actor_id", "target_user_id")
    for post_id in post_ids:  # open thread pages and lists show the tombstone, live
        await post_changed(int(post_id), PostChange.UPDATED)


PART = PersonalDataPart(export=export, erase=erase)
