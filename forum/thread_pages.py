"""A thread's page and the forms on it: replies, edits, votes, reports, following, history."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from accounts.pages import page
from accounts.session import require_user
from core.errors import CoursewireError
from core.http import read_form
from core.i18n import gettext as _
from core.paging import page_request
from forum import posting, queries
from forum.access import get_thread, readable_post
from forum.flags import flag_post
from forum.follows import is_following, set_following
from forum.fragments import more_replies
from forum.posts import create_post, edit_post, post_history
from forum.presenters import present_post, revision_views
from forum.queries import open_thread_page
from forum.reply_pages import REPLIES_LIMIT, first_replies, more_url, replies_after
from forum.settings import my_anonymity_choices
from forum.votes import vote
from models.forum import PostStatus


async def thread_page(request: Request) -> Response:
    user = await require_user(request)
    thread_id = request.path_params["thread_id"]
    page_data, _viewer, _posts = await open_thread_page(user, thread_id)
    replies, more = first_replies(page_data.thread.id, page_data.replies)
    return await page(
        request, "forum/thread.html", page=page_data, replies=replies, more=more,
        following=await is_following(user, page_data.thread.id),
        my_votes=await queries.my_votes(user.id, page_data.thread.id),
        choices=await my_anonymity_choices(page_data.thread.course_id), form={},
        errors={}, message=None, live_topics=["user:me", f"thread:{page_data.thread.id}"])


async def more_replies_page(request: Request) -> Response:
    """The replies after a key and the next "load more" control (or the end marker): they
    replace the control that asked, so they land below the replies already shown."""
    user = await require_user(request)
    page_data, _viewer, posts = await open_thread_page(user, request.path_params["thread_id"])
    key = page_request(request.query_params, default=REPLIES_LIMIT,
                       maximum=REPLIES_LIMIT).key(1)
    replies, after = replies_after(page_data.replies, posts, REPLIES_LIMIT,
                                   key[0] if key else None)
    return HTMLResponse(more_replies(
        page_data, replies, more_url(page_data.thread.id, after),
        await my_anonymity_choices(page_data.thread.course_id)))


async def post_form(request: Request) -> Response:
    """A reply or comment from the thread page; answers with a fresh form."""
    user = await require_user(request)
    thread_id = request.path_params["thread_id"]
    form = await read_form(request)
    thread = await get_thread(thread_id)
    parent_id = form.get("parent_id") or None
    context = {"thread_id": thread.id, "parent_id": parent_id,
               "choices": await my_anonymity_choices(thread.course_id)}
    try:
        post = await create_post(
            user, thread.id, form.get("body"), form.get("anonymity"), parent_id=parent_id,
            idempotency_key=form.get("idempotency_key"), limiter=request.app.state.runtime.limiter,
            per_minute=posting.POSTS_PER_MINUTE)
    except CoursewireError as exc:
        if exc.status in (401, 404):
            raise
        return await page(request, "forum/_post_form.html", status_code=exc.status,
                          form=form, errors=exc.fields, message=exc.message, **context)
    held = post.status == PostStatus.PENDING
    message = _("Sent to the course staff for approval.") if held else None
    return await page(request, "forum/_post_form.html", form={}, errors={}, message=message,
                      **context)


async def edit_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await edit_post(user, request.path_params["post_id"], form.get("body"),
                            limiter=request.app.state.runtime.limiter)
    return Response(status_code=204)


async def vote_form(request: Request) -> Response:
    user = await require_user(request)
    await vote(user, request.path_params["post_id"], None)
    return Response(status_code=204)


async def flag_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await flag_post(user, request.path_params["post_id"], form.get("reason"),
                            limiter=request.app.state.runtime.limiter)
    return await page(request, "forum/_flagged.html")


async def follow_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    thread_id = request.path_params["thread_id"]
    following = await set_following(user, thread_id, form.get("following") == "1")
    return await page(request, "forum/_follow.html", thread_id=thread_id, following=following)


async def history_page(request: Request) -> Response:
    user = await require_user(request)
    post, viewer = await readable_post(user, request.path_params["post_id"])
    view = present_post(post, viewer)
    revisions = await post_history(user, post.id)
    return await page(request, "forum/history.html", post=view,
                      revisions=revision_views(post, viewer, revisions))
