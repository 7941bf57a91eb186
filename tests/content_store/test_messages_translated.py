"""A bad field speaks the language of the request: the message is translated where it is
raised, then joined with the block type and the field's path by a translated pattern, in
a studio edit (BlockType.clean) and in a course folder (a block file, a question bank)."""

from __future__ import annotations

import pytest

from content_store.blocks import block_type
from content_store.course_folder import parse_folder
from content_store.errors import BlockValidationError, CourseFolderError
from core.i18n import use_language

COURSE = {
    "course.yaml": b"org: Test\nnumber: T1\nrun: '2026'\ntitle: Languages\n",
    "01-week/chapter.yaml": b"title: Week\n",
    "01-week/01-seq/sequential.yaml": b"title: Lesson\n",
    "01-week/01-seq/01-unit/unit.yaml": b"title: Unit\n",
}
BAD_PROBLEM = b"type: problem\ntitle: Sum\nkind: numeric\nprompt: 1 + 1?\nmax_points: many\n"
# {type} is the block type's name, the catalogue's (its translation is tested elsewhere).
MAX_POINTS_NOT_A_NUMBER = [
    ("en", "{type} field 'max_points' must be a number."),
    ("fi", "{type}: kenttä 'max_points' – on oltava luku."),
    ("es", "{type}: el campo 'max_points' debe ser un número."),
]
BAD_BANK = b"- id: q1\n  title: Sum\n  kind: numeric\n  prompt: 1 + 1?\n  answer: {value: two}\n"


def edit_error(fields: dict) -> BlockValidationError:
    with pytest.raises(BlockValidationError) as caught:
        block_type("problem").clean(fields)
    return caught.value


def folder_error(extra: dict[str, bytes]) -> CourseFolderError:
    with pytest.raises(CourseFolderError) as caught:
        parse_folder({**COURSE, **extra})
    return caught.value


@pytest.mark.parametrize(("code", "expected"), MAX_POINTS_NOT_A_NUMBER)
def test_a_studio_edit_with_a_bad_field_is_refused_in_the_request_language(code, expected):
    with use_language(code):
        err = edit_error({"title": "Sum", "kind": "numeric", "prompt": "?",
                          "max_points": "many"})
        expected = expected.format(type=block_type("problem").display_name)
    assert err.message == expected
    assert err.fields["field"] == "max_points"  # the machine-readable part stays the same


@pytest.mark.parametrize(("code", "expected"), [
    ("en", "must be at least 16"),
    ("fi", "on oltava vähintään 16"),
    ("es", "debe ser al menos 16"),
])
def test_placeholders_are_filled_after_translation(code, expected):
    with use_language(code), pytest.raises(BlockValidationError) as caught:
        block_type("code").clean({"title": "T", "prompt": "?", "tests": "def test_x(): pass",
                                  "memory_limit_mb": 8})
    assert caught.value.message.endswith(f"{expected}.")


@pytest.mark.parametrize(("code", "expected"), MAX_POINTS_NOT_A_NUMBER)
def test_a_course_folder_block_with_a_bad_field_names_file_and_line_in_the_language(
        code, expected):
    with use_language(code):
        err = folder_error({"01-week/01-seq/01-unit/01-sum.yaml": BAD_PROBLEM})
        expected = expected.format(type=block_type("problem").display_name)
    assert err.message == f"01-week/01-seq/01-unit/01-sum.yaml:5: {expected}"


@pytest.mark.parametrize(("code", "expected"), [
    ("en", "banks/b.yaml:5: question 'q1': answer.value must be a number."),
    ("fi", "banks/b.yaml:5: kysymys 'q1': kenttä answer.value – on oltava luku."),
    ("es", "banks/b.yaml:5: pregunta 'q1': el campo answer.value debe ser un número."),
])
def test_a_bad_bank_question_is_reported_in_the_language(code, expected):
    with use_language(code):
        err = folder_error({"banks/b.yaml": BAD_BANK})
    assert err.message == expected
    assert err.fields["question"] == "q1"
