"""Names and Role Provisioning Services: the platform's roster of a course (context) read
from its memberships endpoint and written through the one membership writer.

A launch that names the service remembers its context and asks for a sync (at most one per
SYNC_GAP per context); the worker runs due syncs (so a launch never waits on the platform),
and a course's instructors sync at once from its LTI page or the API. A listed member with a
course role is linked (lti.platform_accounts, the same account a launch makes) and enrolled
with `grant_role`, which never lowers a role. A member the platform lists as inactive or
deleted, or no longer lists, is marked inactive on this context's roster, as Moodle's and
Canvas's tools do: their membership, submissions and grades stay (nothing is deleted), and
since only the platform signs an LTI account in, they cannot come back unless the platform
launches them again, which marks them active.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx

from core.clock import now
from core.errors import BadInput, CoursewireError
from core.i18n import gettext as _
from courses.service import grant_role, require_role
from lti import claims
from lti.ags import GRADE_SERVICES, GradeServices, ScoreNotSent
from lti.claims import course_role
from lti.launch import Launch
from lti.platform_accounts import platform_user
from lti.rounds import run_rounds
from models.courses import Role
from models.lti import LtiContext, LtiRosterEntry
from models.users import User

log = logging.getLogger("coursewire.lti")

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CONTEXT_CLAIM = claims.CLAIM + "context"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS_MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 100  # a roster of up to MAX_PAGES pages (the platform chooses the page size)
INTERVAL = 5.0  # seconds between the worker's rounds
# A failed sync waits RETRY_BASE * 2**(failures - 1), capped at RETRY_CAP, then jittered to
# between half and all of that (so the contexts of one platform that went down together do
# not all come back at the same second).
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
SYNC_GAP = timedelta(minutes=5)  # launches ask for a sync at most this often per context


class RosterNotRead(CoursewireError):
    status, code = 502, "lti_roster_unreachable"


@dataclass(frozen=True)
class RosterSync:
    """What one sync did: members enrolled or confirmed, members marked inactive."""

    active: int
    inactive: int


def _url(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > 2000 or urlsplit(value).scheme not in (
            "http", "https"):
        return None
    return value


async def remember_context(launch: Launch, course_id: str, user: User) -> None:
    """Keep the launch's context and NRPS endpoint, put the user on its roster, and ask
    the worker for a roster sync."""
    service, context = launch.claims.get(NRPS_CLAIM), launch.claims.get(CONTEXT_CLAIM)
    url = _url(service.get("context_memberships_url")) if isinstance(service, dict) else None
    context_id = context.get("id") if isinstance(context, dict) else None
    if url is None or not isinstance(context_id, str) or not context_id:
        return
    title = context.get("title") if isinstance(context, dict) else None
    keys = {"registration": launch.registration, "context_id": context_id[:255],
            "course_id": course_id}
    known = await LtiContext.get_or_none(**keys)
    # A class launching at once asks for one sync, not one each (at most every SYNC_GAP).
    due = now() if known is None or known.synced_at is None else max(
        now(), known.synced_at + SYNC_GAP)
    if known is not None and known.sync_due_at is not None:
        due = min(due, known.sync_due_at)
    row, _created = await LtiContext.update_or_create(
        **keys, defaults={"memberships_url": url, "sync_due_at": due,
                          "title": title[:255] if isinstance(title, str) else ""})
    await LtiRosterEntry.update_or_create(context=row, user=user, defaults={"active": True})


def retry_delay(failures: int, rand: random.Random | None = None) -> timedelta:
    """The pause before the next try of a sync that has failed `failures` times in a row:
    exponential, capped, with jitter (between half and all of it)."""
    ceiling = min(RETRY_BASE * 2 ** min(max(failures - 1, 0), 30), RETRY_CAP)
    return ceiling * (0.5 + 0.5 * (rand or random).random())


async def read_memberships(services: GradeServices, context: LtiContext) -> list[dict[str, Any]]:
    """Every member the platform lists, following its `Link: rel="next"` pages."""
    registration = context.registration
    members: list[dict[str, Any]] = []
    url: str | None = context.memberships_url
    try:
        token = await services.access_token(registration, NRPS_SCOPE)
        async with httpx.AsyncClient(transport=services.transport, timeout=30.0) as client:
            for _page in range(MAX_PAGES):
                if url is None:
                    break
                r = await client.get(url, headers={"Authorization": f"Bearer {token}",
                                                   "Accept": MEMBERSHIPS_MEDIA_TYPE})
                r.raise_for_status()
                page = r.json().get("members")
                if not isinstance(page, list):
                    raise ValueError("no members list")
                members += [m for m in page if isinstance(m, dict)]
                url = r.links.get("next", {}).get("url")
    except ScoreNotSent as exc:
        raise RosterNotRead(_("The platform's roster could not be read: %(reason)s.",
                              reason=exc)) from None
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise RosterNotRead(_("The platform's roster at %(url)s could not be read (%(error)s).",
                              url=context.memberships_url,
                              error=exc.__class__.__name__)) from None
    return members


async def sync_roster(context: LtiContext, services: GradeServices | None = None) -> RosterSync:
    """Read the context's roster from the platform and write it (see the module's doc).
    A failure is kept on the context (`last_error`, `sync_failures`), the worker's next try
    put off by `retry_delay`, and raised as RosterNotRead."""
    await context.fetch_related("registration")
    try:
        members = await read_memberships(services or GRADE_SERVICES.get(), context)
    except RosterNotRead as exc:
        failures = await LtiContext.filter(id=context.id).values_list("sync_failures",
                                                                      flat=True)
        failures_now = (failures[0] if failures else 0) + 1
        await LtiContext.filter(id=context.id).update(
            last_error=exc.message[:500], sync_failures=failures_now,
            sync_due_at=now() + retry_delay(failures_now))
        raise
    active: set[int] = set()
    for member in members:
        role = course_role(member.get("roles"))
        sub = member.get("user_id")
        if (role is None or not isinstance(sub, str) or not sub or len(sub) > 255
                or member.get("status", "Active") != "Active"):
            continue
        user = await platform_user(context.registration.issuer, {**member, "sub": sub})
        await grant_role(context.course_id, user.id, role)
        await LtiRosterEntry.update_or_create(context=context, user=user,
                                              defaults={"active": True})
        active.add(user.id)
    inactive = await LtiRosterEntry.filter(context=context, active=True).exclude(
        user_id__in=list(active) or [0]).update(active=False)
    await LtiContext.filter(id=context.id).update(synced_at=now(), last_error=None,
                                                  sync_failures=0, sync_due_at=None)
    return RosterSync(len(active), inactive)


async def sync_course_rosters(instructor: User, course_id: str,
                              services: GradeServices | None = None) -> RosterSync:
    """Sync every platform context of the course now (its instructors); the totals."""
    await require_role(instructor, course_id, Role.INSTRUCTOR)
    contexts = await LtiContext.filter(course_id=course_id).order_by("id")
    if not contexts:
        raise BadInput("No platform has launched into this course with a roster service "
                       "yet: launch one of the course's links from the platform once.")
    done = [await sync_roster(context, services) for context in contexts]
    return RosterSync(sum(d.active for d in done), sum(d.inactive for d in done))


async def course_contexts(instructor: User, course_id: str) -> list[LtiContext]:
    await require_role(instructor, course_id, Role.INSTRUCTOR)
    return await LtiContext.filter(course_id=course_id).prefetch_related(
        "registration").order_by("id")


async def failed_syncs(viewer: User, course_id: str) -> list[LtiContext]:
    """The course's platform contexts whose last roster sync failed, with the error and the
    next try (staff: TAs and instructors)."""
    await require_role(viewer, course_id, Role.TA)
    return await LtiContext.filter(course_id=course_id, sync_failures__gt=0).prefetch_related(
        "registration").order_by("id")


async def sync_due_rosters() -> int:
    """The worker's round: every context a launch asked to sync; how many were synced."""
    synced = 0
    for context in await LtiContext.filter(sync_due_at__lte=now()).order_by("sync_due_at"
                                                                           ).limit(20):
        try:
            await sync_roster(context)
            synced += 1
        except RosterNotRead as exc:  # kept on the context for the instructors' page
            log.warning("LTI roster sync of context %s failed: %s", context.id, exc.message)
    return synced


async def run_roster_sync() -> None:
    """The worker: due roster syncs every INTERVAL, until cancelled."""
    await run_rounds(sync_due_rosters, lambda: INTERVAL, "LTI roster sync")
