"""Writing notifications: the inbox row, its push to open pages, and its mail at once or a
mark for the daily digest, all in the caller's transaction (so with the cursor's move)."""

from __future__ import annotations

from mail.compose import compose_for
from mail.queue import queue_mail
from models.notifications import Notification
from models.users import User
from notifications import events
from notifications.kinds import Draft, Mode
from notifications.preferences import modes_for
from notifications.texts import english_title


def absolute(public_url: str, link: str) -> str:
    return public_url.rstrip("/") + link if link.startswith("/") else link


async def deliver(drafts: list[Draft], public_url: str, event_seq: int | None = None
                  ) -> list[Notification]:
    """Write `drafts` to their recipients' inboxes; mail those who want it at once."""
    if not drafts:
        return []
    user_ids = sorted({d.user_id for d in drafts})
    modes = await modes_for(user_ids)
    # Locked to the caller's commit: an erasure (accounts.erasure, which locks the person
    # first) waits for these rows, or has deleted the person before they are read.
    users = {u.id: u for u in await User.filter(id__in=user_ids).select_for_update(
        no_key=True)}
    written = []
    for draft in drafts:
        user = users.get(draft.user_id)
        if user is None:
            continue  # erased meanwhile
        mode = modes[draft.user_id][draft.kind]
        n = await Notification.create(
            user_id=draft.user_id, kind=draft.kind.value, params=draft.params,
            title=english_title(draft.kind, draft.params)[:300], link=draft.link[:500],
            course_id=draft.course_id,
            digest_pending=mode == Mode.DIGEST, event_seq=event_seq)
        if mode == Mode.IMMEDIATE:
            await queue_mail(user.email, compose_for(
                user, "notification", n=n, url=absolute(public_url, n.link),
                inbox_url=absolute(public_url, "/inbox")))
        await events.notification_created(n)
        written.append(n)
    return written
