"""Courses and who is in them."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    STUDENT = "student"
    TA = "ta"
    INSTRUCTOR = "instructor"


class Course(Model):
    # course-v1:ORG+NUMBER+RUN, as in Open edX.
    id = fields.CharField(max_length=255, primary_key=True)
    org = fields.CharField(max_length=64)
    number = fields.CharField(max_length=64)
    run = fields.CharField(max_length=64)
    title = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Listed in the catalogue, where any signed-in user may join as a student.
    self_enrolment = fields.BooleanField(default=False)

    class Meta:
        table = "courses"


class Membership(Model):
    id = fields.IntField(primary_key=True)
    user = fields.ForeignKeyField(
        "models.User", related_name="memberships", on_delete=fields.CASCADE
    )
    course = fields.ForeignKeyField(
        "models.Course", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=16)
    group = fields.CharField(max_length=64, null=True)  # a section or tutorial group
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "memberships"
        unique_together = (("user", "course"),)
