"""Forum pages (htmx) and the forum JSON API. Each route reads the request, calls one
service function and renders; anything live arrives over the page's socket."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.auth.session import require_user
from app.courses.service import get_course
from app.errors import BadInput, CoursewireError
from app.http import created, page, read_form, read_json, redirect
from app.ids import parse_id
from forum import api_docs, events, moderation, queries, service
from forum.access import get_thread, readable_post, viewer_in
from forum.anonymity import LABELS, blur_time, identity_visible
from forum.presenters import post_json, present_post, thread_json
from models.courses import Role
from models.forum import Anonymity, Post, PostStatus
from models.users import User

api_docs.register()


def _limiter(request: Request) -> Any:
    return request.app.state.runtime.limiter


async def _thread_view_page(user: User, thread_id: object) -> tuple[Any, Any, list[Post]]:
    thread = await get_thread(thread_id)
    viewer = await viewer_in(user, thread.course_id)
    posts = await queries.thread_posts(thread.id)
    root = next(p for p in posts if p.depth == 0)
    if not queries.shown_to(root, viewer):
        from app.errors import NotFound

        raise NotFound(f"No thread {thread.id}.")
    return queries.build_page(thread, posts, viewer), viewer, posts


# ---- pages ------------------------------------------------------------------------------------

async def forum_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    return await _render_forum(request, user, course_id, form={}, errors={})


async def _render_forum(request: Request, user: User, course_id: str, *, form: dict[str, str],
                        errors: dict[str, Any], message: str | None = None,
                        status: int = 200) -> Response:
    viewer = await viewer_in(user, course_id)
    course = await get_course(course_id)
    topics = await service.topics_of(user, course_id)
    key = request.query_params.get("topic") or None
    topic = next((t for t in topics if t.key == key), None)
    mine = request.query_params.get("mine") == "1"
    threads = await queries.list_threads(course_id, viewer, topic_key=topic.key if topic else
                                         None, mine=mine)
    settings = await service.forum_settings(course_id)
    role = Role.INSTRUCTOR if user.is_admin else None
    from app.courses.service import role_in

    role = role or await role_in(user, course_id)
    return await page(
        request, "forum/forum.html", status_code=status, course=course, topics=topics,
        topic=topic, mine=mine, staff=viewer.staff, instructor=role == Role.INSTRUCTOR,
        course_id=course_id, scope="mine" if mine else (topic.key if topic else "all"),
        pinned=[t for t in threads if t.pinned], others=[t for t in threads if not t.pinned],
        choices=await service.my_anonymity_choices(course_id), all_levels=list(Anonymity),
        settings=settings, form=form, errors=errors, message=message,
        compose=request.query_params.get("compose") == "1", live_topics=[
            "user:me", f"course:{course_id}:forum",
            *([events.list_topic(course_id, topic.key if topic else None, mine)]
              if topic or mine else [])])


async def discussion_panel(request: Request) -> Response:
    """A `discussion` block on its unit page: the topic's thread list (the same live lists
    as the forum page filtered to that topic) and a way to start a thread there."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    topic = await service.discussion_topic(user, course_id, block_id)
    viewer = await viewer_in(user, course_id)
    threads = await queries.list_threads(course_id, viewer, topic_key=topic.key)
    return await page(request, "forum/_discussion.html", course_id=course_id,
                      block_id=block_id, topic=topic, scope=topic.key, oob=False,
                      pinned=[t for t in threads if t.pinned],
                      others=[t for t in threads if not t.pinned])


async def new_thread_form(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    form = await read_form(request)
    try:
        thread = await service.create_thread(
            user, course_id, form.get("title"), form.get("body"), form.get("anonymity"),
            kind=form.get("type"), topic_id=form.get("topic_id"),
            idempotency_key=form.get("idempotency_key"), limiter=_limiter(request),
            per_minute=service.POSTS_PER_MINUTE)
    except CoursewireError as exc:
        if exc.status in (401, 404):
            raise
        return await _render_forum(request, user, course_id, form=form, errors=exc.fields,
                                   message=exc.message, status=exc.status)
    return redirect(request, f"/forum/threads/{thread.id}")


async def thread_page(request: Request) -> Response:
    user = await require_user(request)
    thread_id = request.path_params["thread_id"]
    page_data, _viewer, _posts = await _thread_view_page(user, thread_id)
    return await page(
        request, "forum/thread.html", page=page_data,
        following=await service.is_following(user, page_data.thread.id),
        my_votes=await events.my_votes(user.id, page_data.thread.id),
        choices=await service.my_anonymity_choices(page_data.thread.course_id), form={},
        errors={}, message=None, live_topics=["user:me", f"thread:{page_data.thread.id}"])


async def post_form(request: Request) -> Response:
    """A reply or comment from the thread page; answers with a fresh form."""
    user = await require_user(request)
    thread_id = request.path_params["thread_id"]
    form = await read_form(request)
    thread = await get_thread(thread_id)
    parent_id = form.get("parent_id") or None
    context = {"thread_id": thread.id, "parent_id": parent_id,
               "choices": await service.my_anonymity_choices(thread.course_id)}
    try:
        post = await service.create_post(
            user, thread.id, form.get("body"), form.get("anonymity"), parent_id=parent_id,
            idempotency_key=form.get("idempotency_key"), limiter=_limiter(request),
            per_minute=service.POSTS_PER_MINUTE)
    except CoursewireError as exc:
        if exc.status in (401, 404):
            raise
        return await page(request, "forum/_post_form.html", status_code=exc.status,
                          form=form, errors=exc.fields, message=exc.message, **context)
    held = post.status == PostStatus.PENDING
    message = "Sent to the course staff for approval." if held else None
    return await page(request, "forum/_post_form.html", form={}, errors={}, message=message,
                      **context)


async def edit_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await service.edit_post(user, request.path_params["post_id"], form.get("body"),
                            limiter=_limiter(request))
    return Response(status_code=204)


async def vote_form(request: Request) -> Response:
    user = await require_user(request)
    await service.vote(user, request.path_params["post_id"], None)
    return Response(status_code=204)


async def flag_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await service.flag_post(user, request.path_params["post_id"], form.get("reason"),
                            limiter=_limiter(request))
    return await page(request, "forum/_flagged.html")


async def follow_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    thread_id = request.path_params["thread_id"]
    following = await service.set_following(user, thread_id, form.get("following") == "1")
    return await page(request, "forum/_follow.html", thread_id=thread_id, following=following)


async def moderate_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await moderation.moderate(user, request.path_params["post_id"], form.get("action"),
                              form.get("reason"))
    return Response(status_code=204)


async def claim_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await moderation.claim(user, request.path_params["post_id"], form.get("release") == "1")
    return Response(status_code=204)


async def ban_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    await moderation.ban_from_posting(
        user, request.path_params["course_id"], hours=form.get("hours"),
        reason=form.get("reason"), user_id=form.get("user_id"), post_id=form.get("post_id"))
    return Response(status_code=204)


async def settings_form(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    form = await read_form(request)
    await service.update_forum_settings(user, course_id, form.get("max_anonymity"),
                                        form.get("moderation"))
    return redirect(request, f"/courses/{course_id}/forum")


async def moderation_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    viewer = await viewer_in(user, course_id)
    if not viewer.staff:
        from app.errors import PermissionDenied

        raise PermissionDenied("The moderation queue is for TAs and instructors.")
    from forum.anonymity import STAFF

    items = await queries.moderation_queue(course_id, STAFF)
    return await page(request, "forum/moderation.html", course=await get_course(course_id),
                      items=items, settings=await service.forum_settings(course_id),
                      live_topics=["user:me", f"course:{course_id}:staff"])


async def history_page(request: Request) -> Response:
    user = await require_user(request)
    post, viewer = await readable_post(user, request.path_params["post_id"])
    view = present_post(post, viewer)
    revisions = await service.post_history(user, post.id)
    return await page(request, "forum/history.html", post=view,
                      revisions=_revision_views(post, viewer, revisions))


def _revision_views(post: Post, viewer: Any, revisions: list[Any]) -> list[dict[str, Any]]:
    visible = viewer.is_author(post.author_id) or identity_visible(Anonymity(post.anonymity),
                                                                   viewer)
    return [{"body_html": r.body_html, "when": blur_time(r.created_at, visible)}
            for r in revisions]


# ---- JSON API -----------------------------------------------------------------------------------

def _anonymity_field(data: dict[str, Any]) -> Any:
    return data.get("anonymity")


async def api_threads(request: Request) -> Response:
    """GET: threads the caller may see (?topic_id=, ?mine=1). POST: start a thread."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    if request.method == "GET":
        viewer = await viewer_in(user, course_id)
        threads = await queries.list_threads(
            course_id, viewer, topic_key=request.query_params.get("topic_id") or None,
            mine=request.query_params.get("mine") in ("1", "true"))
        return JSONResponse([thread_json(t) for t in threads])
    data = await read_json(request)
    thread = await service.create_thread(
        user, course_id, data.get("title"), data.get("body"), _anonymity_field(data),
        kind=data.get("type"), topic_id=data.get("topic_id"),
        idempotency_key=request.headers.get("idempotency-key") or data.get("idempotency_key"),
        limiter=_limiter(request), per_minute=service.POSTS_PER_MINUTE)
    return created(await _thread_detail(user, thread.id))


async def _thread_detail(user: User, thread_id: object) -> dict[str, Any]:
    page_data, _viewer, _posts = await _thread_view_page(user, thread_id)
    data = thread_json(page_data.thread)
    flat: list[dict[str, Any]] = []
    for reply in page_data.replies:
        if reply.placeholder:
            continue
        flat.append(post_json(reply))
        flat.extend(post_json(c) for c in reply.comments if not c.placeholder)
    data["posts"] = flat
    data["following"] = await service.is_following(user, page_data.thread.id)
    return data


async def api_thread(request: Request) -> Response:
    user = await require_user(request)
    return JSONResponse(await _thread_detail(user, request.path_params["thread_id"]))


async def api_posts(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    key = request.headers.get("idempotency-key") or data.get("idempotency_key")
    post = await service.create_post(
        user, request.path_params["thread_id"], data.get("body"), _anonymity_field(data),
        parent_id=data.get("parent_id"), idempotency_key=key, limiter=_limiter(request),
        per_minute=service.POSTS_PER_MINUTE)
    viewer = await viewer_in(user, post.thread.course_id)
    return created(post_json(present_post(post, viewer)))


async def api_post(request: Request) -> Response:
    """GET one post; PATCH {body} edits it (author)."""
    user = await require_user(request)
    post_id = request.path_params["post_id"]
    if request.method == "PATCH":
        data = await read_json(request)
        await service.edit_post(user, post_id, data.get("body"), limiter=_limiter(request))
    post, viewer = await readable_post(user, post_id)
    return JSONResponse(post_json(present_post(post, viewer)))


async def api_revisions(request: Request) -> Response:
    user = await require_user(request)
    post, viewer = await readable_post(user, request.path_params["post_id"])
    revisions = await service.post_history(user, post.id)
    return JSONResponse([{"body_html": r["body_html"], "created_at": r["when"].isoformat()}
                         for r in _revision_views(post, viewer, revisions)])


async def api_votes(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    value = data.get("value", 1)
    if value not in (0, 1) or isinstance(value, bool):
        raise BadInput("value is 1 (upvote) or 0 (withdraw).", fields={"value": "0 or 1."})
    post = await service.vote(user, request.path_params["post_id"], value == 1)
    return JSONResponse({"post_id": post.id, "score": post.score, "voted": value == 1})


async def api_flags(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    flag = await service.flag_post(user, request.path_params["post_id"], data.get("reason"),
                                   limiter=_limiter(request))
    return created({"id": flag.id, "post_id": flag.post_id, "reason": flag.reason,
                    "status": flag.status.value})


async def api_moderation(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    post = await moderation.moderate(user, request.path_params["post_id"], data.get("action"),
                                     data.get("reason"))
    viewer = await viewer_in(user, post.thread.course_id)
    thread = await get_thread(post.thread_id)
    result = post_json(present_post(post, viewer))
    result["thread"] = {"id": thread.id, "pinned": thread.pinned, "locked": thread.locked,
                        "closed": thread.closed}
    return JSONResponse(result)


async def api_claim(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request) if await request.body() else {}
    post = await moderation.claim(user, request.path_params["post_id"],
                                  bool(data.get("release")))
    return JSONResponse({"post_id": post.id, "claimed": post.claimed_by_id == user.id})


async def api_reveal(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    return JSONResponse(await moderation.reveal_author(user, request.path_params["post_id"],
                                                       data.get("reason")))


async def api_follow(request: Request) -> Response:
    user = await require_user(request)
    data = await read_json(request)
    following = data.get("following", True)
    if not isinstance(following, bool):
        raise BadInput("following is true or false.", fields={"following": "A boolean."})
    await service.set_following(user, request.path_params["thread_id"], following)
    thread = await get_thread(request.path_params["thread_id"])
    return JSONResponse({"thread_id": thread.id, "following": following})


async def api_settings(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    if request.method == "PUT":
        data = await read_json(request)
        settings = await service.update_forum_settings(user, course_id,
                                                       data.get("max_anonymity"),
                                                       data.get("moderation"))
    else:
        await viewer_in(user, course_id)
        settings = await service.forum_settings(course_id)
    return JSONResponse({"course_id": course_id, "max_anonymity": settings.max_anonymity.value,
                         "moderation": settings.moderation.value,
                         "anonymity_choices": [a.value for a in Anonymity
                                               if a in await service.my_anonymity_choices(
                                                   course_id)]})


async def api_topics(request: Request) -> Response:
    user = await require_user(request)
    topics = await service.topics_of(user, request.path_params["course_id"])
    return JSONResponse([{"id": t.key, "title": t.title} for t in topics])


async def api_bans(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    data = await read_json(request)
    ban = await moderation.ban_from_posting(user, course_id, hours=data.get("hours"),
                                            reason=data.get("reason"),
                                            user_id=data.get("user_id"),
                                            post_id=data.get("post_id"))
    post_id = parse_id(data.get("post_id"))
    post = await Post.get_or_none(id=post_id) if post_id is not None else None
    return created(moderation.ban_json(ban, post))


async def api_queue(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    viewer = await viewer_in(user, course_id)
    if not viewer.staff:
        from app.errors import PermissionDenied

        raise PermissionDenied("The moderation queue is for TAs and instructors.")
    from forum.anonymity import STAFF

    items = await queries.moderation_queue(course_id, STAFF)
    return JSONResponse([{"post_id": i.post.id, "thread_id": i.thread_id,
                          "thread_title": i.thread_title, "pending": i.pending,
                          "flags": [{"reason": f.reason} for f in i.flags],
                          "claimed_by": i.claimed_by, "post": post_json(i.post)}
                         for i in items])


async def api_audit(request: Request) -> Response:
    user = await require_user(request)
    return JSONResponse(await moderation.audit_log(user, request.path_params["course_id"]))


routes = [
    Route("/courses/{course_id}/forum", forum_page),
    Route("/courses/{course_id}/forum/threads", new_thread_form, methods=["POST"]),
    Route("/courses/{course_id}/forum/discussions/{block_id}", discussion_panel),
    Route("/courses/{course_id}/forum/moderation", moderation_page),
    Route("/courses/{course_id}/forum/settings", settings_form, methods=["POST"]),
    Route("/courses/{course_id}/forum/bans", ban_form, methods=["POST"]),
    Route("/forum/threads/{thread_id:int}", thread_page),
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
    Route("/api/v1/courses/{course_id}/forum/settings", api_settings, methods=["GET", "PUT"]),
    Route("/api/v1/courses/{course_id}/forum/bans", api_bans, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/forum/moderation", api_queue),
    Route("/api/v1/courses/{course_id}/forum/audit", api_audit),
    Route("/api/v1/forum/threads/{thread_id}", api_thread),
    Route("/api/v1/forum/threads/{thread_id}/posts", api_posts, methods=["POST"]),
    Route("/api/v1/forum/threads/{thread_id}/follow", api_follow, methods=["PUT"]),
    Route("/api/v1/forum/posts/{post_id}", api_post, methods=["GET", "PATCH"]),
    Route("/api/v1/forum/posts/{post_id}/revisions", api_revisions),
    Route("/api/v1/forum/posts/{post_id}/votes", api_votes, methods=["POST"]),
    Route("/api/v1/forum/posts/{post_id}/flags", api_flags, methods=["POST"]),
    Route("/api/v1/forum/posts/{post_id}/moderation", api_moderation, methods=["POST"]),
    Route("/api/v1/forum/posts/{post_id}/claim", api_claim, methods=["POST"]),
    Route("/api/v1/forum/posts/{post_id}/reveal", api_reveal, methods=["POST"]),
]

__all__ = ["LABELS", "routes"]
