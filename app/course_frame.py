"""The course frame: what every page of a course shows around its content.

One place decides the course's title (the published content's display name, so Studio,
the outline and every page agree), the navigation for the viewer's role (staff get the
gradebook, moderation with its live count, the peer-review board, Studio and Members),
which of it is the current page, the breadcrumbs and, on a unit, the previous and next
unit. The shell builds it because it reads several domains (app/frame_routes.py puts it
on page requests); base.html renders it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from content_store.connect import current_store
from content_store.errors import CourseNotFound
from content_store.records import PUBLISHED
from core.errors import NotFound
from core.i18n import N_
from core.i18n import gettext as _
from courses.audience import STAFF_ROLES, member_audience
from courses.service import MembershipRead, get_course, membership_of
from courses.student_view import is_previewed
from courses.visibility import viewer_outline
from forum.queue_count import waiting_count
from models.courses import Role
from models.users import User

# Sections of a course, in navigation order: (key, label, path after /courses/<id>).
# Labels are translated when a frame is built (N_ only marks them).
STUDENT_NAV = (("outline", N_("Outline"), ""), ("progress", N_("Progress"), "/progress"),
               ("forum", N_("Forum"), "/forum"),
               ("announcements", N_("Announcements"), "/announcements"))
STAFF_NAV = (("gradebook", N_("Gradebook"), "/gradebook"),
             ("moderation", N_("Moderation"), "/forum/moderation"))
INSTRUCTOR_NAV = (("studio", N_("Studio"), "/studio"), ("members", N_("Members"), "/members"))


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str


@dataclass(frozen=True)
class Crumb:
    label: str
    url: str | None = None


@dataclass(frozen=True)
class UnitLink:
    id: str
    title: str
    url: str


@dataclass
class CourseFrame:
    course_id: str
    title: str
    section: str
    role: Role  # the viewer's real role (admins count as instructors)
    previewing: bool  # staff viewing the course as a student
    nav: list[NavItem] = field(default_factory=list)
    crumbs: list[Crumb] = field(default_factory=list)
    previous: UnitLink | None = None
    next: UnitLink | None = None
    moderation_count: int | None = None  # staff only
    # The language the course's content is written in (course.yaml `language:`), for
    # `lang` on the content region; the interface around it is in the viewer's language.
    language: str | None = None
    # The viewer's membership as the frame read it, for the page's own role check.
    membership: MembershipRead | None = field(default=None, repr=False)

    @property
    def staff(self) -> bool:
        """Shown the staff navigation (a preview shows the student one)."""
        return self.role in STAFF_ROLES and not self.previewing

    @property
    def may_preview(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def topics(self) -> list[str]:
        """What the frame keeps live: the moderation count, for staff."""
        return [f"course:{self.course_id}:staff"] if self.staff else []


def _units(outline: dict[str, Any]) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Every unit with its ancestors (chapter, subsection), in course order."""
    found: list[tuple[list[dict[str, Any]], dict[str, Any]]] = []

    def walk(node: dict[str, Any], path: list[dict[str, Any]]) -> None:
        for child in node["children"]:
            if child["type"] == "vertical":
                found.append((path, child))
            else:
                walk(child, [*path, child])

    walk(outline, [])
    return found


def _first_of_type(outline: dict[str, Any], block_type: str) -> str | None:
    stack = [outline]
    while stack:
        node = stack.pop(0)
        if node["type"] == block_type:
            return str(node["id"])
        stack[0:0] = node["children"]
    return None


async def course_frame(user: User, course_id: str, section: str, *,
                       unit_id: str | None = None) -> CourseFrame | None:
    """The frame of a course page for `user`; None for anyone who is not a member."""
    # A member's role and the course in one statement; an admin need not be a member.
    membership = await membership_of(user, course_id)
    if user.is_admin:
        try:
            course = membership.course if membership else await get_course(course_id)
        except NotFound:  # an unknown course: the page itself says so
            return None
        role = Role.INSTRUCTOR
    elif membership is None:  # not a member, or no such course
        return None
    else:
        course, role = membership.course, membership.role
    # The outline as this viewer may read it: a student's previous/next links and board
    # link never name a unit that is not released to them.
    outline = await viewer_outline(member_audience(course_id, role), course_id)
    title = str(outline["title"]) if outline and outline.get("title") else course.title
    frame = CourseFrame(course_id, title, section, role, is_previewed(course_id),
                        membership=MembershipRead(user.id, course_id, membership))
    base = f"/courses/{course_id}"
    items = list(STUDENT_NAV)
    if frame.staff:
        items += STAFF_NAV
        board = _first_of_type(outline, "peer_review") if outline else None
        if board:
            items.append(("board", N_("Peer review board"), f"/peer-review/{board}/board"))
        if role == Role.INSTRUCTOR:
            items += INSTRUCTOR_NAV
        frame.moderation_count = await waiting_count(course_id)
    frame.nav = [NavItem(key, _(label), base + path) for key, label, path in items]
    frame.language = await course_language(course_id)
    frame.crumbs = [Crumb(_("Courses"), "/"), Crumb(title, base)]
    current = next((i for i in frame.nav if i.key == section), None)
    if current and section != "outline":
        frame.crumbs.append(Crumb(current.label, current.url))
    if unit_id and outline:
        _place_unit(frame, outline, unit_id)
    return frame


async def course_language(course_id: str) -> str | None:
    """The published course's `language` field (read from the cached structure: settings
    fields live there), None before anything is published."""
    try:
        structure = await current_store().get_branch(course_id, PUBLISHED, cached=True)
    except CourseNotFound:
        return None
    value = structure.blocks[structure.root].fields.get("language")
    return value if isinstance(value, str) and value else None


def _place_unit(frame: CourseFrame, outline: dict[str, Any], unit_id: str) -> None:
    units = _units(outline)
    at = next((i for i, (_, u) in enumerate(units) if u["id"] == unit_id), None)
    if at is None:
        return
    path, unit = units[at]
    frame.crumbs += [Crumb(str(n["title"] or n["id"])) for n in path]
    frame.crumbs.append(Crumb(str(unit["title"] or unit["id"])))

    def link(i: int) -> UnitLink | None:
        if not 0 <= i < len(units):
            return None
        u = units[i][1]
        return UnitLink(u["id"], str(u["title"] or u["id"]),
                        f"/courses/{frame.course_id}/units/{u['id']}")

    frame.previous, frame.next = link(at - 1), link(at + 1)
