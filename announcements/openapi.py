"""The announcement endpoints' part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from core.openapi import COURSE_ID, DT, INT, STR, obj, op

ANNOUNCEMENT = obj(["id", "title", "body_html", "created_at"], id=INT, course_id=STR,
                   title=STR, body_html=STR, created_at=DT)

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/courses/{course_id}/announcements": {
        "parameters": [COURSE_ID],
        "get": op("Announcements, newest first (members)",
                  (200, {"type": "array", "items": ANNOUNCEMENT}), (404,)),
        "post": op("Post an announcement (instructors); pushed as announcement.created",
                   (201, ANNOUNCEMENT), (400, 403, 404),
                   obj(["title", "body"], title=STR, body={"type": "string",
                                                          "description": "Markdown"})),
    },
}
