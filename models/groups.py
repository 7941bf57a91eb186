"""Course groups (sections, tutorial groups): the group objects, the staff assigned to
them, and per-group dates for blocks.

A member's group is still their membership's `group` text (courses.membership writes it):
a CourseGroup row gives that name an id, so it can be renamed, deleted and have staff.
courses.groups writes CourseGroup and GroupStaff; grading.group_deadlines writes
GroupDeadline (grading owns due dates; quizzes read the windows through grading.api).
"""

from tortoise import fields
from tortoise.models import Model


class CourseGroup(Model):
    id = fields.IntField(primary_key=True)
    course = fields.ForeignKeyField("models.Course", related_name="course_groups",
                                    on_delete=fields.CASCADE)
    name = fields.CharField(max_length=64)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "course_groups"
        unique_together = (("course", "name"),)


class GroupStaff(Model):
    """A TA or instructor assigned to a group: their gradebook and moderation queue
    default to their groups."""

    id = fields.IntField(primary_key=True)
    group = fields.ForeignKeyField("groups.CourseGroup", related_name="staff",
                                   on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="group_assignments",
                                  on_delete=fields.CASCADE)

    class Meta:
        table = "group_staff"
        unique_together = (("group", "user"),)


class GroupDeadline(Model):
    """One group's dates for one block: a due date (graded blocks) and/or a window
    (quizzes). None: the block's own date applies."""

    id = fields.IntField(primary_key=True)
    group = fields.ForeignKeyField("groups.CourseGroup", related_name="deadlines",
                                   on_delete=fields.CASCADE)
    block_id = fields.CharField(max_length=255)
    due_at = fields.DatetimeField(null=True)
    opens_at = fields.DatetimeField(null=True)
    closes_at = fields.DatetimeField(null=True)
    set_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "group_deadlines"
        unique_together = (("group", "block_id"),)
