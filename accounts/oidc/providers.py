"""The identity providers people may sign in with, managed by site admins (page and API).
The client secret is write-only: no page or answer shows it back."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError

from core.errors import BadInput, Conflict, NotFound, PermissionDenied
from core.i18n import gettext as _
from core.text import has_bad_text
from models.oidc import OidcProvider
from models.users import User

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]+\.)+[a-z]{2,}$")
DEFAULT_SCOPES = "openid email profile"
LIMITS = {"display_name": 100, "issuer": 2000, "client_id": 255, "client_secret": 1000,
          "scopes": 500}


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise PermissionDenied(_("Only site administrators manage sign-in providers."))


def _text(data: dict[str, Any], name: str, errors: dict[str, str]) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        errors[name] = _("Required.")
        return ""
    if has_bad_text(value) or len(value.strip()) > LIMITS[name]:
        errors[name] = _("Use ordinary text of at most %(limit)d characters.",
                         limit=LIMITS[name])
    return value.strip()


def _domains(value: object) -> list[str] | None:
    """The allowed email domains as a list (a form sends one string, the API a list), or
    None when one is not a domain."""
    if value is None or value == "":
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        return None
    domains = [i.strip().lower().lstrip("@") for i in items if i.strip()]
    return list(dict.fromkeys(domains)) if all(DOMAIN.match(d) for d in domains) else None


def validate_provider(data: dict[str, Any]) -> dict[str, Any]:
    """The provider's fields, cleaned; BadInput names every field with a problem."""
    errors: dict[str, str] = {}
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG.match(slug.strip()):
        errors["slug"] = _("Use lower-case letters, digits and dashes (e.g. aalto).")
    fields = {n: _text(data, n, errors) for n in ("display_name", "issuer", "client_id",
                                                  "client_secret")}
    parts = urlsplit(fields["issuer"])
    if "issuer" not in errors and (parts.scheme not in ("http", "https") or not parts.hostname):
        errors["issuer"] = _("Enter the issuer's https:// URL.")
    scopes = data.get("scopes") or DEFAULT_SCOPES
    if not isinstance(scopes, str) or has_bad_text(scopes) or len(scopes) > LIMITS["scopes"]:
        errors["scopes"] = _("Scopes are words separated by spaces.")
        scopes = DEFAULT_SCOPES
    words = scopes.split()
    if "openid" not in words:
        words.insert(0, "openid")
    domains = _domains(data.get("email_domains"))
    if domains is None:
        errors["email_domains"] = _("List domains such as aalto.fi, separated by spaces.")
    if errors:
        raise BadInput(_("Please correct the highlighted fields."), fields=errors)
    assert isinstance(slug, str)
    return {**fields, "slug": slug.strip(), "issuer": fields["issuer"].rstrip("/"),
            "scopes": " ".join(dict.fromkeys(words)), "email_domains": domains}


async def add_provider(admin: User, data: dict[str, Any]) -> OidcProvider:
    """Add a provider (site admins). Conflict when its slug is taken."""
    require_admin(admin)
    return await create_provider(data)


async def create_provider(data: dict[str, Any]) -> OidcProvider:
    """Add a provider; the operator's command (`coursewire add-sign-in-provider`) calls it
    directly, a site admin through add_provider."""
    fields = validate_provider(data)
    taken = Conflict(_("A provider with this short name already exists."),
                     fields={"slug": _("Already in use.")})
    if await OidcProvider.exists(slug=fields["slug"]):
        raise taken
    try:
        return await OidcProvider.create(**fields)
    except IntegrityError:
        raise taken from None


async def list_providers(admin: User) -> list[OidcProvider]:
    require_admin(admin)
    return await OidcProvider.all().order_by("display_name")


async def delete_provider(admin: User, provider_id: int) -> None:
    """Remove a provider: its links go with it (their accounts keep their passwords)."""
    require_admin(admin)
    if not await OidcProvider.filter(id=provider_id).delete():
        raise NotFound(_("No such sign-in provider."))


async def sign_in_buttons() -> list[OidcProvider]:
    """The providers the sign-in page offers."""
    return await OidcProvider.all().order_by("display_name")


async def provider_by_slug(slug: str) -> OidcProvider:
    provider = await OidcProvider.get_or_none(slug=slug[:40])
    if provider is None:
        raise NotFound(_("No such sign-in provider."))
    return provider


def provider_json(p: OidcProvider) -> dict[str, Any]:
    return {"id": p.id, "slug": p.slug, "display_name": p.display_name, "issuer": p.issuer,
            "client_id": p.client_id, "scopes": p.scopes, "email_domains": p.email_domains,
            "created_at": p.created_at.isoformat()}
