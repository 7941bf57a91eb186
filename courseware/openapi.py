"""The content endpoints' part of the OpenAPI document (see core.openapi)."""

from __future__ import annotations

from typing import Any

from core.openapi import COURSE_ID, DT, STR, obj, op

_VERSION = {"type": "string", "description": "a course version id (24 hex digits)"}
OUTLINE_NODE: dict[str, Any] = obj(
    ["id", "type", "title", "children"], id=STR, type=STR, title=STR,
    children={"type": "array", "items": {"type": "object",
                                         "description": "the same shape, recursively"}},
    release=obj(["reason", "label"], reason={"enum": ["starts", "hidden", "staff_only"]},
                label=STR, until=DT))
BLOCK_VIEW = {
    "type": "object", "required": ["id", "type", "title"],
    "description": "A student's view of one block (the API contract 'Block views'): problem, code, "
                   "peer_review, html {html}, video {url, embed_url, transcript}, "
                   "discussion {topic_id}; containers add children (block ids). Never "
                   "answer keys, feedback keys or hidden tests.",
    "properties": {"id": STR, "type": STR, "title": STR},
    "additionalProperties": True,
}
_BLOCK_ID = {"name": "block_id", "in": "path", "required": True, "schema": STR}
_IMPORT_OK = obj(["course_id", "draft_version"], course_id=STR, draft_version=_VERSION,
                  published_version=_VERSION)

CONTENT_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/courses/{course_id}/import": {"post": {
        **op("Import a course archive (.tar.gz of a course folder) as a new draft "
              "(instructors). Validation errors name the file and line in "
              "error.fields.file / error.fields.line.",
              (200, _IMPORT_OK), (400, 403, 404, 409, 413)),
        "parameters": [COURSE_ID, {"name": "publish", "in": "query", "required": False,
                                    "schema": {"type": "boolean"},
                                    "description": "publish the imported draft too"}],
        "requestBody": {"required": True, "content": {
            "application/gzip": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
    }},
    "/api/v1/courses/{course_id}/publish": {"post": {
        **op("Publish the draft (instructors); pushed as content.published",
              (200, obj(["published_version"], published_version=_VERSION,
                         changed={"type": "boolean"})), (400, 403, 404, 409),
              obj(None, expected_version=_VERSION)),
        "requestBody": {"required": False, "content": {"application/json": {
            "schema": obj(None, expected_version=_VERSION)}}},
        "parameters": [COURSE_ID],
    }},
    "/api/v1/courses/{course_id}/outline": {"get": {
        **op("The published outline tree as the caller reads it now (members): students' "
             "without what is not released to them; staff's whole, each block students do "
             "not see with `release` {reason, label, until}. When a start time passes, "
             "content.released is pushed on course:<id>", (200, OUTLINE_NODE), (404,)),
        "parameters": [COURSE_ID],
    }},
    "/api/v1/courses/{course_id}/blocks/{block_id}": {"get": {
        **op("One published block as a student sees it (members); 404 for a student "
             "until it is released to them", (200, BLOCK_VIEW),
              (404,)),
        "parameters": [COURSE_ID, _BLOCK_ID],
    }},
}
