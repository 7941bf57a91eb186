"""The sign-in providers' part of the OpenAPI document (site admins)."""

from __future__ import annotations

from typing import Any

from core.openapi import DT, INT, STR, obj, op

STRINGS = {"type": "array", "items": STR}
PROVIDER_ID = {"name": "provider_id", "in": "path", "required": True, "schema": INT}
PROVIDER = obj(["id", "slug", "display_name", "issuer", "client_id", "scopes",
                "email_domains", "created_at"],
               id=INT, slug=STR, display_name=STR, issuer={"type": "string", "format": "uri"},
               client_id=STR, scopes=STR, email_domains=STRINGS, created_at=DT)
PROVIDER_BODY = obj(
    ["slug", "display_name", "issuer", "client_id", "client_secret"],
    slug={**STR, "pattern": "^[a-z0-9][a-z0-9-]{0,39}$", "examples": ["aalto"]},
    display_name={**STR, "examples": ["Aalto"]},
    issuer={"type": "string", "format": "uri",
            "description": "The issuer URL; its discovery document is at "
                           "<issuer>/.well-known/openid-configuration"},
    client_id=STR, client_secret={**STR, "description": "Write-only: never shown back"},
    scopes={**STR, "examples": ["openid email profile"]},
    email_domains={**STRINGS, "description": "Only addresses in these domains may sign "
                                             "in; empty: any the provider vouches for"})

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/admin/sign-in-providers": {
        "get": op("The OpenID Connect providers people may sign in with (site admins)",
                  (200, {"type": "array", "items": PROVIDER}), (403,)),
        "post": op("Add an OpenID Connect sign-in provider (site admins). Its redirect URI "
                   "is /sign-in/<slug>/callback on this site",
                   (201, PROVIDER), (400, 403, 409), PROVIDER_BODY),
    },
    "/api/v1/admin/sign-in-providers/{provider_id}": {
        "parameters": [PROVIDER_ID],
        "delete": op("Remove a sign-in provider, its links and its sign-ins in flight (site "
                     "admins); linked accounts keep their passwords", (204, {}), (403, 404)),
    },
}
