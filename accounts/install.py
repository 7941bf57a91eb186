"""Accounts install themselves: sign-up, sign-in, token and password-reset routes, their
templates (pages and mails), the policy of mailed links, and the personal-data routes
(export, account deletion, an administrator's erasure: accounts.personal_data)."""

from __future__ import annotations

from pathlib import Path

from accounts import openapi, personal_data_routes, recovery_routes, routes
from accounts.links import LINKS, LinkPolicy
from core.install import Host, add_package


def install(host: Host) -> None:
    add_package(host, Path(__file__).parent, [*routes.routes, *recovery_routes.routes,
                                                 *personal_data_routes.routes],
                openapi=openapi.PATHS)
    host.provide(LINKS, LinkPolicy.from_settings(host.settings))
