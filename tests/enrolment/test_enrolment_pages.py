"""The enrolment pages: members (staff), invites, CSV import form, catalogue, self-enrolment."""

from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from models.courses import Membership, Role
from models.enrolment import Invite
from models.users import User
from tests.support.people import browser_login, course_with, person

HTMX = {"HX-Request": "true"}


async def setup(app):
    prof = await person("prof@example.org", creator=True)
    ta, ada = await person("ta@example.org"), await person("ada@example.org")
    return await course_with(prof, {ta: "ta", ada: "student"})


def browser(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                             base_url="http://testserver")


async def test_tas_read_the_members_page_and_only_instructors_get_controls(app):
    course = await setup(app)
    async with browser(app) as ta, browser(app) as prof, browser(app) as ada:
        await browser_login(ta, "ta@example.org")
        await browser_login(prof, "prof@example.org")
        await browser_login(ada, "ada@example.org")
        page = await ta.get(f"/courses/{course.id}/members")
        assert page.status_code == 200 and "ada@example.org" in page.text
        assert "Remove" not in page.text and "Invite links" not in page.text
        assert quote(f"members:{course.id}", safe="") in page.text  # the table is live
        page = await prof.get(f"/courses/{course.id}/members")
        assert "Remove" in page.text and "Invite links" in page.text
        assert "Import from CSV" in page.text and "Self-enrolment" in page.text
        assert (await ada.get(f"/courses/{course.id}/members")).status_code == 403


async def test_instructor_changes_role_and_group_and_removes_with_confirmation(app):
    course = await setup(app)
    ada = await User.get(email="ada@example.org")
    async with browser(app) as prof:
        csrf = await browser_login(prof, "prof@example.org")
        headers = {**HTMX, "X-CSRF-Token": csrf}
        r = await prof.post(f"/courses/{course.id}/members", headers=headers,
                            data={"user_id": str(ada.id), "role": "ta", "group": "Lab 2"})
        assert r.status_code == 200 and "Saved." in r.text and "hx-swap-oob" in r.text
        m = await Membership.get(user_id=ada.id, course_id=course.id)
        assert (m.role, m.group) == (Role.TA, "Lab 2")
        page = await prof.get(f"/courses/{course.id}/members")
        assert 'hx-confirm="Remove Ada from this course?' in page.text
        r = await prof.post(f"/courses/{course.id}/members", headers=headers,
                            data={"user_id": str(ada.id), "role": "ta", "group": "x" * 65})
        assert r.status_code == 400 and "64" in r.text
        r = await prof.post(f"/courses/{course.id}/members", headers=headers,
                            data={"user_id": str(ada.id), "action": "remove"})
        assert r.status_code == 200
        assert not await Membership.exists(user_id=ada.id, course_id=course.id)


async def test_import_form_shows_line_errors_and_keeps_only_the_failed_lines(app):
    course = await setup(app)
    async with browser(app) as prof:
        csrf = await browser_login(prof, "prof@example.org")
        text = ("email,name,role,group\nnew@example.org,New Person,student,A\n"
                "bad-email,Bad,student,\n")
        r = await prof.post(f"/courses/{course.id}/members/import",
                            headers={**HTMX, "X-CSRF-Token": csrf}, data={"csv": text})
        assert r.status_code == 200
        assert "<strong>1</strong> enrolled" in r.text and "not a valid email" in r.text
        assert "bad-email,Bad,student," in r.text and "new@example.org,New" not in r.text
        r = await prof.post(f"/courses/{course.id}/members/import",
                            headers={**HTMX, "X-CSRF-Token": csrf},
                            files={"file": ("class.csv", b"\xff\xfe\x00", "text/csv")})
        assert r.status_code == 400 and "UTF-8" in r.text
        r = await prof.post(f"/courses/{course.id}/members/import",
                            headers={**HTMX, "X-CSRF-Token": csrf}, data={"csv": " "})
        assert r.status_code == 400 and "paste" in r.text
    assert await Membership.exists(user__email="new@example.org", course_id=course.id)


async def test_invite_page_sends_visitors_to_sign_in_and_members_join(app):
    course = await setup(app)
    async with browser(app) as prof, browser(app) as visitor:
        csrf = await browser_login(prof, "prof@example.org")
        r = await prof.post(f"/courses/{course.id}/members/invites",
                            headers={**HTMX, "X-CSRF-Token": csrf},
                            data={"role": "student", "max_uses": "1"})
        assert r.status_code == 200 and "/invites/" in r.text
        code = r.text.split("/invites/")[1].split('"')[0].split("<")[0]
        page = await visitor.get(f"/invites/{code}")
        assert page.status_code == 200 and "/login?next=%2Finvites%2F" in page.text
        await person("newbie@example.org")
        csrf2 = await browser_login(visitor, "newbie@example.org")
        r = await visitor.post(f"/invites/{code}", data={"csrf_token": csrf2})
        assert r.status_code == 303 and r.headers["location"] == f"/courses/{course.id}"
        again = await visitor.get(f"/invites/{code}")
        assert "already in this course" in again.text
        await person("late@example.org")
        async with browser(app) as late:
            csrf3 = await browser_login(late, "late@example.org")
            page = await late.get(f"/invites/{code}")
            assert page.status_code == 410 and "used up" in page.text
            r = await late.post(f"/invites/{code}", data={"csrf_token": csrf3})
            assert r.status_code == 410
        assert (await visitor.get("/invites/nonsense")).status_code == 404


async def test_catalogue_lists_only_open_courses_and_self_enrolment_joins_as_student(app):
    course = await setup(app)
    await person("walker@example.org")
    async with browser(app) as prof, browser(app) as walker:
        csrf = await browser_login(prof, "prof@example.org")
        csrf_w = await browser_login(walker, "walker@example.org")
        assert course.title not in (await walker.get("/catalogue")).text
        assert (await walker.get(f"/courses/{course.id}")).status_code == 404
        r = await walker.post(f"/courses/{course.id}/enrol", data={"csrf_token": csrf_w})
        assert r.status_code == 404
        r = await prof.post(f"/courses/{course.id}/self-enrolment",
                            headers={**HTMX, "X-CSRF-Token": csrf},
                            data={"self_enrolment": "on"})
        assert r.status_code == 200 and "Listed" in r.text
        assert course.title in (await walker.get("/catalogue")).text
        page = await walker.get(f"/courses/{course.id}")  # the course page says how to join
        assert page.status_code == 200 and f'action="/courses/{course.id}/enrol"' in page.text
        r = await walker.post(f"/courses/{course.id}/enrol", data={"csrf_token": csrf_w})
        assert r.status_code == 303
        walker_user = await User.get(email="walker@example.org")
        m = await Membership.get(user_id=walker_user.id, course_id=course.id)
        assert m.role == Role.STUDENT
        assert "Open the course" in (await walker.get("/catalogue")).text
        page = await walker.get(f"/courses/{course.id}")
        assert page.status_code == 200 and "/enrol" not in page.text


async def test_an_invite_expiry_typed_on_the_page_is_on_the_instructors_clock(app):
    """Helsinki is UTC+2 in December: 2099-12-01 10:00 there is 08:00 UTC. The list shows it
    as a <time> the page puts on each viewer's clock; a typo keeps the form with a 400."""
    course = await setup(app)
    await User.filter(email="prof@example.org").update(timezone="Europe/Helsinki")
    async with browser(app) as prof:
        csrf = await browser_login(prof, "prof@example.org")
        url = f"/courses/{course.id}/members/invites"
        headers = {**HTMX, "X-CSRF-Token": csrf}
        r = await prof.post(url, headers=headers, data={
            "role": "student", "max_uses": "5", "expires_at": "2099-12-01Tten"})
        assert r.status_code == 400 and 'value="2099-12-01Tten"' in r.text
        r = await prof.post(url, headers=headers, data={
            "role": "student", "max_uses": "5", "expires_at": "2099-12-01T10:00"})
        assert r.status_code == 200, r.text
        [invite] = await Invite.filter(course_id=course.id)
        assert invite.expires_at == datetime(2099, 12, 1, 8, 0, tzinfo=UTC)
        assert '<time datetime="2099-12-01T08:00' in r.text
