"""The course frame on course pages (app/course_frame.py): the title from the content,
each role's navigation with the current page marked, breadcrumbs and previous/next on a
unit, the outline's own marks, and "view as student"."""

from __future__ import annotations

import re

from tests.content_app.conftest import COURSE, import_and_publish
from tests.support.people import browser_login


def nav(html: str) -> list[str]:
    block = re.search(r'<nav class="course-nav" aria-label="Course">(.*?)</nav>', html, re.S)
    assert block, "no course navigation"
    return [re.sub(r"<[^>]+>|\s+waiting", "", m).strip()
            for m in re.findall(r"<a [^>]*>(.*?)</a>", block.group(1), re.S)]


def current(html: str) -> str:
    block = re.search(r'<nav class="course-nav".*?</nav>', html, re.S).group(0)
    m = re.search(r'aria-current="page">([^<]+)', block)
    assert m
    return m.group(1).strip()


async def test_each_role_sees_its_navigation_and_the_content_title(client, people, archive):
    await import_and_publish(client, archive)  # course.yaml: "Python from scratch"
    expected = {"ada@example.org": ["Outline", "Progress", "Forum", "Announcements"],
                "tom@example.org": ["Outline", "Progress", "Forum", "Announcements",
                                    "Gradebook", "Moderation", "Peer review board"],
                "grace@example.org": ["Outline", "Progress", "Forum", "Announcements",
                                      "Gradebook", "Moderation", "Peer review board",
                                      "Studio", "Members"]}
    for email, labels in expected.items():
        await browser_login(client, email)
        page = (await client.get(f"/courses/{COURSE}/progress")).text
        assert nav(page) == labels
        assert current(page) == "Progress"
        # (with the course's own language, when its folder names one: lang="en")
        assert re.search(r'<p class="course-title"( lang="\w+")?><a href="/courses/', page)
        assert ">Python from scratch</a></p>" in page
        assert ("View as student" in page) == (email != "ada@example.org")
        await client.post("/logout", data={"csrf_token": re.search(
            r'name="csrf-token" content="([^"]+)"', page).group(1)})


async def test_a_unit_has_breadcrumbs_and_previous_and_next(client, people, archive):
    await import_and_publish(client, archive)
    await browser_login(client, "ada@example.org")
    page = (await client.get(f"/courses/{COURSE}/units/variables")).text
    crumbs = re.search(r'aria-label="Breadcrumb">(.*?)</nav>', page, re.S).group(1)
    assert [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<li>(.*?)</li>", crumbs,
                                                                  re.S)] == [
        "Courses", "Python from scratch", "Getting started", "Your first program", "Variables"]
    assert f'rel="prev" href="/courses/{COURSE}/units/hello"' in page
    assert 'rel="next" href="/courses/' in page
    assert current(page) == "Outline"
    announcements = await client.get(f"/courses/{COURSE}/announcements")
    assert announcements.status_code == 200 and current(announcements.text) == "Announcements"
    assert "When the instructor posts one, it appears here at once." in announcements.text
    # The outline in the page loads itself again with the viewer's marks.
    assert f'hx-get="/courses/{COURSE}/outline"' in page
    outline = (await client.get(f"/courses/{COURSE}/outline")).text
    assert 'hx-get' not in outline and 'data-state="not-started"' in outline
    assert 'data-state="loading"' not in outline


async def test_outsiders_get_no_frame_and_no_outline(client, people, archive):
    await import_and_publish(client, archive)
    await browser_login(client, "out@example.org")
    assert (await client.get(f"/courses/{COURSE}/outline")).status_code == 404
    page = await client.get(f"/courses/{COURSE}")
    assert page.status_code == 404 and "course-nav" not in page.text


async def test_staff_view_as_student_reads_as_a_student_and_cannot_write(client, people,
                                                                        archive):
    await import_and_publish(client, archive)
    csrf = await browser_login(client, "tom@example.org")
    r = await client.post(f"/courses/{COURSE}/student-view",
                          data={"on": "1", "csrf_token": csrf, "next": f"/courses/{COURSE}"})
    assert r.status_code == 303
    page = (await client.get(f"/courses/{COURSE}")).text
    assert "Viewing as a student." in page and "Gradebook" not in nav(page)
    assert (await client.get(f"/courses/{COURSE}/gradebook")).status_code == 403
    r = await client.post(f"/courses/{COURSE}/blocks/valid-name/submissions",
                          data={"answer": "b", "csrf_token": csrf})
    assert r.status_code == 403 and "viewing this course as a student" in r.text
    r = await client.post(f"/courses/{COURSE}/student-view",
                          data={"on": "0", "csrf_token": csrf})
    assert r.status_code == 303
    assert (await client.get(f"/courses/{COURSE}/gradebook")).status_code == 200


async def test_students_cannot_turn_on_view_as_student(client, people, archive):
    await import_and_publish(client, archive)
    csrf = await browser_login(client, "ada@example.org")
    r = await client.post(f"/courses/{COURSE}/student-view", data={"on": "1",
                                                                  "csrf_token": csrf})
    assert r.status_code == 403
