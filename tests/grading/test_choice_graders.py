"""Multiple choice and checkboxes grading, including the three partial-credit modes."""

from __future__ import annotations

from typing import Any

import pytest

from grading.graders import MisconfiguredBlock, grade


def checkboxes(partial_credit: str, max_points: float = 4.0) -> dict[str, Any]:
    return {
        "kind": "checkboxes",
        "partial_credit": partial_credit,
        "max_points": max_points,
        "options": [
            {"id": "a", "label": "Alpha", "correct": True, "feedback": "Yes, alpha."},
            {"id": "b", "label": "Beta", "correct": True},
            {"id": "c", "label": "Gamma", "correct": False, "feedback": "Gamma is wrong."},
            {"id": "d", "label": "Delta", "correct": False},
        ],
    }


MULTIPLE_CHOICE = {
    "kind": "multiple_choice",
    "max_points": 2,
    "options": [
        {"id": "paris", "label": "Paris", "correct": True, "feedback": "Bien sûr."},
        {"id": "lyon", "label": "Lyon", "correct": False, "feedback": "Not the capital."},
        {"id": "nice", "label": "Nice", "correct": False},
    ],
}


def test_multiple_choice_correct_option_earns_full_points_with_its_feedback() -> None:
    result = grade("problem", MULTIPLE_CHOICE, {"choice": "paris"})
    assert (result.points, result.max_points, result.summary) == (2.0, 2.0, "Correct")
    assert [(f.label, f.passed, f.message) for f in result.feedback] == [
        ("Paris", True, "Bien sûr.")
    ]


def test_multiple_choice_wrong_option_shows_its_feedback() -> None:
    result = grade("problem", MULTIPLE_CHOICE, {"choice": "lyon"})
    assert result.points == 0 and result.summary == "Incorrect"
    assert result.feedback[0].message == "Not the capital."


def test_multiple_choice_option_without_feedback_says_incorrect() -> None:
    assert grade("problem", MULTIPLE_CHOICE, {"choice": "nice"}).feedback[0].message == "Incorrect"


@pytest.mark.parametrize(
    ("mode", "choices", "points"),
    [
        ("none", ["a", "b"], 4.0),
        ("none", ["a"], 0.0),
        ("none", ["a", "b", "c"], 0.0),
        # proportional: (chosen correct + unchosen incorrect) / all options
        ("proportional", ["a", "b"], 4.0),
        ("proportional", ["a"], 3.0),
        ("proportional", ["a", "c"], 2.0),
        ("proportional", [], 2.0),
        ("proportional", ["c", "d"], 0.0),
        # right_minus_wrong: (chosen correct - chosen incorrect) / correct, floored at 0
        ("right_minus_wrong", ["a", "b"], 4.0),
        ("right_minus_wrong", ["a"], 2.0),
        ("right_minus_wrong", ["a", "b", "c"], 2.0),
        ("right_minus_wrong", ["a", "c"], 0.0),
        ("right_minus_wrong", [], 0.0),
    ],
)
def test_checkboxes_partial_credit_formulas(mode: str, choices: list[str], points: float) -> None:
    assert grade("problem", checkboxes(mode), {"choices": choices}).points == points


def test_checkboxes_right_minus_wrong_never_negative() -> None:
    result = grade("problem", checkboxes("right_minus_wrong"), {"choices": ["a", "c", "d"]})
    assert result.points == 0.0
    assert result.summary == "Incorrect"


def test_checkboxes_default_partial_credit_is_proportional() -> None:
    fields = checkboxes("proportional")
    del fields["partial_credit"]
    assert grade("problem", fields, {"choices": ["a"]}).points == 3.0


def test_checkboxes_feedback_covers_only_chosen_options_so_answers_stay_hidden() -> None:
    result = grade("problem", checkboxes("proportional"), {"choices": ["c", "a"]})
    assert [(f.label, f.passed, f.message) for f in result.feedback] == [
        ("Alpha", True, "Yes, alpha."),
        ("Gamma", False, "Gamma is wrong."),
    ]
    assert result.summary == "Partially correct (2 of 4 points)"


def test_checkboxes_with_no_correct_option_rewards_choosing_nothing() -> None:
    fields = checkboxes("right_minus_wrong")
    for option in fields["options"]:
        option["correct"] = False
    assert grade("problem", fields, {"choices": []}).points == 4.0
    assert grade("problem", fields, {"choices": ["a"]}).points == 0.0


def test_multiple_choice_without_a_correct_option_is_a_misconfigured_block() -> None:
    fields = {**MULTIPLE_CHOICE, "options": [{"id": "x", "label": "X", "correct": False}]}
    with pytest.raises(MisconfiguredBlock):
        grade("problem", fields, {"choice": "x"})


def test_unknown_partial_credit_mode_is_a_misconfigured_block() -> None:
    with pytest.raises(MisconfiguredBlock) as info:
        grade("problem", checkboxes("halves"), {"choices": []})
    assert info.value.fields == {"partial_credit": "halves"}


def test_grade_result_serialises_for_the_api() -> None:
    assert grade("problem", MULTIPLE_CHOICE, {"choice": "nice"}).as_json() == {
        "points": 0.0,
        "max_points": 2.0,
        "feedback": [{"label": "Nice", "passed": False, "message": "Incorrect"}],
        "summary": "Incorrect",
    }
