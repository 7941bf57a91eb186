"""Exam integrity for quiz attempts (quizzes.attempt_holds): which device holds an attempt
in progress, and which devices have opened it. A device is named by a public id (a hash
of a secret kept in its session), never by the secret."""

from tortoise import fields
from tortoise.models import Model


class AttemptHold(Model):
    """The one device that may save answers to (and hand in) an attempt in progress: the
    last one that opened it."""

    id = fields.IntField(primary_key=True)
    attempt = fields.OneToOneField("quizzes.QuizAttempt", related_name="hold",
                                   on_delete=fields.CASCADE)
    device = fields.CharField(max_length=32)
    taken_at = fields.DatetimeField()
    takeovers = fields.IntField(default=0)  # how often another device took it over
    # Whether a page of the attempt is open and connected, on any device and process: what
    # the AttemptConnection rows say, kept here for the proctor row (quizzes.presence).
    connected = fields.BooleanField(default=False)

    class Meta:
        table = "quiz_attempt_holds"


class AttemptConnection(Model):
    """One app process holds a live socket of the student's attempt page (quizzes.presence):
    written when its first such socket there connects, deleted when its last one goes, and
    renewed while they stay (`seen_at`); one not renewed for a while belongs to a process
    that died, and is swept."""

    id = fields.IntField(primary_key=True)
    attempt = fields.ForeignKeyField("quizzes.QuizAttempt", related_name="connections",
                                     on_delete=fields.CASCADE)
    process = fields.CharField(max_length=16)
    seen_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "quiz_attempt_connections"
        unique_together = (("attempt", "process"),)


class AttemptDevice(Model):
    """A device that opened an attempt (with the quiz's access code, if it has one): it may
    open it again without the code."""

    id = fields.IntField(primary_key=True)
    attempt = fields.ForeignKeyField("quizzes.QuizAttempt", related_name="devices",
                                     on_delete=fields.CASCADE)
    device = fields.CharField(max_length=32)
    opened_at = fields.DatetimeField()

    class Meta:
        table = "quiz_attempt_devices"
        unique_together = (("attempt", "device"),)
