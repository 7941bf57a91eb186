"""When an attempt ends, by the server's clock: the time limit from its start and the
quiz's close, each moved by the student's extra minutes, whichever comes first."""

from __future__ import annotations

from datetime import datetime, timedelta

# Seconds the server waits after a deadline before it hands the attempt in itself (the
# default; a deployment sets COURSEWIRE_QUIZ_GRACE_SECONDS, core.settings). An
# answer that reached the server before the deadline is saved even if the server, busy
# with a whole exam closing at once, gets to it a few seconds later (quizzes.attempts.
# save_answer judges by arrival); one that arrived after it is refused. As Moodle's
# "submission grace period" (graceperiodmin), so nobody is penalised for a slow server.
GRACE_SECONDS = 15.0


def deadline_for(started_at: datetime, time_limit_minutes: int | None,
                 closes_at: datetime | None, extra_minutes: int = 0) -> datetime | None:
    """None when the quiz has neither a time limit nor a close."""
    extra = timedelta(minutes=extra_minutes)
    ends = []
    if time_limit_minutes:
        ends.append(started_at + timedelta(minutes=time_limit_minutes) + extra)
    if closes_at is not None:
        ends.append(closes_at + extra)
    return min(ends) if ends else None


def seconds_left(deadline_at: datetime | None, now: datetime) -> int | None:
    """Whole seconds until the deadline (0 once passed); None without a deadline. Pages
    count down from this, so a wrong clock in the browser changes nothing."""
    if deadline_at is None:
        return None
    return max(0, int((deadline_at - now).total_seconds()))
