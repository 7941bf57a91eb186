"""Grade passback: grade changes become scores on the platforms' line items, durably.

Grading announces every change of a student's score (a grade, a regrade, an override) as a
`grade.updated` event in the event log, which is written in the same transaction as the
change. This reads that log from a cursor kept in the database, so it misses nothing across
restarts: each change of a student who launched a link with a line item becomes that link's
pending score (the latest wins), and the cursor moves in the same transaction. Sending is a
second step: due scores go to the platform, a failure is recorded on the row (`last_error`)
and retried with backoff; staff see those rows and can retry one at once (lti.failed_sends).

What a link sends: a course link the course percent (of 100); a unit or quiz link that
item's points and the points possible, as grading scores them now (`grading.api`), re-sent
only when they changed. Every app process runs the worker. Two reading the same events
write the same latest score, and a score sent twice replaces itself on the platform (AGS
scores are idempotent), so no lock is needed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import NotFound
from grading.api import resource_scores
from lti.ags import GRADE_SERVICES, GradeServices, ScoreNotSent
from lti.rounds import run_rounds
from models.events import Event
from models.lti import LtiAccount, LtiPassbackCursor, LtiResourceLink, LtiScore

BATCH = 200
INTERVAL = 2.0  # seconds between rounds of the passback worker
MAX_BACKOFF = timedelta(hours=1)


async def _cursor() -> LtiPassbackCursor:
    """The cursor; made at the log's end, so history before LTI was set up is not sent."""
    cursor = await LtiPassbackCursor.get_or_none(id=1)
    if cursor is None:
        newest = await Event.all().order_by("-id").first()
        cursor, _ = await LtiPassbackCursor.get_or_create(
            id=1, defaults={"last_event_id": newest.id if newest else 0})
    return cursor


async def collect_scores() -> int:
    """Turn the grade changes logged since the cursor into pending scores; how many."""
    cursor = await _cursor()
    events = await Event.filter(id__gt=cursor.last_event_id, name="grade.updated",
                                topic__startswith="course:").order_by("id").limit(BATCH)
    if not events:
        return 0
    count = 0
    async with in_transaction():
        for event in events:
            count += await _score_from(event)
        await LtiPassbackCursor.filter(id=1).update(last_event_id=events[-1].id)
    return count


async def _score_from(event: Event) -> int:
    data = (event.data_by_audience or {}).get("staff") or {}
    course_id = event.topic.removeprefix("course:").removesuffix(":staff")
    user_id, percent = data.get("user_id"), data.get("course_percent")
    if not isinstance(user_id, int) or not isinstance(percent, int | float):
        return 0
    count = 0
    for account in await LtiAccount.filter(user_id=user_id):
        links = await LtiResourceLink.filter(
            course_id=course_id, line_item_url__not_isnull=True,
            registration__issuer=account.issuer)
        scores: dict[str, tuple[float, float]] | None = None
        for link in links:
            if link.block_id is None:
                given, maximum = round(percent * 100, 4), 100.0
            else:
                if scores is None:
                    scores = await _resource_scores(course_id, user_id)
                if link.block_id not in scores or not scores[link.block_id][1]:
                    continue  # not a graded unit or quiz (or no longer published)
                given, maximum = scores[link.block_id]
            count += await _keep_score(link, user_id, account.subject, given, maximum,
                                       event.created_at, always=link.block_id is None)
    return count


async def _resource_scores(course_id: str, user_id: int) -> dict[str, tuple[float, float]]:
    try:
        return await resource_scores(course_id, user_id)
    except NotFound:  # the course has no published content (any more)
        return {}


async def _keep_score(link: LtiResourceLink, user_id: int, subject: str, given: float,
                      maximum: float, at: datetime, *, always: bool) -> int:
    """Make the link's score for the user pending (1), unless `always` is off and the
    platform already has (or is about to get) this very score (0)."""
    if not always and await LtiScore.exists(link=link, user_id=user_id, given=given,
                                            maximum=maximum):
        return 0
    await LtiScore.update_or_create(
        link=link, user_id=user_id, defaults={
            "subject": subject, "given": given, "maximum": maximum, "changed_at": at,
            "sent_at": None, "attempts": 0, "last_error": None, "next_try_at": now()})
    return 1


async def send_score(score: LtiScore, services: GradeServices | None = None) -> bool:
    """Send one pending score (its link and registration fetched); whether the platform
    took it. A refusal is kept on the row, with the next try after a backoff."""
    services = services or GRADE_SERVICES.get()
    link = score.link
    try:
        await services.send_score(link.registration, link.line_item_url, score.subject,
                                  score.given, score.maximum, score.changed_at)
    except ScoreNotSent as exc:
        wait = min(timedelta(seconds=30 * 2 ** score.attempts), MAX_BACKOFF)
        # Only this attempt's row: a newer score that arrived meanwhile stays due.
        await LtiScore.filter(id=score.id, changed_at=score.changed_at).update(
            attempts=score.attempts + 1, last_error=str(exc)[:500],
            next_try_at=now() + wait)
        return False
    await LtiScore.filter(id=score.id, changed_at=score.changed_at).update(
        sent_at=now(), last_error=None)
    return True


async def send_due_scores(services: GradeServices | None = None) -> int:
    """Send every pending score whose time has come; how many the platforms took."""
    due = await LtiScore.filter(sent_at=None, next_try_at__lte=now()).prefetch_related(
        "link__registration").order_by("next_try_at").limit(BATCH)
    sent = 0
    for score in due:
        sent += await send_score(score, services)
    return sent


async def passback_round() -> None:
    await collect_scores()
    await send_due_scores()


async def run_passback() -> None:
    """The worker: collect and send, every INTERVAL, until cancelled."""
    await run_rounds(passback_round, lambda: INTERVAL, "LTI grade passback")
