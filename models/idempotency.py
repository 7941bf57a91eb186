"""Responses remembered by Idempotency-Key, so a retried POST is answered, not redone."""

from tortoise import fields
from tortoise.models import Model


class IdempotentRequest(Model):
    id = fields.BigIntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="idempotent_requests",
                                  on_delete=fields.CASCADE)
    key = fields.CharField(max_length=255)
    # sha256 of method, path, query and body: the same key with another request is refused.
    fingerprint = fields.CharField(max_length=64)
    # NULL while the first request is still being answered.
    status = fields.IntField(null=True)
    headers = fields.JSONField(null=True)
    body = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "idempotent_requests"
        unique_together = (("user", "key"),)
