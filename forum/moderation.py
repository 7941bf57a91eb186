"""Moderation by course staff, in real time: a queue of held and flagged posts that every
TA sees update live, claims so two TAs don't act on one item, actions on posts and
threads, bans from posting, and an audit row for every one of them."""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from core.clock import now
from core.errors import BadInput, Conflict, InvalidState, NotFound, PermissionDenied
from core.i18n import gettext as _
from core.ids import parse_id
from forum import events
from forum.access import get_post, viewer_in
from forum.anonymity import STAFF, identity_visible
from forum.changes import Action, PostChange, QueueChange
from forum.posting import MAX_REASON
from forum.status_names import status_name
from models.courses import Membership, Role
from models.forum import (
    Anonymity,
    Ban,
    Flag,
    FlagStatus,
    ModerationAction,
    Post,
    PostRevision,
    PostStatus,
    Thread,
)
from models.users import User

CLAIM_MINUTES = 10  # a claim lapses, so an abandoned item returns to everyone
MAX_BAN_HOURS = 24 * 365
THREAD_ACTIONS = {Action.PIN: ("pinned", True), Action.UNPIN: ("pinned", False),
                  Action.LOCK: ("locked", True), Action.UNLOCK: ("locked", False),
                  Action.CLOSE: ("closed", True), Action.REOPEN: ("closed", False)}
# Actions that settle a queue item (held post decided, or the flags dealt with).
RESOLVING = {Action.HIDE, Action.APPROVE, Action.REJECT, Action.DELETE, Action.DISMISS}
# Actions the post's author is told of, with the reason.
TOLD = {Action.APPROVE, Action.REJECT, Action.HIDE, Action.DELETE}


async def staff_post(actor: User, post_id: object) -> Post:
    """The post, if `actor` moderates its course (else PermissionDenied; NotFound if there
    is none). Routes ask this before reading the body, so the answer to a caller who may
    not moderate does not depend on what they sent."""
    post = await get_post(post_id)
    viewer = await viewer_in(actor, post.thread.course_id)
    if not viewer.staff:
        raise PermissionDenied(_("Only TAs and instructors moderate the forum."))
    return post


def _reason(reason: object, required: bool = False) -> str:
    if reason is None:
        reason = ""
    if not isinstance(reason, str):
        raise BadInput(_("A reason is text."), fields={"reason": _("Text please.")})
    if len(reason) > MAX_REASON:
        raise BadInput(_("Use at most %(max)d characters.", max=MAX_REASON),
                       fields={"reason": _("Too long.")})
    if required and not reason.strip():
        raise BadInput(_("Give a reason; the author will see it."),
                       fields={"reason": _("Required.")})
    return reason.strip()


def _claim_live(post: Post) -> bool:
    return bool(post.claimed_by_id and post.claimed_at
                and post.claimed_at > now() - timedelta(minutes=CLAIM_MINUTES))


async def _check_claim(actor: User, post: Post) -> None:
    if _claim_live(post) and post.claimed_by_id != actor.id:
        other = await User.get(id=post.claimed_by_id)
        raise Conflict(_("%(name)s is handling this item; leave it to them or wait until "
                         "their claim lapses (%(minutes)d minutes).", name=other.name,
                         minutes=CLAIM_MINUTES))


async def audit(actor: User, course_id: str, action: str, *, post: Post | None = None,
                thread_id: int | None = None, target_user_id: int | None = None,
                reason: str = "") -> ModerationAction:
    return await ModerationAction.create(
        course_id=course_id, actor_id=actor.id, action=action,
        post_id=post.id if post else None,
        thread_id=thread_id if thread_id is not None else (post.thread_id if post else None),
        target_user_id=target_user_id, reason=reason)


async def claim(actor: User, post_id: object, release: bool = False) -> Post:
    """Claim a queue item (or release your claim); every TA's queue shows it at once."""
    post = await staff_post(actor, post_id)
    if release and post.claimed_by_id not in (None, actor.id):
        raise Conflict(_("Only the TA who claimed an item can release it."))
    async with in_transaction():  # the claim, its audit row and its event commit together
        if release:
            await Post.filter(id=post.id).update(claimed_by_id=None, claimed_at=None)
        else:
            # A conditional update: of two TAs claiming at once, exactly one wins.
            stale = now() - timedelta(minutes=CLAIM_MINUTES)
            won = await Post.filter(id=post.id, claimed_by_id=None).update(
                claimed_by_id=actor.id, claimed_at=now())
            won = won or await Post.filter(id=post.id, claimed_at__lt=stale).update(
                claimed_by_id=actor.id, claimed_at=now())
            if not won and not await Post.exists(id=post.id, claimed_by_id=actor.id):
                await _check_claim(actor, await Post.get(id=post.id))
        await audit(actor, post.thread.course_id, "release" if release else "claim",
                    post=post)
        await events.queue_changed(post.id, QueueChange.CLAIMED)
    return await Post.get(id=post.id).prefetch_related("author", "thread")


async def moderate(actor: User, post_id: object, action: object,
                   reason: object = None) -> Post:
    """Apply one moderation action to a post (or its thread, for pin/lock/close).

    Rejections, hides and deletions tell the author why on their own topic.
    """
    post = await staff_post(actor, post_id)
    verb = _action(action)
    why = _reason(reason, required=verb == Action.REJECT)
    if verb in RESOLVING:
        await _check_claim(actor, post)
    course_id = post.thread.course_id
    # A held edit of a published post is decided on its own: the post and its reports stay.
    edit = verb in (Action.APPROVE, Action.REJECT) and post.status == PostStatus.PUBLISHED \
        and post.pending_body_md is not None
    async with in_transaction():  # the decision, its audit row and events commit together
        change = await (_decide_edit(post, verb) if edit else _apply(post, verb, why))
        await audit(actor, course_id, f"{verb}_edit" if edit else verb, post=post, reason=why)
        if verb in RESOLVING:
            if not edit:
                await Flag.filter(post_id=post.id, status=FlagStatus.OPEN).update(
                    status=FlagStatus.RESOLVED)
            await Post.filter(id=post.id).update(claimed_by_id=None, claimed_at=None)
        await events.post_changed(post.id, change)
        if verb in RESOLVING:
            await events.queue_changed(post.id, QueueChange.QUEUED if edit
                                       else QueueChange.RESOLVED)
        if verb in TOLD:
            await events.decision_for_author(post.id, verb, why, edit=edit)
    return await Post.get(id=post.id).prefetch_related("author", "thread")


def _action(action: object) -> Action:
    try:
        return Action(action)
    except (ValueError, TypeError):
        raise BadInput(_("Unknown action; use one of %(actions)s.", actions=", ".join(Action)),
                       fields={"action": _("Unknown action.")}) from None


async def _transition(post: Post, frm: set[PostStatus], to: PostStatus, **extra) -> None:
    done = await Post.filter(id=post.id, status__in=list(frm)).update(status=to, **extra)
    if not done:
        fresh = await Post.get(id=post.id)
        raise InvalidState(_("This post is already %(status)s; refresh the queue.",
                             status=status_name(fresh.status.value)))


async def _decide_edit(post: Post, action: Action) -> PostChange:
    """Approve (the held text becomes the post's, the old one goes into the history) or
    reject (the held text is dropped) a student's edit held under pre-moderation."""
    async with in_transaction():
        fresh = await Post.filter(id=post.id).select_for_update().first()
        if fresh is None or fresh.pending_body_md is None:
            raise InvalidState(_("This edit was already decided; refresh the queue."))
        if action == Action.APPROVE:
            await PostRevision.create(post_id=post.id, body_md=fresh.body_md,
                                      body_html=fresh.body_html)
            await Post.filter(id=post.id).update(
                body_md=fresh.pending_body_md, body_html=fresh.pending_body_html,
                edited_at=fresh.pending_edit_at or now())
        await Post.filter(id=post.id).update(pending_body_md=None, pending_body_html=None,
                                             pending_edit_at=None)
    return PostChange.UPDATED


async def _apply(post: Post, action: Action, why: str) -> PostChange:
    """Make the change; returns the kind of change for events.post_changed."""
    if action in THREAD_ACTIONS:
        field, value = THREAD_ACTIONS[action]
        await Thread.filter(id=post.thread_id).update(**{field: value})
        # Thread-wide, whichever of its posts it was asked on: the thread's head and rows.
        return PostChange.PINNED if field == "pinned" else PostChange.THREAD
    if action == Action.APPROVE:
        moment = now()
        await _transition(post, {PostStatus.PENDING}, PostStatus.PUBLISHED,
                          published_at=moment, moderation_reason=why or None)
        await Thread.filter(id=post.thread_id).update(last_activity_at=moment)
        return PostChange.CREATED  # students see it for the first time
    if action == Action.REJECT:
        await _transition(post, {PostStatus.PENDING}, PostStatus.REJECTED, moderation_reason=why)
        return PostChange.REMOVED
    if action == Action.HIDE:
        await _transition(post, {PostStatus.PUBLISHED}, PostStatus.HIDDEN,
                          moderation_reason=why or None)
        return PostChange.HIDDEN
    if action == Action.UNHIDE:
        await _transition(post, {PostStatus.HIDDEN}, PostStatus.PUBLISHED,
                          moderation_reason=None)
        return PostChange.UNHIDDEN
    if action == Action.DELETE:
        await _transition(post, {PostStatus.PUBLISHED, PostStatus.HIDDEN, PostStatus.PENDING},
                          PostStatus.DELETED, moderation_reason=why or None)
        return PostChange.REMOVED
    if action in (Action.ENDORSE, Action.UNENDORSE):
        if post.status != PostStatus.PUBLISHED:
            raise InvalidState(_("Only published posts can be endorsed."))
        await Post.filter(id=post.id).update(endorsed=action == Action.ENDORSE)
        return PostChange.UPDATED
    if action == Action.DISMISS:
        if not await Flag.exists(post_id=post.id, status=FlagStatus.OPEN):
            raise InvalidState(_("There are no open reports on this post."))
        return PostChange.NONE
    raise BadInput(f"Unknown action {action!r}.")  # pragma: no cover


async def ban_from_posting(actor: User, course_id: str, *, hours: object, reason: object,
                           user_id: object = None, post_id: object = None) -> Ban:
    """Stop a member posting in the course's forum for a while (staff).

    Staff may ban the author of a post they can't identify (anonymous to everyone); the
    ban then works without telling them who it is.
    """
    viewer = await viewer_in(actor, course_id)
    if not viewer.staff:
        raise PermissionDenied(_("Only TAs and instructors can ban from posting."))
    try:
        length = float(hours)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise BadInput(_("Give the ban's length in hours."),
                       fields={"hours": _("A number.")}) from None
    if not 0 < length <= MAX_BAN_HOURS:
        raise BadInput(_("A ban lasts between a few minutes and %(max)d hours.", max=MAX_BAN_HOURS),
                       fields={"hours": _("Out of range.")})
    why = _reason(reason, required=True)
    post = None
    if post_id not in (None, ""):
        post = await get_post(post_id)
        if post.thread.course_id != course_id:
            raise NotFound(_("No post %(id)s in this course.", id=post_id))
        if (not identity_visible(Anonymity(post.anonymity), STAFF)
                and not await _may_ban_anyone(actor, course_id)):
            # Whatever the answer, it must not depend on who wrote the post: a TA refused
            # only for an instructor's post would learn the anonymous author's role.
            raise PermissionDenied(_("Only an instructor can ban the author of a post that is "
                                     "anonymous to everyone; hide the post, or flag it for an "
                                     "instructor."))
        target = post.author_id
    elif (parsed := parse_id(user_id)) is not None:
        target = parsed
        if not await Membership.exists(user_id=target, course_id=course_id):
            raise NotFound(_("That user is not a member of this course."))
    else:
        raise BadInput(_("Say whom to ban: a post_id or a user_id."),
                       fields={"user_id": _("Required.")})
    if target == actor.id:
        raise InvalidState(_("You can't ban yourself."))
    if not actor.is_admin and await _outranks(target, actor, course_id):
        raise PermissionDenied(_("Only an instructor can ban an instructor from posting."))
    async with in_transaction():
        ban = await Ban.create(course_id=course_id, user_id=target, until=now() + timedelta(
            hours=length), reason=why, created_by_id=actor.id)
        await audit(actor, course_id, "ban", post=post, target_user_id=target,
                    reason=f"{length:g}h: {why}")
        await events.ban_notice(ban)
    return ban


async def _may_ban_anyone(actor: User, course_id: str) -> bool:
    """Admins and instructors: nobody outranks them, so no answer reveals a role."""
    return actor.is_admin or await Membership.exists(user_id=actor.id, course_id=course_id,
                                                     role=Role.INSTRUCTOR)


async def _outranks(target: int, actor: User, course_id: str) -> bool:
    """Whether the ban's target is an instructor and the actor only a TA."""
    roles = dict(await Membership.filter(course_id=course_id, user_id__in=[target, actor.id])
                 .values_list("user_id", "role"))
    return roles.get(target) == Role.INSTRUCTOR and roles.get(actor.id) != Role.INSTRUCTOR


def ban_json(ban: Ban, post: Post | None, actor_viewer_staff: bool = True) -> dict[str, object]:
    """A ban as staff see it; the banned user stays unnamed if the post hid them from staff."""
    shown = post is None or identity_visible(Anonymity(post.anonymity), STAFF)
    return {"id": ban.id, "course_id": ban.course_id, "until": ban.until.isoformat(),
            "reason": ban.reason, "user_id": ban.user_id if shown else None}


async def reveal_author(admin: User, post_id: object, reason: object) -> dict[str, object]:
    """An admin learns who wrote an anonymous post; audited, never published."""
    if not admin.is_admin:
        raise PermissionDenied(_("Only administrators can reveal an anonymous author."))
    why = _reason(reason, required=True)
    number = parse_id(post_id)
    post = await Post.get_or_none(id=number).prefetch_related("author", "thread") \
        if number is not None else None
    if post is None:
        raise NotFound(_("No post %(id)s.", id=post_id))
    await audit(admin, post.thread.course_id, "reveal", post=post,
                target_user_id=post.author_id, reason=why)
    return {"post_id": post.id, "author": {"id": post.author_id, "name": post.author.name,
                                           "email": post.author.email}}
