"""Which published version of each course the content events last announced, so a publish
whose events were lost (a crash between the content store's commit and the event write)
is announced later by courseware.reconcile. The conditional update of this row is the claim:
exactly one process announces each move of the published pointer."""

from tortoise import fields
from tortoise.models import Model


class PublishedAnnouncement(Model):
    """A course's last announced published version (NULL: nothing announced yet)."""

    course_id = fields.CharField(max_length=255, primary_key=True)
    published_version = fields.CharField(max_length=64, null=True)
    announced_at = fields.DatetimeField(null=True)

    class Meta:
        table = "published_announcements"
