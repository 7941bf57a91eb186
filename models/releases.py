"""Release announcements: which start times have been announced live, so exactly one
process announces each (courseware.releases). The unique pair is the claim."""

from tortoise import fields
from tortoise.models import Model


class ReleaseAnnouncement(Model):
    """A start time of a course that passed and was (or is being) announced to open pages."""

    id = fields.IntField(primary_key=True)
    course_id = fields.CharField(max_length=255)
    released_at = fields.DatetimeField()
    announced_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "release_announcements"
        unique_together = (("course_id", "released_at"),)
