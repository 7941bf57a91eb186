"""Peer review: responses in the review queue, review assignments (leases and assessments),
reviewers' queue state, review groups and scheduled allocations."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class ResponseStatus(StrEnum):
    ACTIVE = "active"  # in the queue
    CANCELLED = "cancelled"  # removed by staff


class Kind(StrEnum):
    PEER = "peer"
    SELF = "self"
    STAFF = "staff"


class AssignmentStatus(StrEnum):
    OPEN = "open"  # leased (or allocated), not yet assessed
    DONE = "done"  # assessed
    EXPIRED = "expired"  # the lease ran out; the response went back to the queue
    CANCELLED = "cancelled"  # the response was cancelled while this was open


class PeerResponse(Model):
    """A student's response to a peer_review block: one per grading.Submission."""

    id = fields.IntField(primary_key=True)
    submission = fields.OneToOneField("grading.Submission", related_name="peer_response",
                                      on_delete=fields.CASCADE)
    course = fields.ForeignKeyField("models.Course", related_name="peer_responses",
                                    on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    author = fields.ForeignKeyField("models.User", related_name="peer_responses",
                                    on_delete=fields.CASCADE)
    text = fields.TextField()
    file_name = fields.CharField(max_length=255, null=True)
    file_type = fields.CharField(max_length=100, null=True)
    file_data = fields.BinaryField(null=True)
    status = fields.CharEnumField(ResponseStatus, max_length=16, default=ResponseStatus.ACTIVE)
    # Completed plus open peer assignments: the queue's first sort key. Kept in step with
    # the assignments inside the same transactions, and the row every lease claims.
    load = fields.IntField(default=0)
    received = fields.IntField(default=0)  # completed peer assessments
    submitted_at = fields.DatetimeField()
    # The score once it is released (enough assessments, or staff assessed it).
    points = fields.FloatField(null=True)
    per_criterion = fields.JSONField(null=True)
    feedback = fields.JSONField(null=True)  # the reviewers' overall feedback, as released
    scored_at = fields.DatetimeField(null=True)
    cancelled_reason = fields.TextField(null=True)
    # The audit of a cancellation: who, when, and the score it withdrew from the gradebook.
    cancelled_by = fields.ForeignKeyField("models.User", related_name="peer_cancellations",
                                          null=True, on_delete=fields.SET_NULL)
    cancelled_at = fields.DatetimeField(null=True)
    withdrawn_points = fields.FloatField(null=True)

    class Meta:
        table = "peer_responses"
        indexes = (("course_id", "block_id", "status", "load", "submitted_at"),
                   ("course_id", "block_id", "author_id"))


class PeerAssignment(Model):
    """One reviewer's work on one response: a lease while open, an assessment when done.

    One row per (response, reviewer), so nobody reviews the same response twice.
    """

    id = fields.IntField(primary_key=True)
    response = fields.ForeignKeyField("peer_review.PeerResponse", related_name="assignments",
                                      on_delete=fields.CASCADE)
    reviewer = fields.ForeignKeyField("models.User", related_name="peer_assignments",
                                      on_delete=fields.CASCADE)
    course = fields.ForeignKeyField("models.Course", related_name="peer_assignments",
                                    on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    kind = fields.CharEnumField(Kind, max_length=8, default=Kind.PEER)
    status = fields.CharEnumField(AssignmentStatus, max_length=16,
                                  default=AssignmentStatus.OPEN)
    leased_at = fields.DatetimeField()
    expires_at = fields.DatetimeField(null=True)
    # When the reviewer first opened it. A lease pushed to a waiting reviewer starts with a
    # short expiry and gets the full lease only once they open it.
    opened_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    scores = fields.JSONField(null=True)  # {criterion: option name}
    criterion_feedback = fields.JSONField(null=True)  # {criterion: text}
    feedback = fields.TextField(default="")
    points = fields.FloatField(null=True)

    class Meta:
        table = "peer_assignments"
        unique_together = (("response", "reviewer"),)
        indexes = (("course_id", "block_id", "reviewer_id", "status"), ("status", "expires_at"))


class PeerReviewer(Model):
    """A reviewer's place in one block's queue. Every lease for a reviewer first updates
    this row, which serializes that reviewer's concurrent requests; `waiting_since` is set
    while they wait for work (the assigner clears it when it hands them a response)."""

    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("models.Course", related_name="peer_reviewers",
                                    on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    reviewer = fields.ForeignKeyField("models.User", related_name="peer_queue_states",
                                      on_delete=fields.CASCADE)
    waiting_since = fields.DatetimeField(null=True)
    turns = fields.IntField(default=0)

    class Meta:
        table = "peer_reviewers"
        unique_together = (("course", "block_id", "reviewer"),)
        indexes = (("course_id", "block_id", "waiting_since"),)


class ReviewGroup(Model):
    """Optional group membership: scheduled allocation never pairs members of one group."""

    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("models.Course", related_name="review_groups",
                                    on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="review_groups",
                                  on_delete=fields.CASCADE)
    name = fields.CharField(max_length=100)

    class Meta:
        table = "peer_review_groups"
        unique_together = (("course", "user"),)


class ScheduledAllocation(Model):
    """Moodle workshop style: at `run_at` every response gets `reviews_per_response`
    randomly allocated reviewers (optionally never from the author's group)."""

    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("models.Course", related_name="peer_allocations",
                                    on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    run_at = fields.DatetimeField()
    reviews_per_response = fields.IntField()
    exclude_same_group = fields.BooleanField(default=True)
    ran_at = fields.DatetimeField(null=True)
    allocated = fields.IntField(default=0)
    created_by = fields.ForeignKeyField("models.User", related_name="peer_allocations_made",
                                        null=True, on_delete=fields.SET_NULL)

    class Meta:
        table = "peer_allocations"
        unique_together = (("course", "block_id"),)
