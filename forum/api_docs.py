"""The forum's part of the OpenAPI document (the contract is ../shared/API.md, Forum)."""

from __future__ import annotations

from app.openapi import _B, _DT, _I, _S, _obj, _op, add_paths

_ANON = {"enum": ["none", "peers", "all"]}
_AUTHOR = {"oneOf": [_obj(["id", "name"], id=_I, name=_S), {"type": "null"}],
           "description": "Only for viewers allowed to see the author; else null"}
POST = _obj(["id", "thread_id", "author", "author_label", "body_html", "status"],
            id=_I, thread_id=_I, parent_id={"type": ["integer", "null"]}, depth=_I,
            status={"enum": ["pending", "published", "hidden", "rejected", "deleted"]},
            anonymity=_ANON, author=_AUTHOR, author_label=_S, body_html=_S, score=_I,
            endorsed=_B, created_at=_DT, edited_at={"type": ["string", "null"]},
            is_mine=_B, body=_S, moderation_reason=_S,
            pending_edit={**_obj(["body_html"], body_html=_S),
                          "description": "An edit held for approval (pre-moderation); only "
                                         "for its author and staff"})
THREAD = _obj(["id", "course_id", "title", "author", "author_label"],
              id=_I, course_id=_S, topic_id=_S, topic_title=_S, title=_S,
              type={"enum": ["question", "discussion"]}, pinned=_B, locked=_B, closed=_B,
              status=_S, anonymity=_ANON, author=_AUTHOR, author_label=_S, post_id=_I,
              body_html=_S, reply_count=_I, created_at=_DT, last_activity_at=_DT,
              posts={"type": "array", "items": POST}, following=_B)
SETTINGS = _obj(["max_anonymity", "moderation"], course_id=_S, max_anonymity=_ANON,
                moderation={"enum": ["pre", "post"]},
                anonymity_choices={"type": "array", "items": _ANON})
_COURSE = {"name": "course_id", "in": "path", "required": True, "schema": _S}
_THREAD = {"name": "thread_id", "in": "path", "required": True, "schema": _I}
_POST = {"name": "post_id", "in": "path", "required": True, "schema": _I}
_IDEM = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": _S,
         "description": "Repeat a request with the same key to get the same post back"}
_ARRAY = {"type": "array"}
ACTIONS = {"enum": ["hide", "unhide", "approve", "reject", "pin", "unpin", "endorse",
                    "unendorse", "lock", "unlock", "close", "reopen", "delete", "dismiss"]}


def register() -> None:
    add_paths({
        "/api/v1/courses/{course_id}/forum/threads": {
            "parameters": [_COURSE],
            "get": {**_op("Threads the caller may see (?topic_id=, ?mine=1 for the caller's own)",
                          (200, {"type": "array", "items": THREAD}), (404,))},
            "post": {**_op("Start a thread; pushed as forum.thread.created. Students file "
                           "under general, a topic staff opened or a published discussion "
                           "block's topic (else 400); an idempotency key reused for another "
                           "post is 409",
                           (201, THREAD), (400, 403, 404, 409, 429),
                           _obj(["title", "body"], title=_S, body=_S, anonymity=_ANON,
                                type={"enum": ["question", "discussion"]}, topic_id=_S)),
                     "parameters": [_IDEM]},
        },
        "/api/v1/courses/{course_id}/forum/topics": {"parameters": [_COURSE], "get": _op(
            "Forum topics (general and per discussion block)",
            (200, {"type": "array", "items": _obj(["id", "title"], id=_S, title=_S)}), (404,))},
        "/api/v1/courses/{course_id}/forum/settings": {
            "parameters": [_COURSE],
            "get": _op("The course's anonymity ceiling and moderation mode", (200, SETTINGS),
                       (404,)),
            "put": _op("Change them (instructors); past posts keep their anonymity",
                       (200, SETTINGS), (400, 403, 404),
                       _obj(max_anonymity=_ANON, moderation={"enum": ["pre", "post"]})),
        },
        "/api/v1/courses/{course_id}/forum/bans": {"parameters": [_COURSE], "post": _op(
            "Ban a member (by user_id, or the author of post_id) from posting for some hours",
            (201, _obj(["id", "until"], id=_I, course_id=_S, until=_DT, reason=_S,
                       user_id={"type": ["integer", "null"]})), (400, 403, 404, 422),
            _obj(["hours", "reason"], hours={"type": "number"}, reason=_S, user_id=_I,
                 post_id=_I))},
        "/api/v1/courses/{course_id}/forum/moderation": {"parameters": [_COURSE], "get": _op(
            "The moderation queue: held and reported posts (ta/instructor)",
            (200, _ARRAY), (403, 404))},
        "/api/v1/courses/{course_id}/forum/audit": {"parameters": [_COURSE], "get": _op(
            "The moderation audit log (instructors)", (200, _ARRAY), (403, 404))},
        "/api/v1/forum/threads/{thread_id}": {"parameters": [_THREAD], "get": _op(
            "A thread with its visible posts (flat, with parent_id)", (200, THREAD), (404,))},
        "/api/v1/forum/threads/{thread_id}/posts": {"parameters": [_THREAD, _IDEM], "post": _op(
            "Reply (no parent_id) or comment on a reply; pushed as forum.post.created",
            (201, POST), (400, 403, 404, 422, 429),
            _obj(["body"], body=_S, anonymity=_ANON, parent_id=_I))},
        "/api/v1/forum/threads/{thread_id}/follow": {"parameters": [_THREAD], "put": _op(
            "Follow or unfollow a thread", (200, _obj(thread_id=_I, following=_B)), (400, 404),
            _obj(["following"], following=_B))},
        "/api/v1/forum/posts/{post_id}": {
            "parameters": [_POST],
            "get": _op("One post", (200, POST), (404,)),
            "patch": _op("Edit your post; the old text goes to its history", (200, POST),
                         (400, 403, 404, 422), _obj(["body"], body=_S)),
        },
        "/api/v1/forum/posts/{post_id}/revisions": {"parameters": [_POST], "get": _op(
            "Earlier versions of a post", (200, _ARRAY), (404,))},
        "/api/v1/forum/posts/{post_id}/votes": {"parameters": [_POST], "post": _op(
            "Upvote (1) or withdraw (0)", (200, _obj(post_id=_I, score=_I, voted=_B)),
            (400, 404, 422), _obj(value={"enum": [0, 1]}))},
        "/api/v1/forum/posts/{post_id}/flags": {"parameters": [_POST], "post": _op(
            "Report a post to staff (any member)", (201, _obj(id=_I, post_id=_I, reason=_S)),
            (400, 404, 422), _obj(["reason"], reason=_S))},
        "/api/v1/forum/posts/{post_id}/moderation": {"parameters": [_POST], "post": _op(
            "Moderate a post or its thread (ta/instructor); audited", (200, POST),
            (400, 403, 404, 409, 422), _obj(["action"], action=ACTIONS, reason=_S))},
        "/api/v1/forum/posts/{post_id}/claim": {"parameters": [_POST], "post": _op(
            "Claim a queue item so other TAs leave it (release: true to let go)",
            (200, _obj(post_id=_I, claimed=_B)), (403, 404, 409), _obj(release=_B))},
        "/api/v1/forum/posts/{post_id}/reveal": {"parameters": [_POST], "post": _op(
            "Reveal an anonymous author (admins; audited, reason required)",
            (200, _obj(post_id=_I, author=_obj(id=_I, name=_S, email=_S))), (400, 403, 404),
            _obj(["reason"], reason=_S))},
    })
