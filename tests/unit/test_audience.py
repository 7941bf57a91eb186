import pytest

from courses.audience import STAFF, STUDENT, audience_of
from models.courses import Role


@pytest.mark.parametrize("role, audience", [
    (Role.STUDENT, STUDENT), (Role.TA, STAFF), (Role.INSTRUCTOR, STAFF),
])
def test_each_course_role_reads_the_course_as_one_audience(role, audience):
    assert audience_of(role) == audience

