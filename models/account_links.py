"""Single-use links mailed to account owners: password reset, email verification, welcome.

Only a hash of the token is stored: a copy of the table opens no account.
"""

from tortoise import fields
from tortoise.models import Model


class AccountLink(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField("models.User", related_name="account_links",
                                  on_delete=fields.CASCADE)
    purpose = fields.CharField(max_length=16)  # accounts.links.Purpose
    token_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "account_links"
