"""The quiz pages: the panel on the quiz's unit (start or resume), and the attempt page
(countdown from the server's deadline, autosave, submit: static/quiz.js)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.errors import CoursewireError, NotFound
from core.http import redirect
from core.ids import id_or_not_found
from courses.audience import STAFF
from courses.service import get_course, require_role
from courses.visibility import require_visible
from models.courses import Role
from models.quizzes import QuizAttempt
from quizzes.attempts import attempt_view, start_attempt
from quizzes.panel import quiz_panel
from quizzes.proctor import proctor_rows
from quizzes.proctor_resync import proctor_topic
from quizzes.quiz_blocks import published_quiz, quiz_title


async def panel(request: Request) -> Response:
    """The quiz's panel on its unit page (loaded by the unit, like grading's widget)."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id)
    audience = await require_visible(user, course_id, block_id)
    return await page(request, "quizzes/_panel.html", staff=audience == STAFF,
                      panel=await quiz_panel(user, course_id, block_id), message="")


async def start_from_page(request: Request) -> Response:
    """Start (or resume) and go to the attempt page; a refusal is said in the panel."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    try:
        attempt, _ = await start_attempt(user, course_id, block_id)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        return await page(request, "quizzes/_panel.html", message=exc.message,
                          panel=await quiz_panel(user, course_id, block_id))
    return redirect(request, f"/courses/{course_id}/quiz-attempts/{attempt.id}")


async def attempt_page(request: Request) -> Response:
    """An attempt: its questions with the saved answers, and the time left by the server's
    clock. Its student answers here; staff see it read-only."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    attempt_id = id_or_not_found(request.path_params["attempt_id"], "No such quiz attempt.")
    data = await attempt_view(user, attempt_id)
    if data["course_id"] != course_id:
        raise NotFound("No such quiz attempt.")
    editable = data["status"] == "in_progress" and await _is_owner(user.id, attempt_id)
    return await page(request, "quizzes/attempt.html", course=await get_course(course_id),
                      attempt=data, editable=editable, live_topics=["user:me"],
                      quiz_title=await quiz_title(course_id, data["block_id"]))


async def proctor_page(request: Request) -> Response:
    """Staff watch a quiz live: who started, last save, when it ends, who handed in."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    await require_role(user, course_id, Role.TA)
    quiz = await published_quiz(course_id, block_id)
    return await page(request, "quizzes/proctor.html", course=await get_course(course_id),
                      block_id=block_id, quiz_title=quiz.fields.get("title") or block_id,
                      course_id=course_id, rows=await proctor_rows(course_id, block_id),
                      oob=False, live_topics=[f"course:{course_id}:staff",
                                              proctor_topic(course_id, block_id)])


async def _is_owner(user_id: int, attempt_id: int) -> bool:
    return await QuizAttempt.exists(id=attempt_id, user_id=user_id)


routes = [
    Route("/courses/{course_id}/quizzes/{block_id}/panel", panel),
    Route("/courses/{course_id}/quizzes/{block_id}/attempt", start_from_page,
          methods=["POST"]),
    Route("/courses/{course_id}/quiz-attempts/{attempt_id}", attempt_page),
    Route("/courses/{course_id}/quizzes/{block_id}/proctor", proctor_page),
]
