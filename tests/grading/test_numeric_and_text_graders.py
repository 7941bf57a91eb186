"""Numeric tolerance and text answers (alternatives, patterns, normalisation)."""

from __future__ import annotations

from typing import Any

import pytest

from grading.graders import MisconfiguredBlock, grade


def numeric(value: float, tolerance: float = 0.0, relative: float = 0.0) -> dict[str, Any]:
    answer = {"value": value, "tolerance": tolerance, "relative_tolerance": relative}
    return {"kind": "numeric", "answer": answer, "max_points": 1}


@pytest.mark.parametrize(
    ("fields", "given", "correct"),
    [
        (numeric(3.14), 3.14, True),
        (numeric(3.14), "3.14", True),
        (numeric(3.14), 3.1400001, False),
        (numeric(3.14, tolerance=0.01), "3.15", True),  # boundary is inclusive
        (numeric(3.14, tolerance=0.01), 3.13, True),
        (numeric(3.14, tolerance=0.01), 3.1501, False),
        (numeric(1000, relative=0.01), 1010, True),
        (numeric(1000, relative=0.01), "9.9e2", True),
        (numeric(1000, relative=0.01), 1010.5, False),
        (numeric(0.001), "1e-3", True),
        (numeric(-2), "  -2  ", True),
        (numeric(1000, tolerance=5, relative=0.01), 1009, True),  # wider tolerance wins
        (numeric(1000, tolerance=20, relative=0.01), 1019, True),
    ],
)
def test_numeric_answers_within_tolerance(
    fields: dict[str, Any], given: Any, correct: bool
) -> None:
    assert grade("problem", fields, {"value": given}).points == (1.0 if correct else 0.0)


def test_numeric_feedback_echoes_the_number_read() -> None:
    result = grade("problem", numeric(2.5), {"value": "2.50"})
    assert [(f.label, f.passed) for f in result.feedback] == [("2.5", True)]


def test_negative_tolerance_is_a_misconfigured_block() -> None:
    with pytest.raises(MisconfiguredBlock):
        grade("problem", numeric(1, tolerance=-1), {"value": 1})


def text(**fields: Any) -> dict[str, Any]:
    return {"kind": "text", "max_points": 3, **fields}


@pytest.mark.parametrize(
    ("fields", "given", "correct"),
    [
        (text(answers=["Paris"]), "paris", True),
        (text(answers=["Paris"]), "  Paris \n", True),
        (text(answers=["New York"]), "new   york", True),
        (text(answers=["New York"], normalize_space=False), "new   york", False),
        (text(answers=["Paris"], case_sensitive=True), "paris", False),
        (text(answers=["Paris"], case_sensitive=True), "Paris", True),
        (text(answers=["café"]), "cafe\u0301", True),  # decomposed é
        (text(answers=["Straße"]), "STRASSE", True),  # casefold, not lower
        (text(answers=["Paris", "Lutetia"]), "lutetia", True),
        (text(patterns=[r"colou?r"]), "Colour", True),
        (text(patterns=[r"colou?r"]), "colors", False),  # fullmatch, not search
        (text(patterns=[r"\d+(,\s*\d+)*"]), "1, 2,3", True),
        (text(patterns=[r"[a-z]+"], case_sensitive=True), "ABC", False),
        (text(answers=["x"], patterns=[r"y+"]), "yyy", True),
    ],
)
def test_text_answers_and_patterns(fields: dict[str, Any], given: str, correct: bool) -> None:
    assert grade("problem", fields, {"text": given}).points == (3.0 if correct else 0.0)


def test_text_pattern_is_not_tried_on_very_long_answers() -> None:
    result = grade("problem", text(patterns=[r"a*"]), {"text": "a" * 5000})
    assert result.points == 0
    assert "over 1000 characters" in result.feedback[0].message


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(a*)*", r"(\w+\s?)*", r"(\s*\w+)*"])
def test_text_pattern_with_catastrophic_backtracking_is_rejected(pattern: str) -> None:
    with pytest.raises(MisconfiguredBlock) as info:
        grade("problem", text(patterns=[pattern]), {"text": "a" * 40 + "!"})
    assert "exponential" in info.value.message


def test_text_pattern_that_does_not_compile_is_a_misconfigured_block() -> None:
    with pytest.raises(MisconfiguredBlock) as info:
        grade("problem", text(patterns=["("]), {"text": "x"})
    assert info.value.fields == {"patterns[0]": "("}


def test_text_problem_without_answers_or_patterns_is_a_misconfigured_block() -> None:
    with pytest.raises(MisconfiguredBlock):
        grade("problem", text(), {"text": "x"})
