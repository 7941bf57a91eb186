"""Who may see whose name: the one place the anonymity rules are decided.

A post's anonymity is fixed when it is written; the course setting only limits what new
posts may choose, so tightening or loosening it later never reveals a past post.
Rendering goes through `Viewer`: an audience (`student` or `staff`) and, only for output
delivered to one user (their HTTP response or their `user:<id>` topic), that user's id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.errors import BadInput
from core.i18n import gettext as _
from models.forum import Anonymity

RANK = {Anonymity.NONE: 0, Anonymity.PEERS: 1, Anonymity.ALL: 2}


def anonymity_labels() -> dict[Anonymity, str]:
    """Each anonymity level's name, in the language of the page being rendered."""
    return {Anonymity.NONE: _("Show my name"), Anonymity.PEERS: _("Anonymous to classmates"),
            Anonymity.ALL: _("Anonymous to everyone (staff included)")}


def anonymous() -> str:
    """What a post shows in place of a hidden author."""
    return _("Anonymous")


@dataclass(frozen=True)
class Viewer:
    audience: str  # "student" or "staff"
    user_id: int | None = None  # set only when the output goes to this one user

    @property
    def staff(self) -> bool:
        return self.audience == "staff"

    def is_author(self, author_id: int) -> bool:
        return self.user_id is not None and self.user_id == author_id


STUDENT = Viewer("student")
STAFF = Viewer("staff")
SHARED_VIEWERS = (STUDENT, STAFF)


def parse_anonymity(value: object) -> Anonymity:
    if value in (None, ""):
        return Anonymity.NONE
    try:
        return Anonymity(value)
    except ValueError:
        raise BadInput(_("Anonymity must be none, peers or all."),
                       fields={"anonymity": _("Choose none, peers or all.")}) from None


def allowed_levels(course_max: Anonymity) -> list[Anonymity]:
    return [a for a in Anonymity if RANK[a] <= RANK[course_max]]


def check_allowed(requested: Anonymity, course_max: Anonymity) -> Anonymity:
    if RANK[requested] > RANK[course_max]:
        raise BadInput(_("This course allows anonymity up to %(level)r.", level=course_max.value),
                       fields={"anonymity": _("Not allowed in this course.")})
    return requested


def identity_visible(anonymity: Anonymity, viewer: Viewer) -> bool:
    """Whether `viewer`'s audience may see the author (the author's own view aside)."""
    if anonymity == Anonymity.NONE:
        return True
    if anonymity == Anonymity.PEERS:
        return viewer.staff
    return False


def blur_time(moment: datetime | None, visible: bool) -> datetime | None:
    """Exact times of anonymous posts could be matched with other activity; show minutes."""
    if moment is None or visible:
        return moment
    return moment.replace(second=0, microsecond=0)
