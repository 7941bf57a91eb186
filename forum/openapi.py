"""The forum's part of the OpenAPI document served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from core.openapi import BOOL, DT, INT, PAGED, STR, obj, op, paging_parameters
from forum.changes import Action
from forum.queue_pages import QUEUE_LIMIT, QUEUE_MAX
from forum.reply_pages import REPLIES_LIMIT, REPLIES_MAX
from forum.search import MAX_QUERY, SEARCH_LIMIT, SEARCH_MAX
from forum.thread_list import THREADS_LIMIT, THREADS_MAX

_ANON = {"enum": ["none", "peers", "all"]}
_AUTHOR = {"oneOf": [obj(["id", "name"], id=INT, name=STR), {"type": "null"}],
           "description": "Only for viewers allowed to see the author; else null"}
POST = obj(["id", "thread_id", "author", "author_label", "body_html", "status"],
            id=INT, thread_id=INT, parent_id={"type": ["integer", "null"]}, depth=INT,
            status={"enum": ["pending", "published", "hidden", "rejected", "deleted"]},
            anonymity=_ANON, author=_AUTHOR, author_label=STR, body_html=STR, score=INT,
            endorsed=BOOL, created_at=DT, edited_at={"type": ["string", "null"]},
            is_mine=BOOL, body=STR, moderation_reason=STR,
            pending_edit={**obj(["body_html"], body_html=STR),
                          "description": "An edit held for approval (pre-moderation); only "
                                         "for its author and staff"})
THREAD = obj(["id", "course_id", "title", "author", "author_label"],
              id=INT, course_id=STR, topic_id=STR, topic_title=STR, title=STR,
              type={"enum": ["question", "discussion"]}, pinned=BOOL, locked=BOOL, closed=BOOL,
              status=STR, anonymity=_ANON, author=_AUTHOR, author_label=STR, post_id=INT,
              body_html=STR, reply_count=INT, created_at=DT, last_activity_at=DT,
              posts={"type": "array", "items": POST}, following=BOOL)
SETTINGS = obj(["max_anonymity", "moderation"], course_id=STR, max_anonymity=_ANON,
                moderation={"enum": ["pre", "post"]},
                anonymity_choices={"type": "array", "items": _ANON})
_COURSE = {"name": "course_id", "in": "path", "required": True, "schema": STR}
_THREAD = {"name": "thread_id", "in": "path", "required": True, "schema": INT}
_POST = {"name": "post_id", "in": "path", "required": True, "schema": INT}
_IDEM = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": STR,
         "description": "Repeat a request with the same key to get the same post back"}
_ARRAY = {"type": "array"}
_GROUP_FILTER = {"name": "group", "in": "query", "required": False, "schema": STR,
                 "description": "mine, all or a group's name"}


SEARCH_PARAMETERS = [
    {"name": "q", "in": "query", "required": True, "schema": {**STR, "maxLength": MAX_QUERY},
     "description": "The words to find (each one, case-insensitive)"},
    *paging_parameters(SEARCH_LIMIT, SEARCH_MAX)]
ACTIONS = {"enum": [action.value for action in Action]}


def paths() -> dict[str, dict[str, Any]]:
    """The forum's endpoints, for the OpenAPI document (handed over by forum.install)."""
    return {
        "/api/v1/courses/{course_id}/forum/threads": {
            "parameters": [_COURSE],
            "get": {**op("Threads the caller may see (?topic_id=, ?mine=1 for the caller's own), "
                          "pinned first, then by latest activity. Paged by keyset: while more "
                          "remain, a `Link: <url>; rel=\"next\"` header gives the next page",
                          (200, {"type": "array", "items": THREAD}), (400, 404)),
                    "parameters": paging_parameters(THREADS_LIMIT, THREADS_MAX)},
            "post": {**op("Start a thread; pushed as forum.thread.created. Students file "
                           "under general, a topic staff opened or a published discussion "
                           "block's topic (else 400); an idempotency key reused for another "
                           "post is 409",
                           (201, THREAD), (400, 403, 404, 409, 429),
                           obj(["title", "body"], title=STR, body=STR, anonymity=_ANON,
                                type={"enum": ["question", "discussion"]}, topic_id=STR)),
                     "parameters": [_IDEM]},
        },
        "/api/v1/courses/{course_id}/forum/search": {
            "parameters": [_COURSE, *SEARCH_PARAMETERS],
            "get": op("Threads and posts whose title or text holds every word of ?q=, newest "
                      "first, as the thread pages show them to the caller (anonymity, held "
                      "and hidden posts alike). Paged by keyset: while more remain, a "
                      "`Link: <url>; rel=\"next\"` header gives the next page's URL",
                      (200, {"type": "array", "items": obj(["thread", "post"], thread=THREAD,
                                                           post=POST)}), (400, 404))},
        "/api/v1/courses/{course_id}/forum/topics": {"parameters": [_COURSE], "get": op(
            "Forum topics (general and per discussion block)",
            (200, {"type": "array", "items": obj(["id", "title"], id=STR, title=STR)}), (404,))},
        "/api/v1/courses/{course_id}/forum/settings": {
            "parameters": [_COURSE],
            "get": op("The course's anonymity ceiling and moderation mode", (200, SETTINGS),
                       (404,)),
            "put": op("Change them (instructors); past posts keep their anonymity",
                       (200, SETTINGS), (400, 403, 404),
                       obj(max_anonymity=_ANON, moderation={"enum": ["pre", "post"]})),
        },
        "/api/v1/courses/{course_id}/forum/bans": {"parameters": [_COURSE], "post": op(
            "Ban a member (by user_id, or the author of post_id) from posting for some hours",
            (201, obj(["id", "until"], id=INT, course_id=STR, until=DT, reason=STR,
                       user_id={"type": ["integer", "null"]})), (400, 403, 404, 422),
            obj(["hours", "reason"], hours={"type": "number"}, reason=STR, user_id=INT,
                 post_id=INT))},
        "/api/v1/courses/{course_id}/forum/moderation": {"parameters": [_COURSE], "get": {
            **op("The moderation queue: held and reported posts (ta/instructor), the latest "
                 "to need attention first; ?group= mine, all or a group's name (staff "
                 "assigned to groups default to theirs; each item's `group` is its author's, "
                 "null if anonymous to staff). " + PAGED, (200, _ARRAY), (400, 403, 404)),
            "parameters": [*paging_parameters(QUEUE_LIMIT, QUEUE_MAX), _GROUP_FILTER]}},
        "/api/v1/courses/{course_id}/forum/audit": {"parameters": [_COURSE], "get": op(
            "The moderation audit log (instructors)", (200, _ARRAY), (403, 404))},
        "/api/v1/forum/threads/{thread_id}": {"parameters": [_THREAD], "get": op(
            "A thread with its visible posts (flat, with parent_id)", (200, THREAD), (404,))},
        "/api/v1/forum/threads/{thread_id}/posts": {
            "parameters": [_THREAD],
            "get": {**op("The thread's replies in page order (oldest first), each followed by "
                         "its comments, flat with parent_id, as the thread page shows them to "
                         "the caller. " + PAGED + "; a page holds `limit` replies",
                         (200, {"type": "array", "items": POST}), (400, 404)),
                    "parameters": paging_parameters(REPLIES_LIMIT, REPLIES_MAX)},
            "post": {**op("Reply (no parent_id) or comment on a reply; pushed as "
                          "forum.post.created", (201, POST), (400, 403, 404, 422, 429),
                          obj(["body"], body=STR, anonymity=_ANON, parent_id=INT)),
                     "parameters": [_IDEM]}},
        "/api/v1/forum/threads/{thread_id}/follow": {"parameters": [_THREAD], "put": op(
            "Follow or unfollow a thread", (200, obj(thread_id=INT, following=BOOL)), (400, 404),
            obj(["following"], following=BOOL))},
        "/api/v1/forum/posts/{post_id}": {
            "parameters": [_POST],
            "get": op("One post", (200, POST), (404,)),
            "patch": op("Edit your post; the old text goes to its history", (200, POST),
                         (400, 403, 404, 422), obj(["body"], body=STR)),
        },
        "/api/v1/forum/posts/{post_id}/revisions": {"parameters": [_POST], "get": op(
            "Earlier versions of a post", (200, _ARRAY), (404,))},
        "/api/v1/forum/posts/{post_id}/votes": {"parameters": [_POST], "post": op(
            "Upvote (1) or withdraw (0)", (200, obj(post_id=INT, score=INT, voted=BOOL)),
            (400, 404, 422), obj(value={"enum": [0, 1]}))},
        "/api/v1/forum/posts/{post_id}/flags": {"parameters": [_POST], "post": op(
            "Report a post to staff (any member)", (201, obj(id=INT, post_id=INT, reason=STR)),
            (400, 404, 422), obj(["reason"], reason=STR))},
        "/api/v1/forum/posts/{post_id}/moderation": {"parameters": [_POST], "post": op(
            "Moderate a post or its thread (ta/instructor); audited", (200, POST),
            (400, 403, 404, 409, 422), obj(["action"], action=ACTIONS, reason=STR))},
        "/api/v1/forum/posts/{post_id}/claim": {"parameters": [_POST], "post": op(
            "Claim a queue item so other TAs leave it (release: true to let go)",
            (200, obj(post_id=INT, claimed=BOOL)), (403, 404, 409), obj(release=BOOL))},
        "/api/v1/forum/posts/{post_id}/reveal": {"parameters": [_POST], "post": op(
            "Reveal an anonymous author (admins; audited, reason required)",
            (200, obj(post_id=INT, author=obj(id=INT, name=STR, email=STR))), (400, 403, 404),
            obj(["reason"], reason=STR))},
    }
