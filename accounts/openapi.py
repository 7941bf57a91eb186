"""The account endpoints' part of the OpenAPI document."""

from __future__ import annotations

from typing import Any

from core.openapi import BOOL, ERROR, INT, STR, json_body, obj, op

USER = obj(["id", "email", "name"], id=INT, email=STR, name=STR, is_admin=BOOL)
ME = obj(["id", "email", "name", "is_admin", "timezone"], id=INT, email=STR, name=STR,
         is_admin=BOOL, timezone={"type": ["string", "null"],
                                  "description": "IANA zone; null: not chosen yet (UTC)"})

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
    "/api/v1/me": {
        "get": op("The caller's account", (200, ME)),
        "patch": op(
            "Change the caller's settings. `timezone` (an IANA name such as Europe/Helsinki) "
            "is the zone every page shows times in; with `detected: true` (the page sends the "
            "browser's zone once) it is only set when the user has none yet",
            (200, ME), (400,),
            obj(timezone={**STR, "examples": ["Europe/Helsinki"]}, detected=BOOL))},
}
