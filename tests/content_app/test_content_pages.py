"""Course pages: students read only published content; instructors edit the draft."""

import re

from tests.content_app.conftest import COURSE, WELCOME, import_and_publish
from tests.support.people import bearer, browser_login, token

HTMX = {"HX-Request": "true"}


def draft_version(html: str) -> str:
    m = re.search(r'data-draft-version="([0-9a-f]{24})"', html)
    assert m, html[:500]
    return m.group(1)


async def studio_post(client, csrf, **form):
    return await client.post(f"/courses/{COURSE}/studio/outline", data=form,
                             headers={**HTMX, "X-CSRF-Token": csrf})


async def test_course_home_shows_the_published_outline_with_unit_mark_placeholders(
        client, people, archive):
    await import_and_publish(client, archive)
    await browser_login(client, "ada@example.org")
    page = (await client.get(f"/courses/{COURSE}")).text
    assert 'id="outline-course_2dv1_3aCoursewire_2bPY101_2b2026"' in page
    assert f'href="/courses/{COURSE}/units/hello"' in page and "Hello, Python" in page
    assert page.count('class="unit-mark" data-state="loading"') == 10  # filled by GET .../outline
    assert "Announcements" in page  # the course home keeps its announcements


async def test_course_home_before_any_content_says_nothing_is_published(client, people):
    await browser_login(client, "ada@example.org")
    page = (await client.get(f"/courses/{COURSE}")).text
    assert "No course content has been published yet." in page


async def test_unit_page_renders_each_block_type_for_students_without_answers(
        client, people, archive):
    await import_and_publish(client, archive)
    await browser_login(client, "ada@example.org")
    page = await client.get(f"/courses/{COURSE}/units/hello")
    assert page.status_code == 200
    html = page.text
    assert 'id="unit-course_2dv1_3aCoursewire_2bPY101_2b2026-hello"' in html
    assert "Welcome to <strong>Python from scratch</strong>" in html
    assert "block-video" in html and "block-discussion" in html
    assert f"unit:{COURSE}:hello" in html.replace("%3A", ":").replace("%2B", "+")
    quiz = (await client.get(f"/courses/{COURSE}/units/variables-quiz")).text
    assert "block-problem" in quiz and "correct" not in quiz.lower().replace(
        "incorrect", "")


async def test_students_never_see_draft_content_on_pages(client, people, archive):
    await import_and_publish(client, archive)
    auth = bearer(await token(client, "grace@example.org"))
    changed = archive((WELCOME, "Welcome to **Python from scratch**!",
                       "Secret draft sentence."))
    await client.post(f"/api/v1/courses/{COURSE}/import", content=changed, headers=auth)
    await browser_login(client, "ada@example.org")
    assert "Secret draft sentence" not in (await client.get(
        f"/courses/{COURSE}/units/hello")).text
    assert (await client.get(f"/courses/{COURSE}/studio")).status_code == 403
    assert (await client.get(f"/courses/{COURSE}/studio/preview/hello")).status_code == 403
    await browser_login(client, "grace@example.org")
    preview = (await client.get(f"/courses/{COURSE}/studio/preview/hello")).text
    assert "Secret draft sentence" in preview and "Draft preview" in preview


async def test_unknown_and_non_unit_blocks_are_404_pages(client, people, archive):
    await import_and_publish(client, archive)
    await browser_login(client, "ada@example.org")
    assert (await client.get(f"/courses/{COURSE}/units/nope")).status_code == 404
    assert (await client.get(f"/courses/{COURSE}/units/welcome")).status_code == 404


async def test_instructor_builds_an_outline_in_the_editor(client, people):
    csrf = await browser_login(client, "grace@example.org")
    page = (await client.get(f"/courses/{COURSE}/studio")).text
    assert "Outline editor" in page and f"studio:{COURSE}" in page.replace(
        "%3A", ":").replace("%2B", "+")
    version = draft_version(page)
    r = await studio_post(client, csrf, action="add", block="course", type="chapter",
                          title="Week 1", expected_version=version)
    assert r.status_code == 200, r.text
    assert "Week 1" in r.text and 'id="studio-message"' in r.text
    version = draft_version(r.text)
    r = await studio_post(client, csrf, action="add", block="week-1", type="sequential",
                          title="Basics", expected_version=version)
    r = await studio_post(client, csrf, action="add", block="basics", type="vertical",
                          title="First unit", expected_version=draft_version(r.text))
    r = await studio_post(client, csrf, action="add", block="first-unit", type="problem",
                          title="A question", expected_version=draft_version(r.text))
    r = await studio_post(client, csrf, action="add", block="course", type="chapter",
                          title="Week 2", expected_version=draft_version(r.text))
    r = await studio_post(client, csrf, action="move", block="week-2", direction="up",
                          expected_version=draft_version(r.text))
    assert r.text.index("Week 2") < r.text.index("Week 1")
    r = await studio_post(client, csrf, action="rename", block="week-2", title="Week zero",
                          expected_version=draft_version(r.text))
    assert "Week zero" in r.text
    r = await studio_post(client, csrf, action="delete", block="week-2",
                          expected_version=draft_version(r.text))
    assert "Week zero" not in r.text and "unpublished changes" in r.text
    r = await client.post(f"/courses/{COURSE}/studio/publish",
                          data={"expected_version": draft_version(r.text)},
                          headers={**HTMX, "X-CSRF-Token": csrf})
    assert r.status_code == 200 and "Published" in r.text
    await browser_login(client, "ada@example.org")
    unit = (await client.get(f"/courses/{COURSE}/units/first-unit")).text
    assert "A question" in unit and "block-problem" in unit


async def test_publishing_one_unit_from_the_outline_leaves_the_rest_unpublished(
        client, people, archive):
    await import_and_publish(client, archive)
    csrf = await browser_login(client, "grace@example.org")
    studio = (await client.get(f"/courses/{COURSE}/studio")).text
    r = await studio_post(client, csrf, action="rename", block="hello", title="Hello, part one",
                          expected_version=draft_version(studio))
    r = await studio_post(client, csrf, action="rename", block="variables",
                          title="Variables, part two", expected_version=draft_version(r.text))
    assert 'aria-label="Publish unit Hello, part one only"' in r.text
    published = await client.post(f"/courses/{COURSE}/studio/publish", data={
        "block": "hello", "expected_version": draft_version(r.text)},
        headers={**HTMX, "X-CSRF-Token": csrf})
    assert published.status_code == 200 and "Published" in published.text
    assert 'aria-label="Publish unit Hello, part one only"' not in published.text
    assert 'aria-label="Publish unit Variables, part two only"' in published.text
    await browser_login(client, "ada@example.org")
    home = (await client.get(f"/courses/{COURSE}")).text
    assert "Hello, part one" in home and "Variables, part two" not in home


async def test_moving_past_the_first_or_last_place_crosses_into_the_next_parent(client, people):
    csrf = await browser_login(client, "grace@example.org")
    version = draft_version((await client.get(f"/courses/{COURSE}/studio")).text)
    for block, kind, title in [("course", "chapter", "Week 1"), ("week-1", "sequential", "A"),
                               ("week-1", "sequential", "B"), ("a", "vertical", "Unit one"),
                               ("a", "vertical", "Unit two"), ("b", "vertical", "Unit three")]:
        r = await studio_post(client, csrf, action="add", block=block, type=kind, title=title,
                              expected_version=version)
        assert r.status_code == 200, r.text
        version = draft_version(r.text)

    def units_in(html, sequential):
        start = html.index(f'id="studio-node-{sequential}"')
        end = html.find("studio-node studio-sequential", start)
        return re.findall(r'id="studio-node-(unit-[a-z]+)"', html[start:end if end > 0 else None])

    # "Unit two" is last in A: moving it down puts it first in B.
    r = await studio_post(client, csrf, action="move", block="unit-two", direction="down",
                          expected_version=version)
    assert units_in(r.text, "a") == ["unit-one"]
    assert units_in(r.text, "b") == ["unit-two", "unit-three"]
    # First in B: moving it up puts it back last in A.
    r = await studio_post(client, csrf, action="move", block="unit-two", direction="up",
                          expected_version=draft_version(r.text))
    assert units_in(r.text, "a") == ["unit-one", "unit-two"]
    # First in the first subsection: nowhere further up; nothing changes.
    r = await studio_post(client, csrf, action="move", block="unit-one", direction="up",
                          expected_version=draft_version(r.text))
    assert r.status_code == 200 and units_in(r.text, "a") == ["unit-one", "unit-two"]


async def test_a_stale_outline_edit_is_a_clear_409_conflict(client, people, archive):
    await import_and_publish(client, archive)
    csrf = await browser_login(client, "grace@example.org")
    stale = draft_version((await client.get(f"/courses/{COURSE}/studio")).text)
    first = await studio_post(client, csrf, action="rename", block="loops", title="Loops!",
                              expected_version=stale)
    assert first.status_code == 200
    second = await studio_post(client, csrf, action="rename", block="functions",
                               title="Functions!", expected_version=stale)
    assert second.status_code == 409
    assert "Someone else edited this course" in second.text and "Reload" in second.text
    assert "Loops!" in second.text  # the region shows the other edit


async def test_block_form_saves_to_the_draft_and_shows_conflicts(client, people, archive):
    await import_and_publish(client, archive)
    csrf = await browser_login(client, "grace@example.org")
    form_page = (await client.get(f"/courses/{COURSE}/studio/blocks/sum-range")).text
    assert 'name="prompt"' in form_page and 'name="answer"' in form_page
    version = re.search(r'name="expected_version" value="([0-9a-f]{24})"', form_page).group(1)
    r = await client.post(f"/courses/{COURSE}/studio/blocks/sum-range", data={
        "csrf_token": csrf, "expected_version": version, "title": "Sum it up",
        "kind": "numeric", "prompt": "What is 1 + ... + 10?", "answer": "value: 55\n",
        "max_points": "2", "max_attempts": "3", "normalize_space": "on"})
    assert r.status_code == 303, r.text
    saved = (await client.get(r.headers["location"])).text
    assert "Saved to the draft" in saved and 'value="Sum it up"' in saved
    stale = await client.post(f"/courses/{COURSE}/studio/blocks/sum-range", data={
        "csrf_token": csrf, "expected_version": version, "title": "Lost edit",
        "kind": "numeric", "prompt": "x", "answer": "value: 1\n", "normalize_space": "on"})
    assert stale.status_code == 409
    assert "Someone else edited this course" in stale.text
    assert 'value="Lost edit"' in stale.text  # their input is still there to copy
    invalid = await client.post(f"/courses/{COURSE}/studio/blocks/sum-range", data={
        "csrf_token": csrf, "expected_version": draft_version_of_form(saved),
        "title": "Sum", "kind": "numeric", "prompt": "x", "answer": "value: [unclosed",
        "normalize_space": "on"})
    assert invalid.status_code == 400 and "not valid YAML" in invalid.text
    for answer, problem in (("value: " + "[" * 3000, "Line 1: this nests more than"),
                            ("on: yes\nbogus: 1\nvalue: 3", "True")):
        hostile = await client.post(f"/courses/{COURSE}/studio/blocks/sum-range", data={
            "csrf_token": csrf, "expected_version": draft_version_of_form(saved),
            "title": "Sum", "kind": "numeric", "prompt": "x", "answer": answer,
            "normalize_space": "on"})
        assert hostile.status_code == 400 and problem in hostile.text, hostile.text[-2000:]


def draft_version_of_form(html: str) -> str:
    return re.search(r'name="expected_version" value="([0-9a-f]{24})"', html).group(1)


async def test_history_shows_diffs_and_revert_moves_the_draft_back(client, people, archive):
    draft, _ = await import_and_publish(client, archive)
    csrf = await browser_login(client, "grace@example.org")
    r = await studio_post(client, csrf, action="rename", block="loops", title="Repetition",
                          expected_version=draft)
    history = (await client.get(f"/courses/{COURSE}/studio/history")).text
    assert "changed chapter loops (title)" in history and "Grace" in history
    newest = re.findall(r'id="version-([0-9a-f]{24})"', history)[0]
    diff = (await client.get(f"/courses/{COURSE}/studio/history/{newest}")).text
    assert "-title: Repeating yourself with loops" in diff and "+title: Repetition" in diff
    r = await client.post(f"/courses/{COURSE}/studio/history/{draft}/revert",
                          data={"csrf_token": csrf, "expected_version": newest})
    assert r.status_code == 200 and "now points at that version" in r.text
    studio = (await client.get(f"/courses/{COURSE}/studio")).text
    assert draft_version(studio) == draft and "Repetition" not in studio
