"""A unit's `discussion` block shows its forum topic on the unit page: the topic's threads,
a way to start one there, live through the forum's thread-list frames."""

from tests.content_app import conftest as content
from tests.content_app.conftest import COURSE, import_and_publish
from tests.support.people import bearer, browser_login, token

# The content tests' fixtures: the demo course's people and archives of its folder.
people, archive, course_folder = content.people, content.archive, content.course_folder

PANEL = f"/courses/{COURSE}/forum/discussions/introduce-yourself"


async def test_unit_page_shows_the_discussion_blocks_topic_threads(client, people, archive):
    await import_and_publish(client, archive)
    auth = bearer(await token(client, "ada@example.org"))
    threads = f"/api/v1/courses/{COURSE}/forum/threads"
    r = await client.post(threads, headers=auth, json={
        "title": "Hi, I'm Ada", "body": "Hello all", "topic_id": "introductions"})
    assert r.status_code == 201, r.text
    await client.post(threads, headers=auth, json={"title": "Elsewhere", "body": "Other"})
    await browser_login(client, "ada@example.org")
    unit = (await client.get(f"/courses/{COURSE}/units/hello")).text
    assert f'hx-get="{PANEL}"' in unit
    assert f"course:{COURSE}:forum" in unit.replace("%3A", ":").replace("%2B", "+")
    panel = await client.get(PANEL, headers={"HX-Request": "true"})
    assert panel.status_code == 200
    html = panel.text
    # The forum page's own lists filtered to the topic: the same ids its frames target.
    assert 'id="forum-threads-course_2dv1_3aCoursewire_2bPY101_2b2026-introductions"' in html
    assert "Hi, I&#39;m Ada" in html and "Elsewhere" not in html
    assert "Forum: Introduce yourself" in html
    start = f"/courses/{COURSE}/forum?topic=introductions&amp;compose=1#new-thread"
    assert f'href="{start}"' in html
    forum = (await client.get(f"/courses/{COURSE}/forum?topic=introductions&compose=1")).text
    assert '<details class="compose" open>' in forum
    assert '<option value="introductions" selected>' in forum


async def test_discussion_panel_is_404_for_other_blocks_and_non_members(
        client, people, archive):
    await import_and_publish(client, archive)
    await browser_login(client, "ada@example.org")
    assert (await client.get(f"/courses/{COURSE}/forum/discussions/welcome")).status_code == 404
    assert (await client.get(f"/courses/{COURSE}/forum/discussions/nope")).status_code == 404
    await browser_login(client, "out@example.org")
    assert (await client.get(PANEL)).status_code in (403, 404)
