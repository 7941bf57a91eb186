"""The LTI endpoints' part of the OpenAPI document (the admin's platform registrations,
staff's grade sends, the instructors' roster sync)."""

from __future__ import annotations

from typing import Any

from core.openapi import COURSE_ID, DT, INT, STR, obj, op, paging_parameters
from lti.score_sends import SENDS_LIMIT, SENDS_MAX

STRINGS = {"type": "array", "items": STR}
URL = {"type": "string", "format": "uri"}
REGISTRATION_FIELDS = ["issuer", "client_id", "deployment_ids", "auth_login_url",
                       "auth_token_url", "key_set_url"]
REGISTRATION_BODY = obj(REGISTRATION_FIELDS, issuer=STR, client_id=STR,
                        deployment_ids=STRINGS, auth_login_url=URL, auth_token_url=URL,
                        key_set_url=URL)
REGISTRATION = obj(["id", *REGISTRATION_FIELDS], id=INT, issuer=STR, client_id=STR,
                   deployment_ids=STRINGS, auth_login_url=URL, auth_token_url=URL,
                   key_set_url=URL, created_at=DT)
NUMBER = {"type": "number"}
NULLABLE_STR = {"type": ["string", "null"]}
NULLABLE_DT = {"type": ["string", "null"], "format": "date-time"}
SCORE_SEND = obj(
    ["id", "user_id", "user_name", "platform", "link_title", "block_id", "given", "maximum",
     "status", "attempts", "last_error", "changed_at", "next_try_at", "sent_at"],
    id=INT, user_id=INT, user_name=STR, platform=STR, link_title=STR,
    block_id=NULLABLE_STR, given=NUMBER, maximum=NUMBER,
    status={"type": "string", "enum": ["pending", "failed", "sent"]}, attempts=INT,
    last_error=NULLABLE_STR, changed_at=DT, next_try_at=NULLABLE_DT, sent_at=NULLABLE_DT)
SCORE_ID = {"name": "score_id", "in": "path", "required": True, "schema": INT}
REGISTRATION_ID = {"name": "registration_id", "in": "path", "required": True, "schema": INT}

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/lti/registrations": {
        "get": op("The registered LTI platforms (site admins)",
                  (200, {"type": "array", "items": REGISTRATION}), (403,)),
        "post": op("Register an LTI 1.3 platform (site admins)", (201, REGISTRATION),
                   (400, 403, 409), REGISTRATION_BODY),
    },
    "/api/v1/lti/registrations/{registration_id}": {
        "parameters": [REGISTRATION_ID],
        "delete": op("Remove a platform with its logins in flight and resource links "
                     "(site admins)", (204, {}), (403, 404)),
    },
    "/api/v1/courses/{course_id}/lti/scores": {
        "parameters": [COURSE_ID],
        "get": {**op("The course's grade sends a platform has not taken yet, oldest first, "
                     "with the platform's last error (staff); keyset-paged",
                     (200, {"type": "array", "items": SCORE_SEND}), (400, 403, 404)),
                "parameters": paging_parameters(SENDS_LIMIT, SENDS_MAX)},
    },
    "/api/v1/courses/{course_id}/lti/scores/{score_id}/retry": {
        "parameters": [COURSE_ID, SCORE_ID],
        "post": op("Send a waiting grade to its platform now (staff); the send as it is "
                   "afterwards", (200, SCORE_SEND), (403, 404)),
    },
    "/api/v1/courses/{course_id}/lti/roster-sync": {
        "parameters": [COURSE_ID],
        "post": op("Read the course's rosters from its platforms now (Names and Role "
                   "Provisioning; instructors): listed members are enrolled with their role, "
                   "members no longer listed are marked inactive (their work stays)",
                   (200, obj(["active", "inactive"], active=INT, inactive=INT)),
                   (400, 403, 404, 502)),
    },
}
