"""Question banks (banks/<name>.yaml) and quiz blocks in a course folder: imported,
exported unchanged, versioned with the course content, errors naming file/line/question."""

from pathlib import Path

import pytest

from content_store import ContentStore
from content_store.blocks import block_type, student_view
from content_store.course_folder import course_files, import_course
from content_store.errors import BlockValidationError, CourseFolderError

COURSE_ID = "course-v1:Test+Q1+2026"

BANK = """\
- id: add
  tags: [easy, arithmetic]
  title: Adding
  kind: numeric
  prompt: What is 2 + 2?
  answer:
    value: 4
- id: capital
  tags: [easy]
  title: Capital
  kind: multiple_choice
  prompt: The capital of France?
  options:
    - {id: paris, label: Paris, correct: true}
    - {id: lyon, label: Lyon, correct: false}
- id: loop
  tags: [hard]
  title: Loops
  kind: text
  prompt: Which keyword repeats while a condition holds?
  answers: [while]
"""

QUIZ = """\
---
type: quiz
title: Midterm
time_limit_minutes: 30
max_attempts: 2
grading: last
shuffle_questions: true
shuffle_options: true
review: after_close
draw:
  - bank: midterm
    tags: [easy]
    count: 2
  - bank: midterm
    count: 1
questions:
  - id: fixed
    title: Fixed
    kind: checkboxes
    prompt: Pick the even numbers.
    options:
      - {id: two, label: "2", correct: true}
      - {id: three, label: "3", correct: false}
---
Answer every question. The clock is the server's.
"""


def write_course(root: Path, bank: str = BANK, quiz: str = QUIZ) -> Path:
    unit = root / "01-exams" / "01-midterm" / "01-paper"
    unit.mkdir(parents=True)
    (root / "course.yaml").write_text("org: Test\nnumber: Q1\nrun: '2026'\ntitle: Quizzes\n")
    (root / "01-exams" / "chapter.yaml").write_text("title: Exams\n")
    (root / "01-exams" / "01-midterm" / "sequential.yaml").write_text("title: Midterm\n")
    (unit / "unit.yaml").write_text("title: The paper\n")
    (unit / "01-midterm-quiz.md").write_text(quiz)
    (root / "banks").mkdir()
    (root / "banks" / "midterm.yaml").write_text(bank)
    return root


async def import_error(store: ContentStore, root: Path) -> CourseFolderError:
    with pytest.raises(CourseFolderError) as err:
        await import_course(store, root, "admin")
    return err.value


async def test_banks_and_quiz_round_trip_through_the_folder(store: ContentStore,
                                                             tmp_path: Path):
    version = await import_course(store, write_course(tmp_path / "c"), "admin")
    files = await course_files(store, COURSE_ID)
    assert "question_banks" not in files["course.yaml"]
    assert files["banks/midterm.yaml"].startswith("- id: add\n  tags:\n  - easy\n")
    root = await store.get_branch(COURSE_ID, "draft")
    (course,) = await store.get_blocks(COURSE_ID, [root.root], "draft")
    bank = course.fields["question_banks"]["midterm"]
    assert [q["id"] for q in bank] == ["add", "capital", "loop"]
    assert bank[0]["answer"] == {"value": 4.0, "tolerance": 0.0, "relative_tolerance": 0.0}
    (quiz,) = await store.get_blocks(COURSE_ID, ["midterm-quiz"], "draft")
    assert quiz.type == "quiz" and quiz.fields["draw"][0] == {
        "bank": "midterm", "count": 2, "tags": ["easy"]}
    assert quiz.fields["questions"][0]["id"] == "fixed"
    # import(export(x)) == x, and an unchanged folder writes no new version.
    out = tmp_path / "exported"
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    assert await import_course(store, out, "admin") == version
    assert await course_files(store, COURSE_ID) == files


async def test_an_edited_bank_is_a_new_content_version(store: ContentStore, tmp_path: Path):
    root = write_course(tmp_path / "c")
    first = await import_course(store, root, "admin")
    (root / "banks" / "midterm.yaml").write_text(BANK.replace("2 + 2", "3 + 1"))
    second = await import_course(store, root, "admin")
    assert second != first
    (old,) = await store.get_blocks(COURSE_ID, ["course"], version=first)
    (new,) = await store.get_blocks(COURSE_ID, ["course"], version=second)
    assert old.fields["question_banks"]["midterm"][0]["prompt"] == "What is 2 + 2?"
    assert new.fields["question_banks"]["midterm"][0]["prompt"] == "What is 3 + 1?"


async def test_a_bad_bank_question_names_file_line_and_question(store: ContentStore,
                                                                tmp_path: Path):
    bank = BANK.replace("    - {id: lyon, label: Lyon, correct: false}",
                        "    - {id: lyon, label: Lyon, correct: true}")
    err = await import_error(store, write_course(tmp_path / "c", bank=bank))
    assert err.fields["file"] == "banks/midterm.yaml"
    assert err.fields["line"] == 13  # the capital question's options:
    assert err.fields["question"] == "capital"
    assert "question 'capital'" in err.message and "exactly one option correct" in err.message


async def test_bank_questions_need_unique_ids(store: ContentStore, tmp_path: Path):
    err = await import_error(store, write_course(tmp_path / "c",
                                                 bank=BANK.replace("id: loop", "id: add")))
    assert (err.fields["file"], err.fields["line"]) == ("banks/midterm.yaml", 16)
    assert "'add' is used twice" in err.message


async def test_a_bank_question_cannot_set_what_the_quiz_decides(store: ContentStore,
                                                               tmp_path: Path):
    bank = BANK.replace("  answers: [while]\n", "  answers: [while]\n  due: 2026-01-01\n")
    err = await import_error(store, write_course(tmp_path / "c", bank=bank))
    assert err.fields["line"] == 22 and err.fields["question"] == "loop"
    assert "set by the quiz" in err.message


async def test_a_draw_from_a_missing_bank_names_the_quiz_file(store: ContentStore,
                                                              tmp_path: Path):
    err = await import_error(store, write_course(
        tmp_path / "c", quiz=QUIZ.replace("  - bank: midterm\n    count: 1",
                                          "  - bank: final\n    count: 1")))
    assert err.fields["file"].endswith("01-paper/01-midterm-quiz.md")
    assert err.fields["line"] == 14
    assert "'final'" in err.message and "banks/final.yaml" in err.message


async def test_a_draw_needs_enough_questions_left_after_earlier_rules(store: ContentStore,
                                                                      tmp_path: Path):
    # Rule 1 may take both easy questions; rule 2 asks for 2 of the 3, so 1 is left.
    err = await import_error(store, write_course(
        tmp_path / "c", quiz=QUIZ.replace("  - bank: midterm\n    count: 1",
                                          "  - bank: midterm\n    count: 2")))
    assert err.fields["line"] == 15
    assert "only 1 are left" in err.message


async def test_course_yaml_cannot_hold_the_banks(store: ContentStore, tmp_path: Path):
    root = write_course(tmp_path / "c")
    with (root / "course.yaml").open("a") as f:
        f.write("question_banks: {}\n")
    err = await import_error(store, root)
    assert (err.fields["file"], err.fields["line"]) == ("course.yaml", 5)


async def test_a_stray_file_in_banks_is_an_error(store: ContentStore, tmp_path: Path):
    root = write_course(tmp_path / "c")
    (root / "banks" / "notes.txt").write_text("hello")
    err = await import_error(store, root)
    assert err.fields["file"] == "banks/notes.txt"


def test_a_quiz_view_says_how_it_runs_and_never_shows_its_questions():
    fields = block_type("quiz").clean({
        "title": "Midterm", "time_limit_minutes": 30, "instructions": "Good *luck*",
        "draw": [{"bank": "midterm", "count": 2}],
        "questions": [{"id": "q", "title": "Q", "kind": "numeric", "prompt": "SECRET-PROMPT",
                       "answer": {"value": 42}}]})
    view = student_view("quiz", "midterm-quiz", fields)
    assert view["question_count"] == 3 and view["max_points"] == 3.0
    assert view["time_limit_minutes"] == 30 and view["max_attempts"] == 1
    assert "<em>luck</em>" in view["instructions_html"]
    assert "SECRET-PROMPT" not in str(view) and "42" not in str(view)
    html = block_type("quiz").render_student_html("midterm-quiz", fields)
    assert "3 questions" in html and "SECRET" not in html


@pytest.mark.parametrize("fields,problem", [
    ({"title": "Empty"}, "at least one question"),
    ({"title": "Dates", "draw": [{"bank": "b", "count": 1}], "opens_at": "2026-02-01T10:00Z",
      "closes_at": "2026-02-01T09:00Z"}, "after opens_at"),
    ({"title": "Grading", "draw": [{"bank": "b", "count": 1}], "grading": "best"}, "one of"),
    ({"title": "Fixed", "questions": [{"id": "q", "title": "Q", "kind": "numeric",
                                       "prompt": "?"}]}, "of question 'q' is required"),
])
def test_a_bad_quiz_is_refused_with_the_field(fields: dict, problem: str):
    with pytest.raises(BlockValidationError) as err:
        block_type("quiz").clean(fields)
    assert problem in err.value.message


def test_a_new_quiz_made_in_studio_starts_valid():
    from courseware.authoring import starters
    fields = block_type("quiz").clean({"title": "New quiz", **starters()["quiz"]})
    assert student_view("quiz", "new", fields)["question_count"] == 1
