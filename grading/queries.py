"""Reading grading records on someone's behalf: a submission, a block's state, a student."""

from __future__ import annotations

from core.errors import BadInput, CoursewireError, NotFound
from core.i18n import gettext as _
from core.ids import MAX_ID, parse_id
from core.paging import PageRequest, bad_after
from courses.service import require_role
from grading.block_state import BlockState, block_state
from models.courses import Membership, Role
from models.grading import Submission
from models.users import User


async def get_submission(viewer: User, submission_id: int) -> Submission:
    """A submission its owner or the course's staff may read; NotFound for anyone else."""
    submission = await Submission.get_or_none(id=submission_id)
    if submission is None:
        raise NotFound(_("No submission %(submission_id)s.", submission_id=submission_id))
    if submission.user_id != viewer.id:
        try:
            await require_role(viewer, submission.course_id, Role.TA)
        except CoursewireError:
            raise NotFound(_("No submission %(submission_id)s.",
                             submission_id=submission_id)) from None
    return submission


SUBMISSIONS_LIMIT, SUBMISSIONS_MAX = 50, 200  # a block's submissions per page


async def block_submissions(viewer: User, course_id: str, block_id: str, page: PageRequest
                            ) -> tuple[list[Submission], tuple[int, ...] | None]:
    """A block's submissions, newest first, one keyset page of them (course staff), and
    the next page's key (None: the last page). Keyed by id: a submission made meanwhile
    sorts above every page already read, so following the pages lists each one once."""
    await require_role(viewer, course_id, Role.TA)
    key = page.key(1)
    query = Submission.filter(course_id=course_id, block_id=block_id)
    if key is not None:
        if key[0] > MAX_ID:
            raise bad_after()
        query = query.filter(id__lt=key[0])
    rows = await query.order_by("-id").limit(page.limit + 1)
    shown = rows[:page.limit]
    return shown, (shown[-1].id,) if len(rows) > page.limit else None


async def student_block_state(viewer: User, course_id: str, block_id: str) -> BlockState:
    await require_role(viewer, course_id, Role.STUDENT)
    return await block_state(viewer.id, course_id, block_id)


async def course_student(course_id: str, user_id: object) -> User:
    uid = parse_id(user_id.strip() if isinstance(user_id, str) else user_id)
    if uid is None:
        raise BadInput(_("Pick a student."), fields={"user_id": _("Required.")})
    if not await Membership.exists(user_id=uid, course_id=course_id):
        raise NotFound(_("That user is not a member of this course."),
                       fields={"user_id": _("Not a member.")})
    return await User.get(id=uid)
