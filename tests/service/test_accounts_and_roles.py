"""Accounts, courses and roles through the services, on SQLite or PostgreSQL."""

import asyncio
import dataclasses

import pytest

from accounts.service import authenticate, register_user
from core.errors import (
    BadInput,
    Conflict,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from core.ratelimit import MemoryRateLimiter
from courses.service import (
    add_member_by_email,
    create_course,
    remove_member,
    require_member,
    require_role,
    set_member_role,
)
from courses.student_view import previewing_as_student
from models.courses import Role
from tests.support.people import PASSWORD, person


async def test_email_is_unique_case_insensitively(db):
    await register_user("Ada@Example.org", PASSWORD, "Ada")
    with pytest.raises(Conflict):
        await register_user("ada@example.ORG", PASSWORD, "Ada again")


async def test_concurrent_registrations_of_one_email_create_one_account(db):
    results = await asyncio.gather(
        *(register_user("race@example.org", PASSWORD, "R") for _ in range(4)),
        return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if isinstance(r, Exception))


async def test_registration_reports_every_bad_field(db):
    with pytest.raises(BadInput) as err:
        await register_user("not-an-email", "short", "  ")
    assert set(err.value.fields) == {"email", "password", "name"}


async def test_login_is_throttled_per_account_and_address_after_repeated_failures(db):
    db = dataclasses.replace(db, login_attempts_per_account=4)
    await person("victim@example.org")
    limiter = MemoryRateLimiter()
    for _ in range(db.login_attempts_per_account):
        with pytest.raises(NotAuthenticated):
            await authenticate("victim@example.org", "wrong", client_ip="10.0.0.1",
                               limiter=limiter, settings=db)
    with pytest.raises(RateLimited, match="failed sign-ins"):
        await authenticate("victim@example.org", PASSWORD, client_ip="10.0.0.1",
                           limiter=limiter, settings=db)
    # From another address the owner signs in (tests/trust/test_login_throttle.py).
    assert await authenticate("victim@example.org", PASSWORD, client_ip="10.9.9.9",
                              limiter=limiter, settings=db)


async def test_login_is_rate_limited_per_ip(db):
    db = dataclasses.replace(db, login_attempts_per_ip=5)
    await person("someone@example.org")
    limiter = MemoryRateLimiter()
    for i in range(db.login_attempts_per_ip):
        with pytest.raises(NotAuthenticated):
            await authenticate(f"nobody{i}@example.org", "x", client_ip="10.0.0.1",
                               limiter=limiter, settings=db)
    with pytest.raises(RateLimited, match="network"):
        await authenticate("someone@example.org", PASSWORD, client_ip="10.0.0.1",
                           limiter=limiter, settings=db)


async def test_successful_login_clears_the_failure_count(db):
    db = dataclasses.replace(db, login_attempts_per_account=4)
    await person("forgetful@example.org")
    limiter = MemoryRateLimiter()
    for _ in range(db.login_attempts_per_account - 1):
        with pytest.raises(NotAuthenticated):
            await authenticate("forgetful@example.org", "wrong", client_ip="1.1.1.1",
                               limiter=limiter, settings=db)
    await authenticate("forgetful@example.org", PASSWORD, client_ip="1.1.1.1", limiter=limiter,
                       settings=db)
    assert await limiter.count("login:pair:1.1.1.1:forgetful@example.org") == 0


async def test_only_admins_and_course_creators_create_courses(db):
    student = await person("s@example.org")
    with pytest.raises(PermissionDenied):
        await create_course(student, "Org", "N1", "R", "T")
    creator = await person("c@example.org", creator=True)
    course = await create_course(creator, "Org", "N1", "R", "T")
    assert course.id == "course-v1:Org+N1+R"
    assert await require_role(creator, course.id, Role.INSTRUCTOR) == Role.INSTRUCTOR
    with pytest.raises(Conflict):
        await create_course(creator, "Org", "N1", "R", "Again")


async def test_require_role_orders_student_ta_instructor(db):
    teacher = await person("t@example.org", creator=True)
    ta, student, outsider = [await person(e) for e in ("ta@x.org", "st@x.org", "out@x.org")]
    course = await create_course(teacher, "Org", "N2", "R", "T")
    await set_member_role(teacher, course.id, ta.id, "ta")
    await add_member_by_email(teacher, course.id, "ST@x.org", "student")
    assert await require_role(ta, course.id, Role.TA) == Role.TA
    with pytest.raises(PermissionDenied):
        await require_role(student, course.id, Role.TA)
    with pytest.raises(NotFound):  # outsiders can't even tell the course exists
        await require_role(outsider, course.id)
    with pytest.raises(NotFound):
        await require_role(teacher, "course-v1:No+Such+Course")


async def test_require_member_checks_as_require_role_and_returns_course_and_group(db):
    teacher = await person("t2@example.org", creator=True)
    admin, ta, student, outsider = [await person(e, admin=e.startswith("ad")) for e in (
        "admin@x.org", "ta2@x.org", "st2@x.org", "out2@x.org")]
    course = await create_course(teacher, "Org", "N4", "R", "Title four")
    await set_member_role(teacher, course.id, ta.id, Role.TA)
    await set_member_role(teacher, course.id, student.id, Role.STUDENT, "A")
    member = await require_member(student, course.id)
    assert (member.course.title, member.role, member.group, member.audience) == (
        "Title four", Role.STUDENT, "A", "student")
    as_admin = await require_member(admin, course.id, Role.INSTRUCTOR)  # not a member
    assert (as_admin.course.id, as_admin.role, as_admin.group, as_admin.audience) == (
        course.id, Role.INSTRUCTOR, None, "staff")
    with previewing_as_student(course.id):
        assert (await require_member(ta, course.id)).audience == "student"
        with pytest.raises(PermissionDenied):
            await require_member(ta, course.id, Role.TA)
    with pytest.raises(PermissionDenied):
        await require_member(student, course.id, Role.TA)
    for user, course_id in ((outsider, course.id), (student, "course-v1:No+Such+Course"),
                            (admin, "course-v1:No+Such+Course"), (student, "x" * 300)):
        with pytest.raises(NotFound):
            await require_member(user, course_id)
        with pytest.raises(NotFound):
            await require_role(user, course_id)


async def test_the_last_instructor_cannot_be_removed_or_demoted(db):
    teacher = await person("only@example.org", creator=True)
    course = await create_course(teacher, "Org", "N3", "R", "T")
    with pytest.raises(Conflict):
        await set_member_role(teacher, course.id, teacher.id, "student")
    with pytest.raises(Conflict):
        await remove_member(teacher, course.id, teacher.id)


async def test_bad_role_names_are_rejected(db):
    teacher = await person("r@example.org", creator=True)
    other = await person("o@example.org")
    course = await create_course(teacher, "Org", "N4", "R", "T")
    with pytest.raises(BadInput):
        await set_member_role(teacher, course.id, other.id, "overlord")


async def test_email_length_is_checked_on_the_lowercased_address(db):
    # 'İ' lowercases to two characters: 131 characters as typed, 256 as stored.
    email = "İ" * 125 + "@e.org"
    assert len(email) <= 254 < len(email.lower())
    with pytest.raises(BadInput) as err:
        await register_user(email, PASSWORD, "Long")
    assert set(err.value.fields) == {"email"}


async def test_nul_characters_are_refused_in_names_and_emails(db):
    with pytest.raises(BadInput) as err:
        await register_user("a\x00b@example.org", PASSWORD, "N\x00")
    assert set(err.value.fields) == {"email", "name"}
    with pytest.raises(BadInput):
        await authenticate("a\x00b@example.org", PASSWORD, client_ip="1.1.1.1",
                           limiter=MemoryRateLimiter(), settings=db)


async def test_successful_logins_do_not_count_toward_the_ip_limit(db):
    db = dataclasses.replace(db, login_attempts_per_ip=3)
    await person("busy@example.org")
    limiter = MemoryRateLimiter()
    for _ in range(10):
        await authenticate("busy@example.org", PASSWORD, client_ip="10.0.0.1", limiter=limiter,
                           settings=db)
    assert await limiter.count("login:ip:10.0.0.1") == 0
