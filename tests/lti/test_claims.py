"""What the LTI claims mean in Coursewire terms: roles and targets."""

from __future__ import annotations

import pytest

from lti.claims import Target, course_role, target_of
from models.courses import Role

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


@pytest.mark.parametrize("roles, role", [
    ([M + "Learner"], Role.STUDENT),
    (["Learner"], Role.STUDENT),
    (["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
     Role.TA),
    ([M + "Learner", M + "Instructor"], Role.INSTRUCTOR),
    ([M + "Instructor", "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor"
                        "#TeachingAssistant"], Role.INSTRUCTOR),
    (["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"], None),
    (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], None),
    ([M + "Mentor"], None),
    ("Instructor", None),
    ([], None),
])
def test_the_roles_claim_maps_to_the_highest_course_role(roles, role):
    assert course_role(roles) == role


@pytest.mark.parametrize("uri, target", [
    ("https://cw.example/courses/course-v1:A+B+C", Target("course-v1:A+B+C")),
    ("https://cw.example/courses/course-v1:A+B+C/units/u1?x=1",
     Target("course-v1:A+B+C", "u1")),
    ("https://cw.example/courses/course-v1%3AA%2BB%2BC/units/u1",
     Target("course-v1:A+B+C", "u1")),
    ("https://cw.example/courses/c/units/u1?quiz=mid", Target("c", "mid", "u1")),
    ("https://cw.example/courses/c/units/u1?quiz=", Target("c", "u1")),
    ("https://cw.example/courses/", None),
    ("https://cw.example/courses/x/studio", None),
    ("https://cw.example/login", None),
    (None, None),
])
def test_a_target_is_a_coursewire_course_unit_or_quiz(uri, target):
    assert target_of(uri) == target


def test_a_target_always_lands_on_our_own_host():
    assert target_of("https://evil.example/courses/c").path == "/courses/c"
    assert Target("c", "u").path == "/courses/c/units/u"
    assert Target("c", "mid", "u").path == "/courses/c/units/u?quiz=mid"
