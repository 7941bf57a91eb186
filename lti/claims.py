"""The LTI 1.3 claims a launch carries, and what they mean in Coursewire terms."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit

from models.courses import Role

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
TARGET_LINK_URI = CLAIM + "target_link_uri"
RESOURCE_LINK = CLAIM + "resource_link"
ROLES = CLAIM + "roles"
LAUNCH_PRESENTATION = CLAIM + "launch_presentation"

AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DEEP_LINKING_SETTINGS = DEEP_LINKING + "deep_linking_settings"
CONTENT_ITEMS = DEEP_LINKING + "content_items"
DEEP_LINKING_DATA = DEEP_LINKING + "data"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
LTI_VERSION = "1.3.0"

# The LIS role's last segment (after '#' or '/'): context roles in full or short form.
_ROLE_NAMES = {"Learner": Role.STUDENT, "TeachingAssistant": Role.TA,
               "Instructor": Role.INSTRUCTOR}
_RANK = {Role.STUDENT: 1, Role.TA: 2, Role.INSTRUCTOR: 3}


def course_role(roles: object) -> Role | None:
    """The highest Coursewire role the LTI roles claim maps to (Learner -> student,
    TeachingAssistant -> ta, Instructor -> instructor), or None for none of them.
    Institution and system roles (`.../institution/person#Instructor`) give no course role."""
    if not isinstance(roles, list):
        return None
    found: list[Role] = []
    for uri in roles:
        if not isinstance(uri, str) or "/institution/" in uri or "/system/" in uri:
            continue
        name = uri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if name in _ROLE_NAMES:
            found.append(_ROLE_NAMES[name])
    return max(found, key=_RANK.__getitem__, default=None)


@dataclass(frozen=True)
class Target:
    """What a link names: a course, a unit of it, or a quiz (`block_id`) in a unit
    (`unit_id`: where the browser lands)."""

    course_id: str
    block_id: str | None = None
    unit_id: str | None = None

    @property
    def path(self) -> str:
        if self.block_id is None:
            return f"/courses/{self.course_id}"
        if self.unit_id is not None:
            return (f"/courses/{self.course_id}/units/{quote(self.unit_id, safe='')}"
                    f"?quiz={quote(self.block_id, safe='')}")
        return f"/courses/{self.course_id}/units/{self.block_id}"


def target_of(uri: object) -> Target | None:
    """The course, unit or quiz a Coursewire URL names (`/courses/{id}`,
    `/courses/{id}/units/{b}`, `/courses/{id}/units/{b}?quiz={q}`), or None for any other URL.
    Only the path (and quiz) count: we land on our own host whatever the
    platform wrote, so a launch can never redirect elsewhere."""
    if not isinstance(uri, str) or len(uri) > 2000:
        return None
    url = urlsplit(uri)
    parts = [unquote(p) for p in url.path.split("/")]
    if len(parts) == 3 and parts[1] == "courses" and parts[2]:
        return Target(parts[2])
    if len(parts) == 5 and parts[1] == "courses" and parts[3] == "units" and parts[2] and parts[4]:
        quiz = parse_qs(url.query).get("quiz", [""])[0]
        return Target(parts[2], quiz, parts[4]) if quiz else Target(parts[2], parts[4])
    return None


def line_item_of(data: dict[str, object]) -> str | None:
    """The AGS line item URL a launch names (`lineitem` of the endpoint claim), if any."""
    endpoint = data.get(AGS_ENDPOINT)
    url = endpoint.get("lineitem") if isinstance(endpoint, dict) else None
    if not isinstance(url, str) or len(url) > 2000 or urlsplit(url).scheme not in (
            "http", "https"):
        return None
    return url
