"""The members page pages with "load more" (by name, then id), and its live changes are per
row: a change lands in place, a removal removes the row, a new member's row goes before the
row of the member after them (or before the end marker a table loaded to its end has), so
it lands only where the page shows its place; a resync re-sends as many rows as loaded."""

from __future__ import annotations

import re

import pytest

from courses import member_pages
from courses.events import _resync_members
from courses.member_pages import changed_rows, end_id, row_id, rows_id
from courses.service import grant_role
from realtime.resync import LOADED
from realtime.topics import Topic
from tests.support.people import browser_login, course_with, person

NAMES = ["Amy", "Bea", "Cid", "Dan", "Eve"]


@pytest.fixture
async def members(app, monkeypatch):
    monkeypatch.setattr("courses.member_pages.MEMBERS_LIMIT", 2)
    monkeypatch.setattr("courses.members_pages.MEMBERS_LIMIT", 2)
    prof = await person("prof@example.org", "Prof", creator=True)
    people = {n: await person(f"{n.lower()}@example.org", n) for n in NAMES}
    course = await course_with(prof, {u: "student" for u in people.values()})
    return course, prof, people


def names(html: str) -> list[str]:
    return re.findall(r'class="member-row"[^>]*>\s*<td>([^<]+)</td>', html)


async def test_the_members_table_loads_more_by_name_once_each(client, members):
    course, _prof, _people = members
    await browser_login(client, "prof@example.org")
    page = await client.get(f"/courses/{course.id}/members")
    assert page.status_code == 200 and names(page.text) == ["Amy", "Bea"]
    assert "6 members" in page.text and f'id="{end_id(course.id)}"' not in page.text
    seen = names(page.text)
    more = re.search(r'hx-get="([^"]+/members/rows\?[^"]+)"', page.text)
    while more:
        r = await client.get(more.group(1).replace("&amp;", "&"))
        assert r.status_code == 200 and "<html" not in r.text
        seen += names(r.text)
        more = re.search(r'hx-get="([^"]+/members/rows\?[^"]+)"', r.text)
    assert seen == [*NAMES, "Prof"] and f'id="{end_id(course.id)}"' in r.text
    assert (await client.get(f"/courses/{course.id}/members/rows?after=x")).status_code == 400
    assert (await client.get(f"/courses/{course.id}/members/rows?limit=3")).status_code == 400


async def test_live_rows_land_only_where_the_page_shows_their_place(members):
    course, _prof, people = members
    bob = await person("bob@example.org", "Bob")
    zed = await person("zed@example.org", "Zed")
    for user in (bob, zed):
        await grant_role(course.id, user.id, "student")
    await grant_role(course.id, people["Cid"].id, "ta")
    frame = await changed_rows(course.id, [bob.id, zed.id, people["Cid"].id], manage=True,
                               placed=[bob.id, zed.id])
    # Bob sorts before Cid: inserted before Cid's row (only a page that has it).
    assert re.search(rf'<hx-partial hx-target="#{row_id(course.id, people["Cid"].id)}" '
                     rf'hx-swap="beforebegin">\s*<tr id="{row_id(course.id, bob.id)}"', frame)
    # Zed sorts last: before the end marker, which only a table loaded to its end has.
    assert re.search(rf'<hx-partial hx-target="#{end_id(course.id)}" hx-swap="beforebegin">'
                     rf'\s*<tr id="{row_id(course.id, zed.id)}"', frame)
    # A placed row is removed first, so a page that had it does not show it twice.
    assert f'<tr id="{row_id(course.id, bob.id)}" hx-swap-oob="delete">' in frame
    # Cid's role changed: swapped in place, not moved or inserted anywhere.
    assert re.search(rf'<tr id="{row_id(course.id, people["Cid"].id)}" '
                     r'hx-swap-oob="outerHTML" class="member-row" data-role="ta"', frame)
    assert "8 members" in frame
    # A member who left: their row is removed.
    from courses.membership import delete_membership
    from models.courses import Membership

    await delete_membership(await Membership.get(course_id=course.id, user_id=zed.id))
    gone = await changed_rows(course.id, [zed.id], manage=False)
    assert f'<tr id="{row_id(course.id, zed.id)}" hx-swap-oob="delete">' in gone
    assert "7 members" in gone and "<select" not in gone


async def test_a_resync_re_sends_the_rows_the_page_had_loaded(members):
    course, prof, _people = members
    topic = Topic(f"members:{course.id}", "members", course.id)
    first = await _resync_members(topic, prof, "staff")
    assert names(first) == ["Amy", "Bea"] and "/members/rows?" in first
    reset = LOADED.set({rows_id(course.id): 4})
    try:
        four = await _resync_members(topic, prof, "instructor")
    finally:
        LOADED.reset(reset)
    assert names(four) == ["Amy", "Bea", "Cid", "Dan"] and "/members/rows?" in four
    assert "<select" in four  # the instructor's controls
    reset = LOADED.set({rows_id(course.id): 50})
    try:
        every = await _resync_members(topic, prof, "staff")
    finally:
        LOADED.reset(reset)
    assert names(every) == [*NAMES, "Prof"] and f'id="{end_id(course.id)}"' in every
    assert member_pages.MEMBERS_LIMIT == 2
