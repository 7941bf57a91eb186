"""Course forums: topics, threads, posts (replies and comments), votes, follows, revisions,
flags, bans, forum settings and the moderation audit log. Tables only; rules live in forum/."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Anonymity(StrEnum):
    NONE = "none"  # everyone sees the author
    PEERS = "peers"  # hidden from students, visible to staff
    ALL = "all"  # hidden from everyone; admins reveal only through an audited action


class ModerationMode(StrEnum):
    POST = "post"  # posts appear at once; staff act afterwards
    PRE = "pre"  # posts are held until staff approve them


class ThreadKind(StrEnum):
    QUESTION = "question"
    DISCUSSION = "discussion"


class PostStatus(StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    REJECTED = "rejected"
    DELETED = "deleted"


class FlagStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class ForumSettings(Model):
    id = fields.IntField(primary_key=True)
    course = fields.OneToOneField("models.Course", related_name="forum_settings",
                                  on_delete=fields.CASCADE)
    max_anonymity = fields.CharEnumField(Anonymity, max_length=8, default=Anonymity.PEERS)
    moderation = fields.CharEnumField(ModerationMode, max_length=8, default=ModerationMode.POST)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "forum_settings"


class ForumTopic(Model):
    """A category: `general`, or one per `discussion` block's topic_id (made on first use)."""

    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("models.Course", related_name="forum_topics",
                                    on_delete=fields.CASCADE)
    key = fields.CharField(max_length=100)
    title = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forum_topics"
        unique_together = (("course_id", "key"),)


class Thread(Model):
    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("models.Course", related_name="forum_threads",
                                    on_delete=fields.CASCADE)
    topic = fields.ForeignKeyField("forum.ForumTopic", related_name="threads",
                                   on_delete=fields.CASCADE)
    title = fields.CharField(max_length=200)
    kind = fields.CharEnumField(ThreadKind, max_length=16, default=ThreadKind.DISCUSSION)
    pinned = fields.BooleanField(default=False)
    locked = fields.BooleanField(default=False)
    closed = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_activity_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "forum_threads"


class Post(Model):
    """The thread's opening post (depth 0), a reply (1) or a comment on a reply (2)."""

    id = fields.IntField(primary_key=True)
    thread = fields.ForeignKeyField("forum.Thread", related_name="posts",
                                    on_delete=fields.CASCADE)
    parent = fields.ForeignKeyField("forum.Post", related_name="children", null=True,
                                    on_delete=fields.CASCADE)
    depth = fields.SmallIntField(default=1)
    author = fields.ForeignKeyField("models.User", related_name="forum_posts",
                                    on_delete=fields.CASCADE)
    anonymity = fields.CharEnumField(Anonymity, max_length=8, default=Anonymity.NONE)
    body_md = fields.TextField()
    body_html = fields.TextField()
    status = fields.CharEnumField(PostStatus, max_length=12, default=PostStatus.PUBLISHED)
    moderation_reason = fields.TextField(null=True)
    endorsed = fields.BooleanField(default=False)
    score = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    # When students first could see it (creation, or approval under pre-moderation).
    published_at = fields.DatetimeField(null=True)
    edited_at = fields.DatetimeField(null=True)
    claimed_by = fields.ForeignKeyField("models.User", related_name="forum_claims", null=True,
                                        on_delete=fields.SET_NULL)
    claimed_at = fields.DatetimeField(null=True)
    idempotency_key = fields.CharField(max_length=64, null=True)
    # Under pre-moderation a student's edit of a published post waits here for approval;
    # the approved body stays what everyone else sees until then.
    pending_body_md = fields.TextField(null=True)
    pending_body_html = fields.TextField(null=True)
    pending_edit_at = fields.DatetimeField(null=True)

    class Meta:
        table = "forum_posts"
        unique_together = (("author_id", "idempotency_key"),)


class PostRevision(Model):
    """An earlier body of a post. Deliberately stores no editor: only authors edit."""

    id = fields.IntField(primary_key=True)
    post = fields.ForeignKeyField("forum.Post", related_name="revisions",
                                  on_delete=fields.CASCADE)
    body_md = fields.TextField()
    body_html = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forum_post_revisions"


class Vote(Model):
    id = fields.IntField(primary_key=True)
    post = fields.ForeignKeyField("forum.Post", related_name="votes", on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="forum_votes",
                                  on_delete=fields.CASCADE)

    class Meta:
        table = "forum_votes"
        unique_together = (("post_id", "user_id"),)


class Follow(Model):
    id = fields.IntField(primary_key=True)
    thread = fields.ForeignKeyField("forum.Thread", related_name="follows",
                                    on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="forum_follows",
                                  on_delete=fields.CASCADE)

    class Meta:
        table = "forum_follows"
        unique_together = (("thread_id", "user_id"),)


class Flag(Model):
    id = fields.IntField(primary_key=True)
    post = fields.ForeignKeyField("forum.Post", related_name="flags", on_delete=fields.CASCADE)
    reporter = fields.ForeignKeyField("models.User", related_name="forum_flags",
                                      on_delete=fields.CASCADE)
    reason = fields.TextField()
    status = fields.CharEnumField(FlagStatus, max_length=12, default=FlagStatus.OPEN)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forum_flags"
        unique_together = (("post_id", "reporter_id"),)


class Ban(Model):
    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("models.Course", related_name="forum_bans",
                                    on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="forum_bans",
                                  on_delete=fields.CASCADE)
    until = fields.DatetimeField()
    reason = fields.TextField()
    created_by = fields.ForeignKeyField("models.User", related_name="forum_bans_made",
                                        null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forum_bans"


class ModerationAction(Model):
    """The audit log: every moderation action, settings change and identity reveal."""

    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("models.Course", related_name="forum_actions",
                                    on_delete=fields.CASCADE)
    actor = fields.ForeignKeyField("models.User", related_name="forum_actions", null=True,
                                   on_delete=fields.SET_NULL)
    action = fields.CharField(max_length=32)
    post_id = fields.IntField(null=True)
    thread_id = fields.IntField(null=True)
    target_user_id = fields.IntField(null=True)  # never shown to staff: see forum.moderation
    reason = fields.TextField(default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "forum_moderation_actions"
