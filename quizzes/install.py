"""Quizzes install themselves: routes, their events, the `quiz` block type (grading's
hooks in quizzes.scoring), the attempt page's topic `quiz-attempt:<id>` with its resync,
the proctor page's resync topic `quiz_proctor:<course>/<quiz>`, which attempt pages are open
(quizzes.presence), and the deadline schedule that submits overdue attempts."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from core.install import Host, add_package, task_worker
from quizzes import events, openapi, pages, routes, staff_openapi, staff_routes
from quizzes.attempt_page import authorize_attempt, resync_attempt
from quizzes.deadlines import run_deadline_schedule
from quizzes.personal_data import PART as PERSONAL_DATA_PART
from quizzes.presence import ATTEMPT_PAGES, run_presence_sweep
from quizzes.proctor_resync import authorize_proctor, resync_proctor
from quizzes.scoring import QUIZ


def install(host: Host) -> None:
    add_package(host, Path(__file__).parent,
                [*routes.routes, *staff_routes.routes, *pages.routes], events,
                topics={"quiz-attempt": authorize_attempt, "quiz_proctor": authorize_proctor},
                resync={"quiz-attempt": resync_attempt, "quiz_proctor": resync_proctor},
                openapi={**openapi.PATHS, **staff_openapi.PATHS})
    host.personal_data.register("quizzes", PERSONAL_DATA_PART)
    host.block_types.register("quiz", QUIZ)
    host.presence.register("quiz-attempt", ATTEMPT_PAGES)
    host.add_worker("quiz presence sweep", task_worker("quiz-presence", run_presence_sweep))
    host.add_worker("quiz deadlines", task_worker("quiz-deadlines", partial(
        run_deadline_schedule, grace=host.settings.quiz_grace_seconds)))
