"""Accounts install themselves: sign-up, sign-in (also with an identity provider:
accounts.oidc), token and password-reset routes, their templates (pages and mails), the
policy of mailed links, and the personal-data routes (export, account deletion, an
administrator's erasure: accounts.personal_data)."""

from __future__ import annotations

from pathlib import Path

from accounts import openapi, personal_data_routes, recovery_routes, routes
from accounts.links import LINKS, LinkPolicy
from accounts.oidc import admin_routes as oidc_admin_routes
from accounts.oidc import openapi as oidc_openapi
from accounts.oidc import routes as oidc_routes
from accounts.oidc.discovery import DISCOVERY, PROVIDER_KEYS, Discovery
from accounts.oidc.personal_data import PART as OIDC_PERSONAL_DATA
from core.install import Host, add_package
from core.jwks import KeySets


def install(host: Host) -> None:
    add_package(host, Path(__file__).parent, [*routes.routes, *recovery_routes.routes,
                                                 *personal_data_routes.routes,
                                                 *oidc_routes.routes,
                                                 *oidc_admin_routes.routes],
                openapi={**openapi.PATHS, **oidc_openapi.PATHS})
    host.provide(LINKS, LinkPolicy.from_settings(host.settings))
    # Sign-in with an identity provider (accounts.oidc): discovery documents and key sets
    # cached per process.
    host.provide(DISCOVERY, Discovery())
    host.provide(PROVIDER_KEYS, KeySets())
    host.personal_data.register("sign_in_providers", OIDC_PERSONAL_DATA)
