"""The audit trail of quiz attempts: one row per state change, with who and when
(quizzes.audit writes it; staff read it per attempt)."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class AttemptAction(StrEnum):
    STARTED = "started"
    SUBMITTED = "submitted"  # by the student
    SUBMITTED_AT_DEADLINE = "submitted_at_deadline"  # by the server
    GRADED = "graded"
    REOPENED = "reopened"
    EXTENDED = "extended"
    ACCOMMODATION_CHANGED = "accommodation_changed"
    TAKEN_OVER = "taken_over"  # another device of the student opened it (quizzes.attempt_holds)


class QuizAttemptEvent(Model):
    """One change of one attempt: what, by whom (None: the server), when, the deadline it
    left, and the change's particulars (extra minutes, points)."""

    id = fields.IntField(primary_key=True)
    attempt = fields.ForeignKeyField("quizzes.QuizAttempt", related_name="history",
                                     on_delete=fields.CASCADE)
    action = fields.CharEnumField(AttemptAction, max_length=32)
    actor = fields.ForeignKeyField("models.User", related_name="quiz_attempt_actions",
                                   null=True, on_delete=fields.SET_NULL)
    at = fields.DatetimeField()
    deadline_at = fields.DatetimeField(null=True)
    detail = fields.JSONField(null=True)

    class Meta:
        table = "quiz_attempt_events"
        indexes = (("attempt_id", "id"),)
