"""Quizzes install themselves: routes, their events, the proctor page's resync topic
(`quiz_proctor:`), the `quiz` block type (grading's
hooks in quizzes.scoring), and the deadline schedule that submits overdue attempts."""

from __future__ import annotations

from pathlib import Path

from core.install import Host, add_package, task_worker
from quizzes import events, openapi, pages, routes, staff_openapi, staff_routes
from quizzes.deadlines import run_deadline_schedule
from quizzes.proctor_resync import authorize_proctor, resync_proctor
from quizzes.scoring import QUIZ


def install(host: Host) -> None:
    add_package(host, Path(__file__).parent,
                [*routes.routes, *staff_routes.routes, *pages.routes], events,
                topics={"quiz_proctor": authorize_proctor},
                resync={"quiz_proctor": resync_proctor},
                openapi={**openapi.PATHS, **staff_openapi.PATHS})
    host.block_types.register("quiz", QUIZ)
    host.add_worker("quiz deadlines", task_worker("quiz-deadlines", run_deadline_schedule))
