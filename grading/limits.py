"""How long grading may take before a submission is given up, and the cap on reruns.

A submission that keeps crashing its job, or whose grader never answers, must not stay
`queued`/`grading` forever: the student could not submit again meanwhile. Past these
limits it becomes `error` with a message the student can read, and the attempt does
not count. The Runtime binds the limits from its settings (`LIMITS`, `limits_from`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.context import RuntimeValue
from core.settings import Settings


@dataclass(frozen=True)
class GradingLimits:
    max_runs: int = 4  # grading runs (first try, retries, sweeps) before giving up
    give_up: timedelta = timedelta(minutes=30)  # in queued/grading, not awaiting a callback
    async_reply: timedelta = timedelta(hours=1)  # an accepted async grader must post back


LIMITS: RuntimeValue[GradingLimits] = RuntimeValue("grading limits", default=GradingLimits())


def limits_from(settings: Settings) -> GradingLimits:
    return GradingLimits(
        max_runs=max(1, settings.grading_max_runs),
        give_up=timedelta(seconds=settings.grading_give_up_seconds),
        async_reply=timedelta(seconds=settings.external_grader_async_timeout_seconds))


def current() -> GradingLimits:
    return LIMITS.get()


GAVE_UP = ("We could not grade this attempt (it failed {runs} times). It does not count; "
           "please submit again.")
NO_CALLBACK = ("The grader accepted this attempt but never sent a result. It does not "
               "count; please submit again.")
TOO_SLOW = ("Grading this attempt took too long. It does not count; please submit again.")
