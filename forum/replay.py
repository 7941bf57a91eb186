"""Replay re-checks forum events against the posts as they are now (realtime/replay.py).

A post deleted, hidden, rejected or still held since its event was logged is not replayed
to anyone who may not see it now (a student enrolled today never receives a removed post's
text), and a post replayed shows its current text and author label, as a fresh page would.
"""

from __future__ import annotations

from typing import Any

from forum.anonymity import Viewer
from forum.presenters import post_json, present_post
from forum.queries import shown_to
from models.forum import Post, PostStatus
from models.users import User


async def _post(post_id: Any, cache: dict[Any, Any]) -> Post | None:
    if not isinstance(post_id, int):
        return None
    key = ("forum.post", post_id)
    if key not in cache:
        cache[key] = await Post.get_or_none(id=post_id).prefetch_related("author")
    return cache[key]


async def _root(post: Post, cache: dict[Any, Any]) -> Post | None:
    if post.depth == 0:
        return post
    key = ("forum.root", post.thread_id)
    if key not in cache:
        cache[key] = await Post.get_or_none(thread_id=post.thread_id, depth=0
                                            ).prefetch_related("author")
    return cache[key]


def _post_id(name: str, data: dict[str, Any]) -> Any:
    if "id" in data and "thread_id" in data:  # a post as presented, or its "gone" stub
        return data["id"]
    if isinstance(data.get("post"), dict):  # a moderation queue item
        return data["post"].get("id")
    if name == "forum.post.created" and "post_id" in data:  # a follower's notice
        return data["post_id"]
    return None  # decisions, bans, resolutions: no post content to re-check


def _visible(post: Post, viewer: Viewer) -> bool:
    if not shown_to(post, viewer):
        return False
    return not present_post(post, viewer).placeholder


async def recheck_forum_event(name: str, data: Any, user: User, audience: str,
                              cache: dict[Any, Any]) -> Any:
    """The event's data as `user` (reading as `audience`) may see it now, or None."""
    if not isinstance(data, dict):
        return data
    post_id = _post_id(name, data)
    if post_id is None:
        return data
    post = await _post(post_id, cache)
    if post is None:
        return None
    viewer = Viewer("staff" if audience == "staff" else "student",
                    user.id if audience == "self" else None)
    root = await _root(post, cache)
    if root is None or not _visible(root, viewer) or (
            root.status == PostStatus.HIDDEN and not viewer.staff):
        return None
    if not _visible(post, viewer):
        return None
    current = post_json(present_post(post, viewer))
    data = dict(data)
    if "body_html" in data:
        data.update(current)
    if isinstance(data.get("post"), dict):
        data["post"] = {**data["post"], **current}
    if isinstance(data.get("thread"), dict) and "body_html" in data["thread"]:
        root_view = post_json(present_post(root, viewer))
        data["thread"] = {**data["thread"], "status": root_view["status"],
                          "body_html": root_view["body_html"],
                          "author": root_view["author"],
                          "author_label": root_view["author_label"]}
    return data
