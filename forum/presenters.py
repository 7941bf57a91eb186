"""What one viewer sees of a post or thread. Templates and JSON read only these views,
never a model's author, so identity can only appear where `forum.anonymity` allows it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.i18n import gettext as _
from core.markdown import local_images_only
from forum.anonymity import Viewer, anonymous, blur_time, identity_visible
from models.forum import Anonymity, Post, PostStatus, Thread


@dataclass
class PostView:
    id: int
    thread_id: int
    parent_id: int | None
    depth: int
    status: str
    anonymity: str
    author: dict[str, Any] | None
    avatar: str
    body_html: str
    score: int
    endorsed: bool
    created_at: datetime
    edited_at: datetime | None
    is_self: bool = False
    staff: bool = False
    body_md: str | None = None  # only in the author's own view (for the edit form)
    moderation_reason: str | None = None
    # A held edit's text (pre-moderation): only its author and staff see it.
    pending_edit_html: str | None = None
    placeholder: bool = False  # a hidden post as a student sees it: an empty slot
    comments: list[PostView] = field(default_factory=list)

    @property
    def author_label(self) -> str:
        """How the author shows, in the language of the page or frame being rendered (a
        live frame is rendered once per language from the same view)."""
        if self.author is None:
            return anonymous()
        if self.anonymity == Anonymity.NONE.value:
            return self.author["name"]
        if self.is_self:
            return _("you (anonymous)")
        return _("%(name)s (anonymous to students)", name=self.author["name"])

    @property
    def visible_to_students(self) -> bool:
        return self.status == PostStatus.PUBLISHED.value


def _initials(name: str) -> str:
    parts = [p for p in name.split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


def present_post(post: Post, viewer: Viewer) -> PostView:
    """`post` as `viewer` may see it. `post.author` must be fetched."""
    own = viewer.is_author(post.author_id)
    anonymity = Anonymity(post.anonymity)
    visible = own or identity_visible(anonymity, viewer)
    if visible:
        name = post.author.name
        author: dict[str, Any] | None = {"id": post.author_id, "name": name}
        avatar = _initials(name)
    else:
        author, avatar = None, "?"
    hidden_from_viewer = post.status != PostStatus.PUBLISHED and not (viewer.staff or own)
    return PostView(
        id=post.id, thread_id=post.thread_id, parent_id=post.parent_id, depth=post.depth,
        status=post.status.value if hasattr(post.status, "value") else str(post.status),
        anonymity=anonymity.value, author=author, avatar=avatar,
        body_html="" if hidden_from_viewer else local_images_only(post.body_html),
        score=post.score, endorsed=post.endorsed,
        created_at=blur_time(post.created_at, visible) or post.created_at,
        edited_at=blur_time(post.edited_at, visible),
        is_self=own, staff=viewer.staff,
        body_md=(post.pending_body_md or post.body_md) if own else None,
        pending_edit_html=local_images_only(post.pending_body_html)
        if post.pending_body_html is not None and (own or viewer.staff) else None,
        moderation_reason=post.moderation_reason if (own or viewer.staff) else None,
        placeholder=hidden_from_viewer,
    )


def post_json(view: PostView) -> dict[str, Any]:
    if view.placeholder:
        return {"id": view.id, "thread_id": view.thread_id, "status": view.status}
    data: dict[str, Any] = {
        "id": view.id, "thread_id": view.thread_id, "parent_id": view.parent_id,
        "depth": view.depth, "status": view.status, "anonymity": view.anonymity,
        "author": view.author, "author_label": view.author_label,
        "body_html": view.body_html, "score": view.score, "endorsed": view.endorsed,
        "created_at": view.created_at.isoformat(),
        "edited_at": view.edited_at.isoformat() if view.edited_at else None,
    }
    if view.is_self:
        data["is_mine"] = True
        data["body"] = view.body_md
    if view.moderation_reason and (view.is_self or view.staff):
        data["moderation_reason"] = view.moderation_reason
    if view.pending_edit_html is not None and (view.is_self or view.staff):
        data["pending_edit"] = {"body_html": view.pending_edit_html}
    return data


@dataclass
class ThreadView:
    id: int
    course_id: str
    topic_key: str
    topic_title: str
    title: str
    kind: str
    pinned: bool
    locked: bool
    closed: bool
    root: PostView
    reply_count: int
    last_activity_at: datetime

    @property
    def status(self) -> str:
        return self.root.status


def present_thread(thread: Thread, root: Post, viewer: Viewer, reply_count: int) -> ThreadView:
    """`thread.topic` and `root.author` must be fetched."""
    return ThreadView(
        id=thread.id, course_id=thread.course_id, topic_key=thread.topic.key,
        topic_title=thread.topic.title, title=thread.title, kind=thread.kind.value,
        pinned=thread.pinned, locked=thread.locked, closed=thread.closed,
        root=present_post(root, viewer), reply_count=reply_count,
        # Minutes only: the latest activity may be an anonymous post.
        last_activity_at=blur_time(thread.last_activity_at, False) or thread.last_activity_at,
    )


def thread_json(view: ThreadView) -> dict[str, Any]:
    root = view.root
    return {
        "id": view.id, "course_id": view.course_id, "topic_id": view.topic_key,
        "topic_title": view.topic_title, "title": view.title, "type": view.kind,
        "pinned": view.pinned, "locked": view.locked, "closed": view.closed,
        "status": root.status, "anonymity": root.anonymity, "author": root.author,
        "author_label": root.author_label, "post_id": root.id,
        "body_html": root.body_html, "reply_count": view.reply_count,
        "created_at": root.created_at.isoformat(),
        "last_activity_at": view.last_activity_at.isoformat(),
        **({"is_mine": True} if root.is_self else {}),
    }


def revision_views(post: Post, viewer: Any, revisions: list[Any]) -> list[dict[str, Any]]:
    visible = viewer.is_author(post.author_id) or identity_visible(Anonymity(post.anonymity),
                                                                   viewer)
    return [{"body_html": local_images_only(r.body_html),
             "when": blur_time(r.created_at, visible)}
            for r in revisions]
