"""Course content for students (course unit pages) and the content API (API.md)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.auth.session import require_user
from app.content import events, service, studio
from app.content.openapi import CONTENT_PATHS
from app.courses.service import get_course
from app.errors import BadInput
from app.http import page
from app.openapi import add_paths


async def unit_page(request: Request) -> Response:
    """A published unit, live: publishing updates its outline and its unit region."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    unit = await service.published_unit(user, course_id, block_id)
    outline = await service.outline_of(course_id)
    topics = ["user:me", f"course:{course_id}", events.unit_topic(course_id, unit.id)]
    if any(block.type == "discussion" for block in unit.blocks):
        topics.append(f"course:{course_id}:forum")  # the discussion block's thread list
    return await page(
        request, "content/unit.html", course=await get_course(course_id), unit=unit,
        outline_html=events.outline_html(course_id, outline, oob=False),
        unit_html=events.unit_html(course_id, unit.id, unit, oob=False), live_topics=topics)


async def api_import(request: Request) -> Response:
    """Import a course archive (.tar.gz of a course folder) into a new draft version."""
    user = await require_user(request)
    body = await request.body()
    if not body:
        raise BadInput("Send the course archive (.tar.gz of the course folder) as the body.")
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
        from app.http import read_json

        expected = (await read_json(request)).get("expected_version")
        if expected is not None and not isinstance(expected, str):
            raise BadInput("expected_version must be a version id string.",
                           fields={"expected_version": "Not a string."})
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


add_paths(CONTENT_PATHS)

routes = [
    Route("/courses/{course_id}/units/{block_id}", unit_page),
    *studio.routes,
    Route("/api/v1/courses/{course_id}/import", api_import, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/publish", api_publish, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/outline", api_outline),
    Route("/api/v1/courses/{course_id}/blocks/{block_id}", api_block),
]
