"""The forum's routes: its pages (htmx) and its JSON API. Each route reads the request, calls
one service function and renders; anything live arrives over the page's socket."""

from __future__ import annotations

from starlette.routing import Route

from forum.api import (
    api_flags,
    api_follow,
    api_post,
    api_posts,
    api_revisions,
    api_search,
    api_settings,
    api_thread,
    api_threads,
    api_topics,
    api_votes,
)
from forum.moderation_api import (
    api_audit,
    api_bans,
    api_claim,
    api_moderation,
    api_queue,
    api_reveal,
)
from forum.moderation_pages import (
    ban_form,
    claim_form,
    moderate_form,
    moderation_page,
    queue_more,
)
from forum.pages import (
    discussion_panel,
    forum_page,
    new_thread_form,
    older_threads_page,
    search_page,
    settings_form,
)
from forum.thread_pages import (
    edit_form,
    flag_form,
    follow_form,
    history_page,
    more_replies_page,
    post_form,
    thread_page,
    vote_form,
)

routes = [
    Route("/courses/{course_id}/forum", forum_page),
    Route("/courses/{course_id}/forum/threads", new_thread_form, methods=["POST"]),
    Route("/courses/{course_id}/forum/search", search_page),
    Route("/courses/{course_id}/forum/older", older_threads_page),
    Route("/courses/{course_id}/forum/discussions/{block_id}", discussion_panel),
    Route("/courses/{course_id}/forum/moderation", moderation_page),
    Route("/courses/{course_id}/forum/moderation/more", queue_more),
    Route("/courses/{course_id}/forum/settings", settings_form, methods=["POST"]),
    Route("/courses/{course_id}/forum/bans", ban_form, methods=["POST"]),
    Route("/forum/threads/{thread_id:int}", thread_page),
    Route("/forum/threads/{thread_id:int}/replies", more_replies_page),
    Route("/forum/threads/{thread_id:int}/posts", post_form, methods=["POST"]),
    Route("/forum/threads/{thread_id:int}/follow", follow_form, methods=["POST"]),
    Route("/forum/posts/{post_id:int}/edit", edit_form, methods=["POST"]),
    Route("/forum/posts/{post_id:int}/vote", vote_form, methods=["POST"]),
    Route("/forum/posts/{post_id:int}/flag", flag_form, methods=["POST"]),
    Route("/forum/posts/{post_id:int}/moderate", moderate_form, methods=["POST"]),
    Route("/forum/posts/{post_id:int}/claim", claim_form, methods=["POST"]),
    Route("/forum/posts/{post_id:int}/history", history_page),
    Route("/api/v1/courses/{course_id}/forum/threads", api_threads, methods=["GET", "POST"]),
    Route("/api/v1/courses/{course_id}/forum/topics", api_topics),
    Route("/api/v1/courses/{course_id}/forum/search", api_search),
    Route("/api/v1/courses/{course_id}/forum/settings", api_settings, methods=["GET", "PUT"]),
    Route("/api/v1/courses/{course_id}/forum/bans", api_bans, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/forum/moderation", api_queue),
    Route("/api/v1/courses/{course_id}/forum/audit", api_audit),
    Route("/api/v1/forum/threads/{thread_id}", api_thread),
    Route("/api/v1/forum/threads/{thread_id}/posts", api_posts, methods=["GET", "POST"]),
    Route("/api/v1/forum/threads/{thread_id}/follow", api_follow, methods=["PUT"]),
    Route("/api/v1/forum/posts/{post_id}", api_post, methods=["GET", "PATCH"]),
    Route("/api/v1/forum/posts/{post_id}/revisions", api_revisions),
    Route("/api/v1/forum/posts/{post_id}/votes", api_votes, methods=["POST"]),
    Route("/api/v1/forum/posts/{post_id}/flags", api_flags, methods=["POST"]),
    Route("/api/v1/forum/posts/{post_id}/moderation", api_moderation, methods=["POST"]),
    Route("/api/v1/forum/posts/{post_id}/claim", api_claim, methods=["POST"]),
    Route("/api/v1/forum/posts/{post_id}/reveal", api_reveal, methods=["POST"]),
]

__all__ = ["routes"]
