"""The forum moderation queue under the group filter: staff assigned to groups see their
groups' items by default, can switch to all or to one group, and pages still chain."""

from datetime import UTC, datetime

from courses import groups
from courses.service import set_member_role
from forum.flags import flag_post
from forum.posts import create_post
from forum.queries import QueueItem
from forum.threads import create_thread
from models.courses import Role
from tests.forum.conftest import make_cast
from tests.support.paging import follow_pages
from tests.support.people import bearer, browser_login, token


async def reported_course(client):
    cast = await make_cast()
    await set_member_role(cast.teacher, cast.course.id, cast.ada.id, Role.STUDENT, "A")
    await set_member_role(cast.teacher, cast.course.id, cast.bob.id, Role.STUDENT, "B")
    thread = await create_thread(cast.teacher, cast.course.id, "Reported", "Look below")
    posts = {}
    for n, who in enumerate((cast.ada, cast.bob, cast.ada)):
        post = await create_post(who, thread.id, f"Reply {n} by {who.name}")
        await flag_post(cast.cy, post.id, "rude")
        posts.setdefault(who.id, []).append(post.id)
    [a] = [s.group.id for s in await groups.list_groups(cast.teacher, cast.course.id)
           if s.group.name == "A"]
    await groups.assign_staff(cast.teacher, cast.course.id, a, [cast.ta.id])
    return cast, posts, await token(client, "ta@example.org")


async def test_queue_defaults_to_the_tas_groups_and_switches(client):
    cast, posts, tok = await reported_course(client)
    url = f"/api/v1/courses/{cast.course.id}/forum/moderation"
    mine = await client.get(url, headers=bearer(tok))
    assert mine.status_code == 200, mine.text
    assert sorted(i["post_id"] for i in mine.json()) == sorted(posts[cast.ada.id])
    assert {i["group"] for i in mine.json()} == {"A"}
    every = await client.get(url + "?group=all", headers=bearer(tok))
    assert len(every.json()) == 3
    only_b = await client.get(url + "?group=B", headers=bearer(tok))
    assert [i["post_id"] for i in only_b.json()] == posts[cast.bob.id]
    assert (await client.get(url + "?group=Nope", headers=bearer(tok))).status_code == 404
    # The teacher is assigned to no group: everything by default.
    teacher = await token(client, "teacher@example.org")
    assert len((await client.get(url, headers=bearer(teacher))).json()) == 3
    student = await token(client, "bob@example.org")
    assert (await client.get(url + "?group=A", headers=bearer(student))).status_code == 403


async def test_filtered_queue_pages_chain_with_the_filter(client):
    cast, posts, tok = await reported_course(client)
    url = f"/api/v1/courses/{cast.course.id}/forum/moderation?group=mine&limit=1"
    rows, pages = await follow_pages(client, url, bearer(tok))
    assert sorted(r["post_id"] for r in rows) == sorted(posts[cast.ada.id]) and pages == 2


async def test_the_page_shows_the_filter_and_marks_items_with_their_group(client):
    cast, posts, _tok = await reported_course(client)
    await browser_login(client, "ta@example.org")
    page = await client.get(f"/courses/{cast.course.id}/forum/moderation")
    assert page.status_code == 200
    assert 'data-group-filter="[&#34;A&#34;]"' in page.text
    assert f'id="modq-item-{posts[cast.bob.id][0]}"' not in page.text
    assert 'data-group="A"' in page.text and "My groups (A)" in page.text


def test_items_of_authors_anonymous_to_staff_show_under_every_filter():
    def item(group, hidden=False):
        return QueueItem(None, 1, "t", [], None, None, datetime.now(UTC),  # type: ignore[arg-type]
                         author_group=group, group_hidden=hidden)
    assert item("A").in_groups(("A",)) and not item("B").in_groups(("A",))
    assert not item(None).in_groups(("A",)) and item(None).in_groups(None)
    assert item(None, hidden=True).in_groups(("A",))
