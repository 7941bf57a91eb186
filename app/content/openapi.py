"""The content endpoints' part of the OpenAPI document (see app.openapi)."""

from __future__ import annotations

from typing import Any

from app.openapi import _COURSE_ID, _S, _obj, _op

_VERSION = {"type": "string", "description": "a course version id (24 hex digits)"}
OUTLINE_NODE: dict[str, Any] = _obj(
    ["id", "type", "title", "children"], id=_S, type=_S, title=_S,
    children={"type": "array", "items": {"type": "object",
                                         "description": "the same shape, recursively"}})
BLOCK_VIEW = {
    "type": "object", "required": ["id", "type", "title"],
    "description": "A student's view of one block (API.md 'Block views'): problem, code, "
                   "peer_review, html {html}, video {url, embed_url, transcript}, "
                   "discussion {topic_id}; containers add children (block ids). Never "
                   "answer keys, feedback keys or hidden tests.",
    "properties": {"id": _S, "type": _S, "title": _S},
    "additionalProperties": True,
}
_BLOCK_ID = {"name": "block_id", "in": "path", "required": True, "schema": _S}
_IMPORT_OK = _obj(["course_id", "draft_version"], course_id=_S, draft_version=_VERSION,
                  published_version=_VERSION)

CONTENT_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/courses/{course_id}/import": {"post": {
        **_op("Import a course archive (.tar.gz of a course folder) as a new draft "
              "(instructors). Validation errors name the file and line in "
              "error.fields.file / error.fields.line.",
              (200, _IMPORT_OK), (400, 403, 404, 409, 413)),
        "parameters": [_COURSE_ID, {"name": "publish", "in": "query", "required": False,
                                    "schema": {"type": "boolean"},
                                    "description": "publish the imported draft too"}],
        "requestBody": {"required": True, "content": {
            "application/gzip": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
    }},
    "/api/v1/courses/{course_id}/publish": {"post": {
        **_op("Publish the draft (instructors); pushed as content.published",
              (200, _obj(["published_version"], published_version=_VERSION,
                         changed={"type": "boolean"})), (400, 403, 404, 409),
              _obj(None, expected_version=_VERSION)),
        "requestBody": {"required": False, "content": {"application/json": {
            "schema": _obj(None, expected_version=_VERSION)}}},
        "parameters": [_COURSE_ID],
    }},
    "/api/v1/courses/{course_id}/outline": {"get": {
        **_op("The published outline tree (members)", (200, OUTLINE_NODE), (404,)),
        "parameters": [_COURSE_ID],
    }},
    "/api/v1/courses/{course_id}/blocks/{block_id}": {"get": {
        **_op("One published block as a student sees it (members)", (200, BLOCK_VIEW),
              (404,)),
        "parameters": [_COURSE_ID, _BLOCK_ID],
    }},
}
