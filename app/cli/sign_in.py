"""Commands on sign-in providers, for operators who script a deployment:
add-sign-in-provider, sign-in-providers (the same as the admin page /admin/sign-in-providers
and its API)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from app.cli.stores import fail, with_db
from core.settings import Settings


def cmd_add_provider(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.oidc.providers import create_provider
    from accounts.oidc.routes import callback_url
    from core.errors import CoursewireError

    secret = sys.stdin.readline().rstrip("\n") if args.client_secret == "-" else \
        args.client_secret
    data = {"slug": args.slug, "display_name": args.name, "issuer": args.issuer,
            "client_id": args.client_id, "client_secret": secret, "scopes": args.scopes,
            "email_domains": args.email_domains or ""}
    try:
        provider = asyncio.run(with_db(settings, lambda: create_provider(data)))
    except CoursewireError as exc:
        details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
        print(f"error: {exc.message} {details}".strip(), file=sys.stderr)
        return 2
    print(f"Added \"Sign in with {provider.display_name}\". Its redirect URI: "
          f"{callback_url(settings.public_url, provider.slug)}")
    return 0


def cmd_list_providers(args: argparse.Namespace, settings: Settings) -> int:
    from accounts.oidc.providers import sign_in_buttons

    try:
        providers = asyncio.run(with_db(settings, sign_in_buttons))
    except (OSError, RuntimeError) as exc:
        return fail(exc)
    for p in providers:
        domains = " ".join(p.email_domains) or "any domain"
        print(f"{p.slug}\t{p.display_name}\t{p.issuer}\t{p.client_id}\t{domains}")
    return 0


def add_commands(sub: Any) -> None:
    """Add the sign-in provider commands to the `coursewire` parser's subcommands."""
    p = sub.add_parser(
        "add-sign-in-provider", help="add an OpenID Connect sign-in provider",
        description="Add an identity provider people may sign in with (docs/sign-in.md). "
                    "Register COURSEWIRE_PUBLIC_URL/sign-in/<slug>/callback as the redirect "
                    "URI at the provider. Example: echo \"$SECRET\" | coursewire "
                    "add-sign-in-provider aalto --name Aalto --issuer "
                    "https://login.microsoftonline.com/<tenant>/v2.0 --client-id <id> "
                    "--client-secret - --email-domains aalto.fi")
    p.add_argument("slug", help="short name in URLs: lower-case letters, digits, dashes")
    p.add_argument("--name", required=True, help='the name on the button ("Sign in with ...")')
    p.add_argument("--issuer", required=True, help="the issuer URL (with a discovery document)")
    p.add_argument("--client-id", required=True)
    p.add_argument("--client-secret", required=True,
                   help="the secret, or '-' to read one line from stdin")
    p.add_argument("--scopes", default="openid email profile")
    p.add_argument("--email-domains", help="only these domains may sign in (space-separated)")
    p.set_defaults(func=cmd_add_provider)

    p = sub.add_parser("sign-in-providers", help="list the sign-in providers",
                       description="List the OpenID Connect sign-in providers, one a line: "
                                   "slug, name, issuer, client id, allowed domains (never the "
                                   "secret). Example: coursewire sign-in-providers")
    p.set_defaults(func=cmd_list_providers)
