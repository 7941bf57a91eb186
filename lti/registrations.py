"""Platform registrations: which LMS may launch Coursewire, managed by site admins."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError

from core.errors import BadInput, Conflict, NotFound, PermissionDenied
from core.i18n import gettext as _
from core.text import has_bad_text
from models.lti import LtiRegistration
from models.users import User

URL_FIELDS = ("auth_login_url", "auth_token_url", "key_set_url")
MAX_TEXT = 255
MAX_URL = 2000
MAX_DEPLOYMENTS = 100


def require_admin(user: User) -> None:
    if not user.is_admin:
        raise PermissionDenied(_("Only site administrators manage LTI platforms."))


def _text_problem(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return _("Required.")
    if has_bad_text(value) or any(c.isspace() for c in value.strip()):
        return _("Use one value without spaces.")
    if len(value.strip()) > limit:
        return _("Use at most %(maximum)s characters.", maximum=limit)
    return None


def _url_problem(value: object) -> str | None:
    problem = _text_problem(value, MAX_URL)
    if problem:
        return problem
    assert isinstance(value, str)
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Enter an http(s) URL.")
    return None


def _deployment_ids(value: object) -> list[str] | str:
    """The deployment ids as a list, or the problem with them. A form sends one string
    (one id a line, or separated by commas), the API a list."""
    items = value.replace(",", "\n").split() if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        return _("Give at least one deployment id.")
    if len(items) > MAX_DEPLOYMENTS:
        return _("Give at most %(maximum)s deployment ids.", maximum=MAX_DEPLOYMENTS)
    if any(_text_problem(item, MAX_TEXT) for item in items):
        return _("Each deployment id is text without spaces, at most %(maximum)s characters.",
                 maximum=MAX_TEXT)
    return list(dict.fromkeys(item.strip() for item in items))


def validate_registration(data: dict[str, Any]) -> dict[str, Any]:
    """The registration's fields, cleaned; BadInput names every field with a problem."""
    errors: dict[str, str] = {}
    for name in ("issuer", "client_id"):
        if problem := _text_problem(data.get(name), MAX_TEXT):
            errors[name] = problem
    if not errors.get("issuer") and not urlsplit(data["issuer"].strip()).scheme:
        errors["issuer"] = _("The issuer is the platform's URL (https://...).")
    for name in URL_FIELDS:
        if problem := _url_problem(data.get(name)):
            errors[name] = problem
    deployments = _deployment_ids(data.get("deployment_ids"))
    if isinstance(deployments, str):
        errors["deployment_ids"] = deployments
    if errors:
        raise BadInput(_("Please correct the highlighted fields."), fields=errors)
    cleaned = {name: data[name].strip() for name in ("issuer", "client_id", *URL_FIELDS)}
    return {**cleaned, "deployment_ids": deployments}


async def register_platform(admin: User, data: dict[str, Any]) -> LtiRegistration:
    """Register a platform (site admins). Conflict when its issuer and client id are taken."""
    require_admin(admin)
    fields = validate_registration(data)
    taken = Conflict(_("This platform (issuer and client id) is already registered."),
                     fields={"client_id": _("Already registered for this issuer.")})
    if await LtiRegistration.exists(issuer=fields["issuer"], client_id=fields["client_id"]):
        raise taken
    try:
        return await LtiRegistration.create(**fields)
    except IntegrityError:  # lost a race with the same registration
        raise taken from None


async def list_registrations(admin: User) -> list[LtiRegistration]:
    require_admin(admin)
    return await LtiRegistration.all().order_by("issuer", "client_id")


async def delete_registration(admin: User, registration_id: int) -> None:
    """Forget a platform: its logins in flight and resource links go with it."""
    require_admin(admin)
    if not await LtiRegistration.filter(id=registration_id).delete():
        raise NotFound(_("No LTI registration %(registration_id)s.",
                         registration_id=registration_id))


def registration_json(r: LtiRegistration) -> dict[str, Any]:
    return {"id": r.id, "issuer": r.issuer, "client_id": r.client_id,
            "deployment_ids": r.deployment_ids, "auth_login_url": r.auth_login_url,
            "auth_token_url": r.auth_token_url, "key_set_url": r.key_set_url,
            "created_at": r.created_at.isoformat()}
