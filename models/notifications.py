"""Notifications: a person's inbox, their mail preferences, and the consumer's bookkeeping
(notifications/: it reads the event log and writes these; no domain writes them)."""

from tortoise import fields
from tortoise.models import Model


class Notification(Model):
    """One thing a person was told about, kept until they delete their account."""

    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="notifications",
                                  on_delete=fields.CASCADE)
    kind = fields.CharField(max_length=32)  # notifications.kinds.Kind
    course_id = fields.CharField(max_length=255, null=True)
    # What the sentence says (thread or course title, points...): the text is rendered from
    # `kind` and these when shown, in the reader's language (notifications.texts).
    params = fields.JSONField(default=dict)
    # The English text as made, shown only when `kind`/`params` can't be rendered (never an
    # anonymous author's name).
    title = fields.CharField(max_length=300)
    body = fields.TextField(default="")
    link = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    read_at = fields.DatetimeField(null=True)
    # True until the daily digest mailed it (or found it read): set only for digest kinds.
    digest_pending = fields.BooleanField(default=False, db_index=True)
    event_seq = fields.BigIntField(null=True)  # the event it came from

    class Meta:
        table = "notifications"
        indexes = (("user_id", "read_at"),)


class NotificationPreference(Model):
    """How a person wants each kind: `inbox`, `immediate` or `digest` (kind -> mode); a kind
    not named keeps its default (notifications.kinds.DEFAULT_MODES)."""

    user = fields.OneToOneField("models.User", related_name="notification_preference",
                                on_delete=fields.CASCADE, primary_key=True)
    modes = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notification_preferences"


class NotificationCursor(Model):
    """How far the consumer has read the event log (one row, id 1). It moves with a
    conditional update in the transaction that writes the notifications, so each event is
    turned into notifications exactly once whichever process gets there."""

    id = fields.IntField(primary_key=True)
    last_seq = fields.BigIntField(default=0)
    claimed_until = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "notification_cursor"


class DigestRun(Model):
    """The daily digest of one day (UTC date), claimed by one process at a time."""

    day = fields.CharField(max_length=10, primary_key=True)  # YYYY-MM-DD
    claimed_until = fields.DatetimeField(null=True)
    started_at = fields.DatetimeField(auto_now_add=True)
    finished_at = fields.DatetimeField(null=True)
    mails = fields.IntField(default=0)

    class Meta:
        table = "notification_digest_runs"
