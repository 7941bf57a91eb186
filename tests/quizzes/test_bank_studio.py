"""Question banks in studio: the banks page, a question's form, import and export, all as
edits of the draft (versioned, conflict-checked) that students see once published."""

from __future__ import annotations

import re
import textwrap

import yaml

from content_store import DRAFT, PUBLISHED
from content_store.connect import current_store
from tests.quizzes.conftest import COURSE_ID
from tests.support.people import browser_login

BANKS = f"/courses/{COURSE_ID}/studio/banks"


def version_in(html: str) -> str:
    m = re.search(r'name="expected_version" value="([0-9a-f]{24})"', html)
    assert m, html[:800]
    return m.group(1)


async def banks_of(branch: str = DRAFT) -> dict:
    structure = await current_store().get_branch(COURSE_ID, branch)
    root = await current_store().get_block(COURSE_ID, structure.root, version=structure.id)
    return root.fields.get("question_banks") or {}


async def login(client) -> str:
    return await browser_login(client, "prof@example.org")


NUMERIC = {"id": "mul", "tags": "easy, times", "title": "Multiplying", "kind": "numeric",
           "prompt": "What is 6 * 7?", "answer": "value: 42\n", "normalize_space": "on"}


async def test_banks_page_lists_each_bank_with_its_questions_and_tags(client, quiz_course):
    await login(client)
    page = (await client.get(BANKS)).text
    assert 'id="bank-arith"' in page and "3 questions" in page
    assert "<code>easy</code>" in page
    for question in ("add", "sub", "word"):
        assert f'id="bank-arith-{question}"' in page
    assert "KEY-EXPLANATION" not in page  # the list shows titles, not keys


async def test_students_and_tas_cannot_open_the_banks(client, quiz_course):
    await browser_login(client, "ada@example.org")
    assert (await client.get(BANKS)).status_code == 403
    assert (await client.get(f"{BANKS}/arith/export")).status_code == 403


async def test_instructor_creates_a_bank_and_adds_edits_and_deletes_a_question(client,
                                                                              quiz_course):
    csrf = await login(client)
    version = version_in((await client.get(BANKS)).text)
    r = await client.post(BANKS, data={"csrf_token": csrf, "expected_version": version,
                                       "name": "times"})
    assert r.status_code == 303, r.text
    page = (await client.get(r.headers["location"])).text
    assert "Bank created." in page and 'id="bank-times"' in page

    form = (await client.get(f"{BANKS}/times/new?type=problem")).text
    assert 'name="prompt"' in form and 'name="kind"' in form and 'name="tags"' in form
    assert 'name="due"' not in form and 'name="max_attempts"' not in form  # the quiz's
    r = await client.post(f"{BANKS}/times/new?type=problem", data={
        "csrf_token": csrf, "expected_version": version_in(form), **NUMERIC})
    assert r.status_code == 303, r.text
    assert (await banks_of())["times"] == [{
        "id": "mul", "tags": ["easy", "times"], "type": "problem", "title": "Multiplying",
        "kind": "numeric", "prompt": "What is 6 * 7?",
        "answer": {"value": 42.0, "tolerance": 0.0, "relative_tolerance": 0.0}}]
    assert "times" not in await banks_of(PUBLISHED)  # the draft only, until published

    edit = (await client.get(r.headers["location"])).text
    assert "Saved to the draft." in edit and 'value="easy, times"' in edit
    r = await client.post(f"{BANKS}/times/questions/mul", data={
        "csrf_token": csrf, "expected_version": version_in(edit), **NUMERIC,
        "id": "product", "title": "The product"})
    assert r.status_code == 303, r.text
    assert [q["id"] for q in (await banks_of())["times"]] == ["product"]

    page = (await client.get(BANKS)).text
    r = await client.post(f"{BANKS}/times/questions/product/delete",
                          data={"csrf_token": csrf, "expected_version": version_in(page)})
    assert r.status_code == 303
    assert (await banks_of())["times"] == []


async def test_code_questions_use_the_code_block_fields(client, quiz_course):
    csrf = await login(client)
    form = (await client.get(f"{BANKS}/arith/new?type=code")).text
    assert 'name="tests"' in form and 'name="starter_code"' in form
    r = await client.post(f"{BANKS}/arith/new?type=code", data={
        "csrf_token": csrf, "expected_version": version_in(form), "id": "double",
        "title": "Double", "prompt": "Write double(x).",
        "tests": "from solution import *\n\ndef test_d():\n    assert double(2) == 4\n"})
    assert r.status_code == 303, r.text
    added = (await banks_of())["arith"][-1]
    assert added["id"] == "double" and added["type"] == "code" and "double(2)" in added["tests"]


async def test_bad_question_forms_are_clear_4xx_and_keep_what_was_typed(client, quiz_course):
    csrf = await login(client)
    form = (await client.get(f"{BANKS}/arith/new?type=problem")).text
    version = version_in(form)
    r = await client.post(f"{BANKS}/arith/new?type=problem", data={
        "csrf_token": csrf, "expected_version": version, **NUMERIC, "id": "add"})
    assert r.status_code == 400
    assert "already has a question add" in r.text and "What is 6 * 7?" in r.text
    r = await client.post(f"{BANKS}/arith/new?type=problem", data={
        "csrf_token": csrf, "expected_version": version, **NUMERIC, "answer": "value: [1\n"})
    assert r.status_code == 400 and 'aria-invalid="true"' in r.text
    assert "What is 6 * 7?" in r.text
    r = await client.post(f"{BANKS}/arith/new?type=problem", data={
        "csrf_token": csrf, "expected_version": version, **NUMERIC, "kind": "essay"})
    assert r.status_code == 400 and "kind" in r.text and "What is 6 * 7?" in r.text
    assert (await client.get(f"{BANKS}/arith/new?type=essay")).status_code == 400
    assert (await client.get(f"{BANKS}/nothere/new?type=problem")).status_code == 404
    assert (await client.get(f"{BANKS}/arith/questions/nothere")).status_code == 404
    r = await client.post(BANKS, data={"csrf_token": csrf, "expected_version": version,
                                       "name": "two words"})
    assert r.status_code == 400 and "two words" in r.text
    r = await client.post(BANKS, data={"csrf_token": csrf, "expected_version": version,
                                       "name": "arith"})
    assert r.status_code == 400 and "already a bank named arith" in r.text
    assert [q["id"] for q in (await banks_of())["arith"]] == ["add", "sub", "word"]


async def test_a_concurrent_edit_is_a_409_with_the_typed_text_kept(client, quiz_course):
    csrf = await login(client)
    stale = version_in((await client.get(f"{BANKS}/arith/questions/add")).text)
    r = await client.post(BANKS, data={"csrf_token": csrf, "expected_version": stale,
                                       "name": "other"})
    assert r.status_code == 303  # someone else's edit moves the draft
    r = await client.post(f"{BANKS}/arith/questions/add", data={
        "csrf_token": csrf, "expected_version": stale, **NUMERIC, "id": "add",
        "prompt": "My careful rewording"})
    assert r.status_code == 409
    assert "Someone else edited this course" in r.text and "My careful rewording" in r.text
    assert (await banks_of())["arith"][0]["prompt"] == "What is 2 + 2?"


IMPORTED = textwrap.dedent("""\
    - id: ok
      tags: [warm]
      title: Fine
      kind: text
      prompt: Say sure.
      answers: [sure]
    - id: odd
      title: Unknown kind
      kind: essay
      prompt: Write.
    - id: ok
      title: Same id
      kind: text
      prompt: Again.
      answers: [again]
    - title: No id
      kind: text
      prompt: Who am I?
      answers: [me]
    """)


async def test_import_keeps_valid_questions_and_names_each_problem_by_line(client,
                                                                          quiz_course):
    csrf = await login(client)
    version = version_in((await client.get(BANKS)).text)
    r = await client.post(f"{BANKS}/import", data={
        "csrf_token": csrf, "expected_version": version, "import_name": "warmup",
        "yaml": IMPORTED})
    assert r.status_code == 200, r.text
    assert "Imported 1 question(s); 3 left out" in r.text
    assert re.search(r"Line 9: question odd, <code>kind</code>: must be one of", r.text)
    assert re.search(r"Line 11: question ok, <code>id</code>: repeats the id of the "
                     r"question on line 1", r.text)
    assert re.search(r"Line 16: an item: needs an id", r.text)
    assert "Who am I?" in r.text  # the pasted text stays, to fix and import again
    assert [q["id"] for q in (await banks_of())["warmup"]] == ["ok"]


async def test_import_of_bad_yaml_or_no_valid_question_changes_nothing(client, quiz_course):
    csrf = await login(client)
    version = version_in((await client.get(BANKS)).text)
    before = await banks_of()
    r = await client.post(f"{BANKS}/import", data={
        "csrf_token": csrf, "expected_version": version, "import_name": "broken",
        "yaml": "- id: a\n  title: [unclosed\n"})
    assert r.status_code == 400 and "line" in r.text.lower() and "unclosed" in r.text
    r = await client.post(f"{BANKS}/import", data={
        "csrf_token": csrf, "expected_version": version, "import_name": "broken",
        "yaml": "id: not-a-list\n"})
    assert r.status_code == 400
    r = await client.post(f"{BANKS}/import", data={
        "csrf_token": csrf, "expected_version": version, "import_name": "broken",
        "yaml": "- id: odd\n  title: T\n  kind: essay\n  prompt: P\n"})
    assert r.status_code == 400 and "nothing was saved" in r.text
    assert "Line 3: question odd, <code>kind</code>" in r.text
    assert await banks_of() == before


async def test_export_gives_the_bank_file_that_imports_back_unchanged(client, quiz_course):
    csrf = await login(client)
    r = await client.get(f"{BANKS}/arith/export")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/yaml")
    assert 'filename="arith.yaml"' in r.headers["content-disposition"]
    assert [q["id"] for q in yaml.safe_load(r.text)] == ["add", "sub", "word"]
    before = (await banks_of())["arith"]
    version = version_in((await client.get(BANKS)).text)
    again = await client.post(f"{BANKS}/import", data={
        "csrf_token": csrf, "expected_version": version, "import_name": "copy",
        "yaml": r.text})
    assert again.status_code == 303, again.text
    assert (await banks_of())["copy"] == before
    assert (await client.get(f"{BANKS}/nothere/export")).status_code == 404


async def test_an_edit_that_would_starve_a_quiz_draw_is_refused(client, quiz_course):
    # the midterm draws 2 questions from arith, which has 3
    csrf = await login(client)
    r = await client.post(f"{BANKS}/arith/questions/word/delete", data={
        "csrf_token": csrf, "expected_version": version_in((await client.get(BANKS)).text)})
    assert r.status_code == 303
    r = await client.post(f"{BANKS}/arith/questions/sub/delete", data={
        "csrf_token": csrf, "expected_version": version_in((await client.get(BANKS)).text)})
    assert r.status_code == 422, r.text
    assert "midterm could no longer draw" in r.text
    assert [q["id"] for q in (await banks_of())["arith"]] == ["add", "sub"]
    r = await client.post(f"{BANKS}/arith/delete", data={
        "csrf_token": csrf, "expected_version": version_in((await client.get(BANKS)).text)})
    assert r.status_code == 422 and "arith" in (await banks_of())


async def test_published_bank_edits_reach_the_quiz_draw(client, quiz_course):
    """A question added in studio and published is on a new attempt's paper."""
    csrf = await login(client)
    form = (await client.get(f"{BANKS}/arith/new?type=problem")).text
    for question in ("add", "sub", "word"):
        r = await client.post(f"{BANKS}/arith/questions/{question}/delete", data={
            "csrf_token": csrf, "expected_version": version_in(
                (await client.get(BANKS)).text)})
        if question == "add":
            r = await client.post(f"{BANKS}/arith/new?type=problem", data={
                "csrf_token": csrf, "expected_version": version_in(form), **NUMERIC})
            assert r.status_code == 409  # the form's version is stale now
            r = await client.post(f"{BANKS}/arith/new?type=problem", data={
                "csrf_token": csrf, "expected_version": version_in(
                    (await client.get(BANKS)).text), **NUMERIC})
            assert r.status_code == 303
    # the last delete was refused: the draw needs 2 (mul and one of sub/word remain)
    ids = [q["id"] for q in (await banks_of())["arith"]]
    assert "mul" in ids and len(ids) == 2
    r = await client.post(f"/courses/{COURSE_ID}/studio/publish", data={
        "csrf_token": csrf}, headers={"HX-Request": "true"})
    assert r.status_code == 200, r.text
    start = await client.post(f"/api/v1/courses/{COURSE_ID}/quizzes/midterm/attempts",
                              headers=quiz_course.headers["ada"])
    assert start.status_code in (200, 201), start.text
    paper = start.json()["questions"]
    assert {q["id"] for q in paper} >= {"arith:mul"}
    drawn = next(q for q in paper if q["id"] == "arith:mul")
    assert "42" not in str(drawn)  # no answer key on the student's paper
