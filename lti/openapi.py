"""The LTI endpoints' part of the OpenAPI document (the admin's platform registrations)."""

from __future__ import annotations

from typing import Any

from core.openapi import DT, INT, STR, obj, op

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
}
