"""The course endpoints' part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from core.openapi import COURSE_ID, INT, STR, obj, op

ROLE = {"enum": ["student", "ta", "instructor"]}
COURSE = obj(["id", "title"], id=STR, title=STR, org=STR, number=STR, run=STR, role=ROLE)
MEMBERSHIP = obj(["user_id", "course_id", "role"], user_id=INT, course_id=STR, role=ROLE,
                 group={"type": ["string", "null"]})

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/courses": {
        "get": op("The caller's courses with their role",
                  (200, {"type": "array", "items": COURSE})),
        "post": op("Create a course; the caller becomes its instructor", (201, COURSE),
                   (400, 403, 409), obj(["org", "number", "run", "title"], org=STR,
                                        number=STR, run=STR, title=STR)),
    },
    "/api/v1/courses/{course_id}/members/{user_id}": {"put": {
        **op("Add a member or change their role (instructors)", (200, MEMBERSHIP),
             (400, 403, 404, 409), obj(["role"], role=ROLE, group={
                 "type": "string", "maxLength": 64, "description": "\"\" clears it"})),
        "parameters": [COURSE_ID, {"name": "user_id", "in": "path", "required": True,
                                   "schema": INT}],
    }},
}

MEMBER = obj(["user_id", "name", "email", "role", "group"], user_id=INT, name=STR, email=STR,
             role=ROLE, group={"type": ["string", "null"]})
INVITE = obj(["code", "url"], code=STR, url=STR, role=ROLE, max_uses={"type": ["integer", "null"]},
             expires_at={"type": ["string", "null"], "format": "date-time"})
LIMIT = {"name": "limit", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100},
         "description": "Members per page (default 100, at most 500)"}
AFTER = {"name": "after", "in": "query", "required": False, "schema": INT,
         "description": "The last user id of the previous page (follow the Link header)"}
CSV_BODY = {"required": True, "content": {"text/csv": {"schema": {
    "type": "string", "description": "Header email,name,role[,group]; UTF-8; at most 1 MB "
                                     "and 5000 lines"}}}}
IMPORT = obj(["enrolled", "created", "errors"], enrolled=INT, created=INT, errors={
    "type": "array", "items": obj(["line", "message"], line=INT, message=STR)})

PATHS.update({
    "/api/v1/courses/{course_id}/members": {"get": {
        **op("The course's members by user id (staff); pages with a Link rel=\"next\" header",
             (200, {"type": "array", "items": MEMBER}), (400, 403, 404)),
        "parameters": [COURSE_ID, LIMIT, AFTER],
    }},
    "/api/v1/courses/{course_id}/members/import": {"post": {
        **op("Enrol members from CSV (instructors): valid lines are applied, the others "
             "reported per line; new accounts get a set-password mail",
             (200, IMPORT), (400, 403, 404, 413)),
        "requestBody": CSV_BODY, "parameters": [COURSE_ID],
    }},
    "/api/v1/courses/{course_id}/invites": {"post": {
        **op("Make an invite link (instructors)", (201, INVITE), (400, 403, 404),
             obj(["role"], role=ROLE, max_uses={"type": "integer", "minimum": 1},
                 expires_at={"type": "string", "format": "date-time"})),
        "parameters": [COURSE_ID],
    }},
    "/api/v1/invites/{code}/accept": {"post": {
        **op("Join the invite's course with its role (anyone signed in); 410 once used up, "
             "expired or withdrawn", (200, obj(["course_id", "role"], course_id=STR,
                                               role=ROLE)), (404, 410)),
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": STR}],
    }},
})

GROUP = obj(["id", "name"], id=INT, name=STR, members=INT, staff={
    "type": "array", "items": obj(["user_id", "name"], user_id=INT, name=STR)})
GROUP_ID = {"name": "group_id", "in": "path", "required": True, "schema": INT}
STAFF_IDS = {"type": "array", "items": INT, "description": "TAs and instructors of the course"}
GROUP_PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/courses/{course_id}/groups": {
        "get": {**op("The course's groups with member counts and assigned staff (staff)",
                     (200, {"type": "array", "items": GROUP}), (403, 404)),
                "parameters": [COURSE_ID]},
        "post": {**op("Create a group, optionally with its staff (instructors)", (201, GROUP),
                      (400, 403, 404, 409, 422),
                      obj(["name"], name={"type": "string", "maxLength": 64},
                          staff=STAFF_IDS)),
                 "parameters": [COURSE_ID]},
    },
    "/api/v1/courses/{course_id}/groups/{group_id}": {
        "patch": {**op("Rename a group (its members follow) and/or replace its staff "
                       "(instructors)", (200, GROUP), (400, 403, 404, 409, 422),
                       obj(None, name={"type": "string", "maxLength": 64}, staff=STAFF_IDS)),
                  "parameters": [COURSE_ID, GROUP_ID]},
        "delete": {**op("Delete a group; its members stay, without a group (instructors)",
                        (204, {}), (403, 404)),
                   "parameters": [COURSE_ID, GROUP_ID]},
    },
}
