"""Invite links into a course. Memberships themselves are models.courses.Membership."""

from tortoise import fields
from tortoise.models import Model

from models.courses import Role


class Invite(Model):
    """A link that enrols whoever accepts it, with a role, until used up, expired or revoked."""

    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    course = fields.ForeignKeyField("models.Course", related_name="invites",
                                    on_delete=fields.CASCADE)
    role = fields.CharEnumField(Role, max_length=16)
    max_uses = fields.IntField(null=True)  # None: unlimited
    uses = fields.IntField(default=0)
    expires_at = fields.DatetimeField(null=True)
    revoked = fields.BooleanField(default=False)
    created_by = fields.ForeignKeyField("models.User", related_name="invites_made", null=True,
                                        on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "course_invites"
