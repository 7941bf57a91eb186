"""The OpenAPI 3.1 document for /api/v1, served at /api/v1/openapi.json.

Written out explicitly so the contract in API.md is visible in one place; a test checks
that every /api route is described here and every path here is routed.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


def _obj(required: list[str] | None = None, **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


_S = {"type": "string"}
_I = {"type": "integer"}
_B = {"type": "boolean"}
_DT = {"type": "string", "format": "date-time"}
ERROR = _obj(["error"], error=_obj(["code", "message"], code=_S, message=_S,
                                   fields={"type": "object"}))
USER = _obj(["id", "email", "name"], id=_I, email=_S, name=_S, is_admin=_B)
COURSE = _obj(["id", "title"], id=_S, title=_S, org=_S, number=_S, run=_S,
              role={"enum": ["student", "ta", "instructor"]})
ANNOUNCEMENT = _obj(["id", "title", "body_html", "created_at"], id=_I, course_id=_S, title=_S,
                    body_html=_S, created_at=_DT)
MEMBERSHIP = _obj(["user_id", "course_id", "role"], user_id=_I, course_id=_S,
                  role={"enum": ["student", "ta", "instructor"]})


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: tuple[int, dict[str, Any]], errors: tuple[int, ...] = (),
        body: dict[str, Any] | None = None, auth: bool = True) -> dict[str, Any]:
    status, schema = ok
    responses: dict[str, Any] = {str(status): {"description": "OK", **_json(schema)}}
    for code in (*errors, *((401,) if auth else ())):
        responses[str(code)] = {"description": "Error", **_json(ERROR)}
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    if not auth:
        op["security"] = []
    return op


_COURSE_ID = {"name": "course_id", "in": "path", "required": True, "schema": _S,
              "description": "course-v1:ORG+NUMBER+RUN"}

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/auth/register": {"post": _op(
        "Create an account", (201, USER), (400, 409),
        _obj(["email", "password", "name"], email=_S, password=_S, name=_S), auth=False)},
    "/api/v1/auth/token": {"post": _op(
        "Exchange email and password for a bearer token",
        (200, _obj(["access_token", "token_type", "expires_in"], access_token=_S,
                   token_type={"const": "bearer"}, expires_in=_I)),
        (400, 401, 429), _obj(["email", "password"], email=_S, password=_S), auth=False)},
    "/api/v1/me": {"get": _op("The caller's account", (200, USER))},
    "/api/v1/courses": {
        "get": _op("The caller's courses with their role",
                   (200, {"type": "array", "items": COURSE})),
        "post": _op("Create a course; the caller becomes its instructor", (201, COURSE),
                    (400, 403, 409), _obj(["org", "number", "run", "title"], org=_S,
                                          number=_S, run=_S, title=_S)),
    },
    "/api/v1/courses/{course_id}/members/{user_id}": {"put": {
        **_op("Add a member or change their role (instructors)", (200, MEMBERSHIP),
              (400, 403, 404, 409), _obj(["role"], role={"enum": ["student", "ta",
                                                                   "instructor"]})),
        "parameters": [_COURSE_ID, {"name": "user_id", "in": "path", "required": True,
                                    "schema": _I}],
    }},
    "/api/v1/courses/{course_id}/announcements": {
        "parameters": [_COURSE_ID],
        "get": _op("Announcements, newest first (members)",
                   (200, {"type": "array", "items": ANNOUNCEMENT}), (404,)),
        "post": _op("Post an announcement (instructors); pushed as announcement.created",
                    (201, ANNOUNCEMENT), (400, 403, 404),
                    _obj(["title", "body"], title=_S, body={"type": "string",
                                                             "description": "Markdown"})),
    },
}

_extra_paths: dict[str, dict[str, Any]] = {}


def add_paths(paths: dict[str, dict[str, Any]]) -> None:
    """Domain packages describe their own endpoints here."""
    _extra_paths.update(paths)


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Coursewire API", "version": "1",
                 "description": "Errors are {error: {code, message, fields}} with a 4xx status."},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                                      "bearerFormat": "JWT"}},
                       "schemas": {"Error": ERROR}},
        "security": [{"bearer": []}],
        "paths": {**PATHS, **_extra_paths},
    }


async def _openapi(_request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


openapi_route = Route("/api/v1/openapi.json", _openapi, include_in_schema=False)
