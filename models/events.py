"""The event log: every published event, so API clients can resume from a sequence number."""

from tortoise import fields
from tortoise.models import Model


class Event(Model):
    # The id is the event's `seq`.
    id = fields.BigIntField(primary_key=True)
    topic = fields.CharField(max_length=255, db_index=True)
    name = fields.CharField(max_length=64)
    data_by_audience = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "events"
