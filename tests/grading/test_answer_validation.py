"""Malformed answers are refused (BadInput / TooLarge with fields) before an attempt counts."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import BadInput, InvalidState, TooLarge
from grading.graders import CODE_MAX_BYTES, TEXT_MAX_BYTES, validate_answer

CHOICE = {
    "kind": "multiple_choice",
    "options": [
        {"id": "a", "label": "A", "correct": True},
        {"id": "b", "label": "B", "correct": False},
    ],
}
BOXES = {**CHOICE, "kind": "checkboxes"}
NUMERIC = {"kind": "numeric", "answer": {"value": 1.0}}
TEXT = {"kind": "text", "answers": ["x"]}


@pytest.mark.parametrize(
    ("fields", "answer", "field"),
    [
        (CHOICE, "a", "answer"),
        (CHOICE, {}, "answer.choice"),
        (CHOICE, {"choice": "z"}, "answer.choice"),
        (CHOICE, {"choice": ["a"]}, "answer.choice"),
        (CHOICE, {"choice": "a", "extra": 1}, "answer.extra"),
        (BOXES, {"choices": "a"}, "answer.choices"),
        (BOXES, {"choices": ["a", "a"]}, "answer.choices"),
        (BOXES, {"choices": ["a", "zzz"]}, "answer.choices"),
        (BOXES, {"choices": [1]}, "answer.choices"),
        (BOXES, {"choices": ["a", "b", "a"]}, "answer.choices"),
        (NUMERIC, {"value": "NaN"}, "answer.value"),
        (NUMERIC, {"value": "inf"}, "answer.value"),
        (NUMERIC, {"value": float("nan")}, "answer.value"),
        (NUMERIC, {"value": float("-inf")}, "answer.value"),
        (NUMERIC, {"value": "1e999"}, "answer.value"),
        (NUMERIC, {"value": 10**400}, "answer.value"),
        (NUMERIC, {"value": "3,14"}, "answer.value"),
        (NUMERIC, {"value": "1_000"}, "answer.value"),
        (NUMERIC, {"value": "٣"}, "answer.value"),  # Arabic-Indic digit
        (NUMERIC, {"value": True}, "answer.value"),
        (NUMERIC, {"value": None}, "answer.value"),
        (TEXT, {"text": 5}, "answer.text"),
        (TEXT, {"text": "\ud800"}, "answer.text"),
    ],
)
def test_malformed_problem_answer_is_bad_input_naming_the_field(
    fields: dict[str, Any], answer: Any, field: str
) -> None:
    with pytest.raises(BadInput) as info:
        validate_answer("problem", fields, answer)
    assert field in info.value.fields
    assert info.value.status == 400


def test_duplicate_choice_message_names_the_option() -> None:
    with pytest.raises(BadInput) as info:
        validate_answer("problem", BOXES, {"choices": ["b", "b"]})
    assert info.value.fields == {"answer.choices": "duplicate option id 'b'"}


@pytest.mark.parametrize(
    ("block_type", "fields", "answer"),
    [
        ("problem", TEXT, {"text": "x" * (TEXT_MAX_BYTES + 1)}),
        ("problem", TEXT, {"text": "é" * (TEXT_MAX_BYTES // 2 + 1)}),  # bytes, not chars
        ("code", {}, {"code": "#" * (CODE_MAX_BYTES + 1)}),
    ],
)
def test_oversized_answer_is_too_large(
    block_type: str, fields: dict[str, Any], answer: Any
) -> None:
    with pytest.raises(TooLarge) as info:
        validate_answer(block_type, fields, answer)
    assert info.value.status == 413 and info.value.fields


@pytest.mark.parametrize(
    ("block_type", "fields", "answer"),
    [
        ("problem", CHOICE, {"choice": "b"}),
        ("problem", BOXES, {"choices": []}),
        ("problem", NUMERIC, {"value": "-1.5E+3"}),
        ("problem", NUMERIC, {"value": ".5"}),
        ("problem", NUMERIC, {"value": 7}),
        ("problem", TEXT, {"text": "x" * TEXT_MAX_BYTES}),
        ("code", {}, {"code": "def f(:\n"}),  # a syntax error is graded, not refused
    ],
)
def test_well_formed_answers_pass_validation(
    block_type: str, fields: dict[str, Any], answer: Any
) -> None:
    validate_answer(block_type, fields, answer)


def test_block_that_takes_no_answers_is_invalid_state() -> None:
    with pytest.raises(InvalidState):
        validate_answer("html", {}, {"text": "x"})
