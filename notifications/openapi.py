"""The inbox endpoints' part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from core.openapi import DT, INT, PAGED, STR, obj, op, paging_parameters
from notifications.inbox import INBOX_MAX, INBOX_PAGE
from notifications.kinds import Kind, Mode

NOTIFICATION = obj(["id", "kind", "title", "link", "created_at", "read_at"], id=INT,
                   kind={"enum": [k.value for k in Kind]}, title=STR, body=STR, link=STR,
                   params={"type": "object", "description": "What the title says (thread, course, "
                           "title, points, max), for a client rendering it itself"},
                   course_id={"type": ["string", "null"]}, created_at=DT,
                   read_at={"type": ["string", "null"], "format": "date-time"})
MODES = obj(**{k.value: {"enum": [m.value for m in Mode]} for k in Kind})
NOTIFICATION_ID = {"name": "notification_id", "in": "path", "required": True, "schema": INT}

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/me/notifications": {
        "get": {**op("Your notifications, newest first, and your unread count. " + PAGED,
                     (200, obj(["unread", "notifications"], unread=INT, notifications={
                         "type": "array", "items": NOTIFICATION})), (400,)),
                "parameters": paging_parameters(INBOX_PAGE, INBOX_MAX)},
    },
    "/api/v1/me/notifications/{notification_id}/read": {
        "parameters": [NOTIFICATION_ID],
        "post": op("Mark one of your notifications read (pushed as notification.read)",
                   (200, NOTIFICATION), (404,)),
    },
    "/api/v1/me/notifications/read-all": {
        "post": op("Mark all your notifications read", (200, obj(["marked", "unread"],
                                                                  marked=INT, unread=INT))),
    },
    "/api/v1/me/notification-preferences": {
        "get": op("How each kind of notification reaches you: inbox, immediate (mail at "
                  "once) or digest (daily mail)", (200, MODES)),
        "put": op("Change the modes of the kinds named; the others keep theirs",
                  (200, MODES), (400,), MODES),
    },
}
