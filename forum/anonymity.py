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
from models.forum import Anonymity

RANK = {Anonymity.NONE: 0, Anonymity.PEERS: 1, Anonymity.ALL: 2}
LABELS = {Anonymity.NONE: "Show my name", Anonymity.PEERS: "Anonymous to classmates",
          Anonymity.ALL: "Anonymous to everyone (staff included)"}
ANONYMOUS = "Anonymous"


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
        raise BadInput("Anonymity must be none, peers or all.",
                       fields={"anonymity": "Choose none, peers or all."}) from None


def allowed_levels(course_max: Anonymity) -> list[Anonymity]:
    return [a for a in Anonymity if RANK[a] <= RANK[course_max]]


def check_allowed(requested: Anonymity, course_max: Anonymity) -> Anonymity:
    if RANK[requested] > RANK[course_max]:
        raise BadInput(f"This course allows anonymity up to {course_max.value!r}.",
                       fields={"anonymity": "Not allowed in this course."})
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
