"""The account endpoints' part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from core.openapi import BOOL, ERROR, INT, STR, json_body, obj, op

USER = obj(["id", "email", "name"], id=INT, email=STR, name=STR, is_admin=BOOL)
ME = obj(["id", "email", "name", "is_admin", "timezone", "language"], id=INT, email=STR,
         name=STR, is_admin=BOOL,
         timezone={"type": ["string", "null"],
                   "description": "IANA zone; null: not chosen yet (UTC)"},
         language={"type": ["string", "null"], "enum": ["en", "fi", "es", None],
                   "description": "Pages and mail in this language; null: the browser's "
                                  "(Accept-Language)"})

DETAIL = obj(["detail"], detail=STR)
EXPORT = obj(["format", "exported_at", "profile", "events"], format=STR, exported_at=STR,
             profile=ME, events={"type": "array", "items": {"type": "object"}})

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/auth/register": {"post": op(
        "Create an account", (201, USER), (400, 409),
        obj(["email", "password", "name"], email=STR, password=STR, name=STR), auth=False)},
    "/api/v1/auth/token": {"post": op(
        "Exchange email and password for a bearer token",
        (200, obj(["access_token", "token_type", "expires_in"], access_token=STR,
                  token_type={"const": "bearer"}, expires_in=INT)),
        (400, 401, 429), obj(["email", "password"], email=STR, password=STR), auth=False)},
    "/api/v1/auth/logout": {"post": {
        "summary": "End the caller's sessions: this token and every cookie and token "
                   "issued before it stop working",
        "responses": {"204": {"description": "Signed out"},
                      "401": {"description": "Error", **json_body(ERROR)}}}},
    "/api/v1/auth/password-reset": {"post": op(
        "Mail a password reset link (the same answer whether or not the account exists)",
        (202, obj(["detail"], detail=STR)), (400, 429), obj(["email"], email=STR), auth=False)},
    "/api/v1/auth/password-reset/confirm": {"post": op(
        "Set a new password with a mailed token: it works once, expires, and ends the "
        "account's other sessions and tokens",
        (200, USER), (400,), obj(["token", "password"], token=STR, password=STR), auth=False)},
    "/api/v1/me/export": {"get": op(
        "Everything stored about the caller, as one JSON document: profile, memberships, "
        "submissions and grades, forum posts (anonymous ones too), peer reviews given and "
        "received (without reviewer identities), quiz attempts, mail and the events on "
        "their own topic. `?download=1` answers it as a file",
        (200, EXPORT))},
    "/api/v1/users/{user_id}": {
        "parameters": [{"name": "user_id", "in": "path", "required": True, "schema": INT}],
        "delete": op(
            "Erase an account (site administrators): as `DELETE /api/v1/me`, without the "
            "password", (202, DETAIL), (403, 404, 422))},
    "/api/v1/me": {
        "delete": op(
            "Erase the caller's account, confirmed with their password: it can no longer sign "
            "in, its sessions and sockets end, and its name and email are gone from every "
            "page, API, export, event and search; course statistics keep their counts "
            "(the work stays, owned by a \"Deleted user\")",
            (202, DETAIL), (400, 403), obj(["password"], password=STR)),
        "get": op("The caller's account", (200, ME)),
        "patch": op(
            "Change the caller's settings. `timezone` (an IANA name such as Europe/Helsinki) "
            "is the zone every page shows times in; with `detected: true` (the page sends the "
            "browser's zone once) it is only set when the user has none yet. `language` (en, "
            "fi or es; null for the browser's) is the language of pages and mail; another "
            "code is a 422",
            (200, ME), (400, 422),
            obj(timezone={**STR, "examples": ["Europe/Helsinki"]}, detected=BOOL,
                language={"type": ["string", "null"], "enum": ["en", "fi", "es", None]}))},
}
