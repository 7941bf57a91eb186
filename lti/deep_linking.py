"""Deep linking: an instructor in the platform picks a Coursewire course, unit or quiz, and the
platform gets it back as a signed LtiDeepLinkingResponse (a resource link with a line item).

The request's settings (where to return, the platform's opaque `data`) are kept in the
instructor's session between the picker and the choice; the choice is checked against the
courses they teach, so a forged form cannot link a course they don't.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

import jwt

from content_store.connect import current_store
from content_store.errors import CourseNotFound
from core.errors import BadInput, PermissionDenied
from core.i18n import gettext as _
from courses.service import courses_of, require_role
from lti import claims
from lti.claims import Target
from lti.keys import signing_key
from models.courses import Role
from models.lti import LtiCourseAccess, LtiRegistration
from models.users import User

RESPONSE_LIFETIME = 600
UNIT_TYPES = {"vertical", "unit"}


@dataclass(frozen=True)
class Choice:
    """Something an instructor may link: a course, one of its units, or a quiz in a unit."""

    target: Target
    title: str

    @property
    def value(self) -> str:
        """The picker's form value: `course_id` or `course_id/unit_id` (course ids have no /)."""
        return self.target.course_id + (f"/{self.target.block_id}" if self.target.block_id
                                        else "")


def _units(node: dict[str, Any]) -> list[dict[str, Any]]:
    if node.get("type") in UNIT_TYPES:
        return [node]
    return [unit for child in node.get("children", []) for unit in _units(child)]


async def choices_for(user: User, registration_id: int) -> list[Choice]:
    """The courses the user teaches that the platform may launch into, and their published
    units and quizzes, in outline order."""
    found: list[Choice] = []
    open_courses = set(await LtiCourseAccess.filter(registration_id=registration_id)
                       .values_list("course_id", flat=True))
    for course, role in await courses_of(user):
        if role != Role.INSTRUCTOR or course.id not in open_courses:
            continue
        found.append(Choice(Target(course.id), course.title))
        try:
            outline = await current_store().get_outline(course.id)
        except CourseNotFound:
            continue  # nothing published yet: the course alone can be linked
        for unit in _units(outline):
            title = f"{course.title}: {unit['title'] or unit['id']}"
            found.append(Choice(Target(course.id, unit["id"]), title))
            found += [Choice(Target(course.id, quiz["id"], unit["id"]),
                             f"{title}: {quiz['title'] or quiz['id']}")
                      for quiz in unit.get("children", []) if quiz.get("type") == "quiz"]
    return found


def settings_of(data: dict[str, Any]) -> dict[str, Any]:
    """What the session keeps of a deep-linking request (checked: a return URL)."""
    settings = data.get(claims.DEEP_LINKING_SETTINGS)
    if not isinstance(settings, dict) or not isinstance(settings.get("deep_link_return_url"),
                                                         str):
        raise BadInput(_("The deep-linking request names no return URL."))
    accepts = settings.get("accept_types")
    if isinstance(accepts, list) and "ltiResourceLink" not in accepts:
        raise BadInput(_("The platform does not accept links to resources here."))
    kept: dict[str, Any] = {"return_url": settings["deep_link_return_url"]}
    if isinstance(settings.get("data"), str):
        kept["data"] = settings["data"]
    return kept


async def deep_linking_response(user: User, request: dict[str, Any], value: object,
                                base_url: str) -> str:
    """The signed LtiDeepLinkingResponse for the instructor's choice `value`."""
    choices = await choices_for(user, request["registration_id"])
    choice = next((c for c in choices if c.value == value), None)
    if choice is None:
        if isinstance(value, str):
            await require_role(user, value.split("/", 1)[0], Role.INSTRUCTOR)
        raise PermissionDenied(_("Choose a course you teach, or one of its units or quizzes."))
    registration = await LtiRegistration.get_or_none(id=request["registration_id"])
    if registration is None:
        raise BadInput(_("This platform is no longer registered with Coursewire."))
    item = {"type": "ltiResourceLink", "title": choice.title,
            "url": base_url.rstrip("/") + choice.target.path,
            "lineItem": {"scoreMaximum": 100, "label": choice.title,
                         "resourceId": choice.value}}
    issued = int(time.time())
    body: dict[str, Any] = {
        "iss": registration.client_id, "aud": registration.issuer, "iat": issued,
        "exp": issued + RESPONSE_LIFETIME, "nonce": secrets.token_urlsafe(16),
        claims.MESSAGE_TYPE: claims.DEEP_LINKING_RESPONSE, claims.VERSION: claims.LTI_VERSION,
        claims.DEPLOYMENT_ID: request["deployment_id"], claims.CONTENT_ITEMS: [item],
    }
    if "data" in request:
        body[claims.DEEP_LINKING_DATA] = request["data"]
    key = await signing_key()
    return jwt.encode(body, key.private_pem, algorithm="RS256", headers={"kid": key.kid})
