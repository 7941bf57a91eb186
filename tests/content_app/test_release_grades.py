"""Release and visibility in grades: the progress page, the gradebook JSON, the grade
frames and the progress resync never name a graded block, assignment or section a student
may not see yet; the staff's gradebook shows them, marked. Each check has its self-check:
the same marker does reach staff, so its absence for the student means something."""

from __future__ import annotations

import pytest

from grading import events
from grading.overrides import override_grade
from models.users import User
from realtime.resync import resync_fragments
from realtime.topics import parse_topic
from tests.content_app.conftest import COURSE, import_and_publish
from tests.content_app.test_release import EDITS, SECRET, staff_pages
from tests.support.people import bearer, browser_login, token

# Graded blocks, an assignment and a section students must not see, each titled with SECRET.
GRADED_EDITS = (
    *EDITS,
    ("03-functions/01-defining/02-practice/01-fizzbuzz.yaml", "title: FizzBuzz",
     f"title: FizzBuzz {SECRET}"),
    ("03-functions/01-defining/sequential.yaml", "title: Writing your own functions",
     f"title: Writing your own functions {SECRET}"),
    ("01-getting-started/01-first-steps/02-variables/02-valid-name.yaml",
     "title: Which name works?", f"title: Which name works {SECRET}"),
)
WITHHELD_GRADED = ("fizzbuzz", "valid-name", "true-statements", "functions")


@pytest.fixture
async def released(client, people, archive):
    await import_and_publish(client, lambda: archive(*GRADED_EDITS))
    return (bearer(await token(client, "ada@example.org")),
            bearer(await token(client, "tom@example.org")))


__all__ = ["staff_pages"]  # the instructor's browser session, shared with test_release


async def test_progress_page_names_nothing_unreleased(client, released, staff_pages):
    await browser_login(client, "ada@example.org")
    page = await client.get(f"/courses/{COURSE}/progress")
    assert page.status_code == 200
    assert 'data-block="strings"' in page.text  # released work is listed
    assert SECRET not in page.text
    for block in WITHHELD_GRADED:
        assert f'data-block="{block}"' not in page.text, block
    assert "Functions" not in page.text  # the unreleased section's heading
    # The staff's gradebook shows the same blocks, each with why students cannot see it.
    book = await staff_pages.get(f"/courses/{COURSE}/gradebook")
    assert book.status_code == 200 and f"FizzBuzz {SECRET}" in book.text
    assert 'class="release-note">Releases Tue 27 Jan 2099, 09:00 UTC' in book.text
    assert 'class="release-note">Staff only' in book.text


async def test_gradebook_json_hides_unreleased_from_students_and_marks_it_for_staff(
        client, released):
    student, staff = released
    r = await client.get(f"/api/v1/courses/{COURSE}/grades", headers=student)
    assert r.status_code == 200
    mine = r.json()
    assert len(mine) == 1 and SECRET not in r.text
    ids = {b["block_id"] for b in mine[0]["blocks"]}
    assert "strings" in ids and not ids & set(WITHHELD_GRADED)
    assert "functions" not in {s["id"] for s in mine[0]["sections"]}
    assert "release" not in r.text
    theirs = (await client.get(f"/api/v1/courses/{COURSE}/grades", headers=staff)).json()
    row = next(g for g in theirs if g["email"] == "ada@example.org")
    blocks = {b["block_id"]: b for b in row["blocks"]}
    assert blocks["fizzbuzz"]["release"] == "Releases Tue 27 Jan 2099, 09:00 UTC"
    assert blocks["valid-name"]["release"] == "Staff only"
    assert "release" not in blocks["strings"]
    # A section students cannot see is as unknown to them as one that does not exist.
    hidden = await client.get(f"/api/v1/courses/{COURSE}/grades?section=functions",
                              headers=student)
    unknown = await client.get(f"/api/v1/courses/{COURSE}/grades?section=nope",
                               headers=student)
    assert hidden.status_code == unknown.status_code == 400
    assert (await client.get(f"/api/v1/courses/{COURSE}/grades?section=functions",
                             headers=staff)).status_code == 200


async def test_grade_frames_and_resync_name_nothing_unreleased(client, released, monkeypatch):
    sent: list[tuple[str, str, dict, dict]] = []

    async def record(topic, event, data, html=None):
        sent.append((topic, event, data, html or {}))
        return 0

    monkeypatch.setattr(events, "publish", record)
    tom = await User.get(email="tom@example.org")
    ada = await User.get(email="ada@example.org")
    await override_grade(tom, COURSE, ada.id, "strings", "1", "checked by hand")
    mine = [(t, e, d, h) for t, e, d, h in sent if t == f"user:{ada.id}"]
    assert [e for _, e, _, _ in mine] == ["grade.updated"]
    frame = str(mine[0][2]) + "".join(mine[0][3].values())
    assert "Spot the strings" in frame and SECRET not in frame
    assert not [b for b in WITHHELD_GRADED if f'data-block="{b}"' in frame]
    staff = "".join(h.get("staff", "") for t, _, _, h in sent if t.endswith(":staff"))
    assert 'id="gb-' in staff and "fizzbuzz" in staff  # staff cells name every block

    # A grade set on a withheld block goes to staff only: not even its id reaches ada.
    sent.clear()
    await override_grade(tom, COURSE, ada.id, "fizzbuzz", "2", "checked by hand")
    assert [t for t, *_ in sent] == [f"course:{COURSE}:staff"]

    resync = await resync_fragments(parse_topic(f"grades:{COURSE}", ada), ada, "student")
    assert "Spot the strings" in resync and SECRET not in resync
    staff_resync = await resync_fragments(parse_topic(f"grades:{COURSE}", tom), tom, "staff")
    assert "fizzbuzz" in staff_resync
