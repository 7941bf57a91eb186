"""The event log, which is also the outbox: every published event, written in the same
transaction as the change it announces, so API clients can resume from a sequence number
and no committed change is ever without its event (realtime/publish.py, realtime/relay.py).
"""

from tortoise import fields
from tortoise.models import Model


class Event(Model):
    # The id is the event's `seq`.
    id = fields.BigIntField(primary_key=True)
    topic = fields.CharField(max_length=255, db_index=True)
    name = fields.CharField(max_length=64)
    data_by_audience = fields.JSONField()
    # The HTML fragments per audience, kept so a relay can send an event its writer never
    # sent (a crash between commit and send, a channel-layer outage).
    html_by_audience = fields.JSONField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    # Outbox state: NULL until a relay has handed the event to the channel layer.
    sent_at = fields.DatetimeField(null=True, db_index=True)
    # A relay sweeping unsent events holds one until then, so two processes don't both send it.
    claimed_until = fields.DatetimeField(null=True)

    class Meta:
        table = "events"


class PrunedEvents(Model):
    """How far the event log was pruned: a `since` below `through_seq` may have missed
    events that are gone, so that client must resync. One row (id 1)."""

    id = fields.IntField(primary_key=True)
    through_seq = fields.BigIntField(default=0)

    class Meta:
        table = "events_pruned"
