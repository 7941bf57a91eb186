"""Course announcements."""

from tortoise import fields
from tortoise.models import Model


class Announcement(Model):
    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField(
        "models.Course", related_name="announcements", on_delete=fields.CASCADE
    )
    author = fields.ForeignKeyField("models.User", related_name="announcements", null=True,
                                    on_delete=fields.SET_NULL)
    title = fields.CharField(max_length=200)
    body_md = fields.TextField()
    body_html = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "announcements"
        ordering = ["-created_at", "-id"]
