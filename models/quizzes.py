"""Quiz attempts, their saved answers, and per-student accommodations (quizzes/)."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    GRADED = "graded"


class QuizAttempt(Model):
    """One student's attempt at one quiz: the paper drawn for it (questions included, so a
    resume or a bank edit never changes it), its server-side deadline and its outcome."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="quiz_attempts",
                                  on_delete=fields.CASCADE)
    course = fields.ForeignKeyField("models.Course", related_name="quiz_attempts",
                                    on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    number = fields.IntField()  # 1, 2, 3... per (user, quiz)
    seed = fields.BigIntField()
    paper = fields.JSONField()  # [{id, question, option_order}] (quizzes.draw)
    status = fields.CharEnumField(AttemptStatus, max_length=16,
                                  default=AttemptStatus.IN_PROGRESS)
    started_at = fields.DatetimeField()
    deadline_at = fields.DatetimeField(null=True)  # None: no time limit and no close
    last_saved_at = fields.DatetimeField(null=True)
    submitted_at = fields.DatetimeField(null=True)
    submitted_by_server = fields.BooleanField(default=False)
    # Which hand-in claimed it: a deadline round claims many in one UPDATE and reads back
    # the ones it got by this value (quizzes.attempts.hand_in); then its handover to
    # grading claims it again with a value of its own (quizzes.attempts.hand_to_grading).
    # None once grading refused that handover (submitted, not graded: nothing to retry).
    claim = fields.CharField(max_length=32, null=True, db_index=True)
    # When a handover to grading last claimed it: a handover that has not linked a
    # submission a lease after this (or after submitted_at) is taken over by the deadline
    # schedule's sweep (quizzes.deadlines.stalled_handovers).
    handover_at = fields.DatetimeField(null=True)
    submission_id = fields.IntField(null=True)  # grading's Submission for this attempt
    points = fields.FloatField(null=True)
    max_points = fields.FloatField()
    results = fields.JSONField(null=True)  # {question id: {points, max_points, feedback}}

    class Meta:
        table = "quiz_attempts"
        unique_together = (("user", "course", "block_id", "number"),)
        indexes = (("status", "deadline_at"), ("course_id", "block_id"))


class QuizAnswer(Model):
    """The latest saved answer to one question of an attempt (autosave overwrites it)."""

    id = fields.IntField(primary_key=True)
    attempt = fields.ForeignKeyField("quizzes.QuizAttempt", related_name="answers",
                                     on_delete=fields.CASCADE)
    question_id = fields.CharField(max_length=255)
    answer = fields.JSONField()
    saved_at = fields.DatetimeField()

    class Meta:
        table = "quiz_answers"
        unique_together = (("attempt", "question_id"),)


class QuizAccommodation(Model):
    """Extra time for one student on one quiz, set by an instructor."""

    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="quiz_accommodations",
                                  on_delete=fields.CASCADE)
    course = fields.ForeignKeyField("models.Course", related_name="quiz_accommodations",
                                    on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    extra_minutes = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "quiz_accommodations"
        unique_together = (("user", "course", "block_id"),)
