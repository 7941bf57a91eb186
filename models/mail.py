"""Outgoing mail: the durable queue the mail worker sends from (mail/queue.py).

A row is committed before anything is sent, so a mail survives a restart. `claimed_until`
is a sender's lease: while it runs, no other process sends the row.
"""

from tortoise import fields
from tortoise.models import Model


class OutgoingMail(Model):
    """One message to one recipient, with its delivery state."""

    id = fields.BigIntField(primary_key=True)
    to_address = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=255)
    text_body = fields.TextField()
    html_body = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    # The sender may take it from then on: a failed try moves it on (growing backoff).
    next_attempt_at = fields.DatetimeField(db_index=True)
    claimed_until = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.TextField(null=True)
    sent_at = fields.DatetimeField(null=True, db_index=True)
    failed_at = fields.DatetimeField(null=True)  # given up after the last retry

    class Meta:
        table = "outgoing_mail"
