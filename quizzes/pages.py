"""The quiz pages: the panel on the quiz's unit (start or resume), and the attempt page
(countdown from the server's deadline, autosave, submit: static/quiz.js)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.errors import BadInput, CoursewireError, NotFound
from core.http import client_ip, read_form, redirect
from core.i18n import gettext as _
from core.ids import id_or_not_found
from courses.audience import STAFF, course_audience
from courses.service import get_course, require_member, require_role
from courses.visibility import require_visible_to
from models.courses import Role
from models.quizzes import AttemptStatus, QuizAttempt
from models.users import User
from quizzes.attempt_holds import device_of, reopen_attempt
from quizzes.attempt_page import SELF, attempt_regions
from quizzes.attempts import open_attempt
from quizzes.panel import quiz_panel
from quizzes.proctor import FILTERS, matches, proctor_rows, row_labels, shown, summary
from quizzes.proctor_resync import proctor_topic
from quizzes.quiz_blocks import published_quiz, quiz_title


async def panel(request: Request) -> Response:
    """The quiz's panel on its unit page (loaded by the unit, like grading's widget)."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    member = await require_member(user, course_id)
    await require_visible_to(member.audience, course_id, block_id)
    return await page(request, "quizzes/_panel.html", staff=member.audience == STAFF,
                      panel=await quiz_panel(user, course_id, block_id, member=member),
                      message="")


async def start_from_page(request: Request) -> Response:
    """Start (or resume, on this device: it then holds the attempt) and go to the attempt
    page; a refusal (wrong access code, another network...) is said in the panel."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    form = await read_form(request)
    try:
        attempt, _taken = await open_attempt(user, course_id, block_id, device=device_of(request),
                                        address=client_ip(request),
                                        access_code=form.get("access_code"))
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        if form.get("from_attempt"):  # the access form of an attempt page on a new device
            return await page(request, "quizzes/_access_form.html", exc.status,
                              message=exc.message, course_id=course_id, block_id=block_id,
                              access_code=form.get("access_code", ""))
        return await page(request, "quizzes/_panel.html", exc.status, message=exc.message,
                          panel=await quiz_panel(user, course_id, block_id),
                          access_code=form.get("access_code", ""))
    return redirect(request, f"/courses/{course_id}/quiz-attempts/{attempt.id}")


async def attempt_page(request: Request) -> Response:
    """An attempt: its questions with the saved answers, and the time left by the server's
    clock, live on the attempt's topic. Its student answers here (loading the page opens
    the attempt on this device, which then holds it: quizzes.attempt_holds); staff see it
    read-only. A device new to a quiz with an access code is asked for the code first."""
    user, attempt, owner = await _viewable_attempt(request)
    course_id = attempt.course_id
    device, needs_code = device_of(request), False
    if owner and attempt.status == AttemptStatus.IN_PROGRESS:
        needs_code = not await reopen_attempt(attempt, device, client_ip(request), user.name)
    return await page(request, "quizzes/attempt.html", course=await get_course(course_id),
                      attempt=attempt, device=device if owner else "", needs_code=needs_code,
                      regions=await attempt_regions(attempt, SELF if owner else STAFF,
                                                    oob=False),
                      live_topics=[] if needs_code else [f"quiz-attempt:{attempt.id}"],
                      quiz_title=await quiz_title(course_id, attempt.block_id))


async def attempt_page_regions(request: Request) -> Response:
    """The attempt page's regions (oob) for its viewer, with the empty marker the reload
    frame replaced: fetched by an open attempt page that a deadline round's frame asks to
    (quizzes/_attempt_reload.html). Refused like the page. The head names the device that
    holds the attempt, so a page on another device still says it was taken over
    (static/quiz.js)."""
    _user, attempt, owner = await _viewable_attempt(request)
    regions = await attempt_regions(attempt, SELF if owner else STAFF, oob=True)
    return await page(request, "quizzes/_attempt_refetched.html", attempt=attempt,
                      regions=regions)


async def _viewable_attempt(request: Request) -> tuple[User, QuizAttempt, bool]:
    """The signed-in user, the attempt of the path, and whether it is theirs: NotFound
    unless it is theirs or they are the course's staff."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    attempt_id = id_or_not_found(request.path_params["attempt_id"], "No such quiz attempt.")
    attempt = await QuizAttempt.get_or_none(id=attempt_id, course_id=course_id)
    if attempt is None:
        raise NotFound(_("No such quiz attempt."))
    owner = attempt.user_id == user.id
    if not owner and await course_audience(course_id, user) != STAFF:
        raise NotFound(_("No such quiz attempt."))
    return user, attempt, owner


async def proctor_page(request: Request) -> Response:
    """Staff watch a quiz live: who started, last save, when it ends, who handed in;
    `?show=` filters by state and `?q=` searches by name (hidden rows stay in the page, so
    the page's script can show them live)."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.TA)
    quiz = await published_quiz(course_id, block_id)
    show = request.query_params.get("show", "all")
    if show not in FILTERS:
        raise BadInput(_("Unknown filter %(show)s: show one of %(filters)s.",
                         show=repr(show), filters=", ".join(FILTERS)),
                       fields={"show": "Unknown filter."})
    q = request.query_params.get("q", "").strip()
    rows = await proctor_rows(course_id, block_id)
    return await page(request, "quizzes/proctor.html", course=await get_course(course_id),
                      block_id=block_id, quiz_title=quiz.fields.get("title") or block_id,
                      course_id=course_id, rows=rows, show=show, q=q, counts=summary(rows),
                      hidden={row.user_id for row in rows
                              if not (shown(row, show) and matches(row, q))},
                      oob=False, labels=row_labels(), live_topics=[f"course:{course_id}:staff",
                                              proctor_topic(course_id, block_id)])


routes = [
    Route("/courses/{course_id}/quizzes/{block_id}/panel", panel),
    Route("/courses/{course_id}/quizzes/{block_id}/attempt", start_from_page,
          methods=["POST"]),
    Route("/courses/{course_id}/quiz-attempts/{attempt_id}", attempt_page),
    Route("/courses/{course_id}/quiz-attempts/{attempt_id}/regions", attempt_page_regions),
    Route("/courses/{course_id}/quizzes/{block_id}/proctor", proctor_page),
]
