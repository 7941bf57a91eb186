"""Course content for students (course unit pages) and the content API."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.body_size import BodySize, limit_body
from core.errors import BadInput
from core.http import read_json
from core.i18n import gettext as _
from courses.service import require_role
from courseware import bank_pages, events, service, studio
from models.courses import Role


async def unit_page(request: Request) -> Response:
    """A published unit, live: publishing updates its outline and its unit region."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    # The page's frame (app.frame_routes) read the membership a moment ago in this request.
    view = await service.published_unit(user, course_id, block_id,
                                        read=request.scope.get("state", {}).get("membership"))
    unit = view.unit
    topics = ["user:me", f"course:{course_id}", events.unit_topic(course_id, unit.id)]
    if any(block.type == "discussion" for block in unit.blocks):
        topics.append(f"course:{course_id}:forum")  # the discussion block's thread list
    return await page(
        request, "content/unit.html", course=view.course, unit=unit,
        outline_html=events.outline_html(course_id, view.outline, oob=False),
        unit_html=events.unit_html(course_id, unit.id, unit, oob=False), live_topics=topics)


async def api_import(request: Request) -> Response:
    """Import a course archive (.tar.gz of a course folder) into a new draft version."""
    user = await require_user(request)
    # Who may import is checked before the (up to 50 MB) archive is read.
    await require_role(user, request.path_params["course_id"], Role.INSTRUCTOR)
    body = await request.body()
    if not body:
        raise BadInput(_("Send the course archive (.tar.gz of the course folder) as the body."))
    publish = request.query_params.get("publish", "") in ("1", "true", "yes")
    result = await service.import_course_folder(
        user, body, course_id=request.path_params["course_id"], publish=publish)
    data: dict[str, object] = {"course_id": result.course_id,
                               "draft_version": result.draft_version}
    if publish:
        data["published_version"] = result.published_version
    return JSONResponse(data)


async def api_publish(request: Request) -> Response:
    """Publish the draft; optional body {expected_version} publishes exactly that draft."""
    user = await require_user(request)
    expected = None
    if await request.body():
        expected = (await read_json(request)).get("expected_version")
        if expected is not None and not isinstance(expected, str):
            raise BadInput(_("expected_version must be a version id string."),
                           fields={"expected_version": _("Not a string.")})
    commit = await service.publish_course(user, request.path_params["course_id"], expected)
    return JSONResponse({"published_version": commit.version, "changed": commit.changed})


async def api_outline(request: Request) -> Response:
    """The published outline tree {id, type, title, children}."""
    user = await require_user(request)
    return JSONResponse(await service.published_outline(user, request.path_params["course_id"]))


async def api_block(request: Request) -> Response:
    """One published block as a student sees it (never answer keys or hidden tests)."""
    user = await require_user(request)
    return JSONResponse(await service.published_block(
        user, request.path_params["course_id"], request.path_params["block_id"]))



routes = [
    Route("/courses/{course_id}/units/{block_id}", unit_page),
    *studio.routes,
    *bank_pages.routes,
    limit_body(BodySize.UPLOAD,
               Route("/api/v1/courses/{course_id}/import", api_import, methods=["POST"])),
    Route("/api/v1/courses/{course_id}/publish", api_publish, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/outline", api_outline),
    Route("/api/v1/courses/{course_id}/blocks/{block_id}", api_block),
]
