"""Submissions, grades and the staff actions around them (extensions, overrides)."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Status(StrEnum):
    QUEUED = "queued"
    GRADING = "grading"
    GRADED = "graded"
    ERROR = "error"
    AWAITING_PEER_REVIEW = "awaiting_peer_review"


class Submission(Model):
    """One attempt at one block. Committed before any grading happens."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="submissions",
                                  on_delete=fields.CASCADE)
    course = fields.ForeignKeyField("models.Course", related_name="submissions",
                                    on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    block_type = fields.CharField(max_length=32)
    # 1, 2, 3... per (user, block): every submission, including ones that hit an error.
    attempt = fields.IntField()
    answer = fields.JSONField()
    status = fields.CharEnumField(Status, max_length=32, default=Status.QUEUED, db_index=True)
    # Points after the late penalty, on the block's scale; raw_points before the penalty.
    points = fields.FloatField(null=True)
    raw_points = fields.FloatField(null=True)
    max_points = fields.FloatField()
    feedback = fields.JSONField(null=True)  # {"summary": str, "items": [...], "html": str?}
    error_message = fields.TextField(null=True)  # readable by the student
    late = fields.BooleanField(default=False)
    late_penalty = fields.FloatField(default=0.0)  # fraction of points deducted
    grading_payload = fields.JSONField(null=True)  # what an external grader sent back
    grader_runs = fields.IntField(default=0)  # how many times a job started grading it
    # When an asynchronous external grader accepted it: from then on we wait for its
    # callback (up to the async timeout) instead of asking again.
    grader_accepted_at = fields.DatetimeField(null=True)
    submitted_at = fields.DatetimeField(auto_now_add=True)
    # When a job for it was last put on the queue (the sweeper re-enqueues stale ones).
    enqueued_at = fields.DatetimeField(null=True)
    grading_started_at = fields.DatetimeField(null=True)
    graded_at = fields.DatetimeField(null=True)

    class Meta:
        table = "grading_submissions"
        unique_together = (("user", "course", "block_id", "attempt"),)
        indexes = (("course_id", "block_id"), ("course_id", "user_id"), ("status", "enqueued_at"))


class Extension(Model):
    """A later deadline and/or extra attempts for one student on one block, granted by
    staff. `due_at` None keeps the block's own due date."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="extensions",
                                  on_delete=fields.CASCADE)
    course = fields.ForeignKeyField("models.Course", related_name="extensions",
                                    on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    due_at = fields.DatetimeField(null=True)
    extra_attempts = fields.IntField(default=0)
    reason = fields.TextField(default="")
    granted_by = fields.ForeignKeyField("models.User", related_name="extensions_granted",
                                        null=True, on_delete=fields.SET_NULL)
    granted_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "grading_extensions"
        unique_together = (("user", "course", "block_id"),)


class ExtensionLog(Model):
    """Audit trail of extensions: one row per grant, change or revocation, never updated."""

    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("models.Course", related_name="extension_logs",
                                    on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="extension_logs",
                                  on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    action = fields.CharField(max_length=16)  # granted | revoked
    due_at = fields.DatetimeField(null=True)
    extra_attempts = fields.IntField(default=0)
    reason = fields.TextField(default="")
    by = fields.ForeignKeyField("models.User", related_name="extension_actions", null=True,
                                on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "grading_extension_logs"
        indexes = (("course_id", "id"),)


class GradeOverride(Model):
    """A manual grade by staff. Rows are never updated: the newest per block wins, and the
    rows together are the audit trail. `points` None clears the override."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="grade_overrides",
                                  on_delete=fields.CASCADE)
    course = fields.ForeignKeyField("models.Course", related_name="grade_overrides",
                                    on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    points = fields.FloatField(null=True)
    previous_points = fields.FloatField(null=True)
    reason = fields.TextField()
    by = fields.ForeignKeyField("models.User", related_name="overrides_made", null=True,
                                on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "grading_overrides"
        indexes = (("course_id", "user_id", "block_id"),)
