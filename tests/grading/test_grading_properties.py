"""Properties of every problem grader: points stay in [0, max_points]; grading is
deterministic; validation and grading agree on what a well-formed answer is."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import CoursewireError
from grading.graders import grade, validate_answer

max_points = st.floats(min_value=0, max_value=1000, allow_nan=False)
option_ids = st.sampled_from(["a", "b", "c", "d", "e"])


@st.composite
def choice_problems(draw: st.DrawFn) -> dict[str, Any]:
    ids = draw(st.lists(option_ids, min_size=1, max_size=5, unique=True))
    options = [{"id": i, "label": i.upper(), "correct": draw(st.booleans())} for i in ids]
    kind = draw(st.sampled_from(["multiple_choice", "checkboxes"]))
    if kind == "multiple_choice" and not any(o["correct"] for o in options):
        options[0]["correct"] = True
    return {
        "kind": kind,
        "options": options,
        "partial_credit": draw(st.sampled_from(["none", "proportional", "right_minus_wrong"])),
        "max_points": draw(max_points),
    }


@st.composite
def numeric_problems(draw: st.DrawFn) -> dict[str, Any]:
    finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)
    tolerances = st.floats(min_value=0, max_value=1e6, allow_nan=False)
    return {
        "kind": "numeric",
        "answer": {
            "value": draw(finite),
            "tolerance": draw(tolerances),
            "relative_tolerance": draw(tolerances),
        },
        "max_points": draw(max_points),
    }


@st.composite
def text_problems(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "kind": "text",
        "answers": draw(st.lists(st.text(max_size=20), min_size=1, max_size=3)),
        "patterns": draw(st.lists(st.sampled_from([r"a+b?", r"\d+(\.\d+)?", r"(?i)yes|no"]))),
        "case_sensitive": draw(st.booleans()),
        "normalize_space": draw(st.booleans()),
        "max_points": draw(max_points),
    }


answers = st.one_of(
    st.fixed_dictionaries({"choice": option_ids}),
    st.fixed_dictionaries({"choices": st.lists(option_ids, max_size=6)}),
    st.fixed_dictionaries({"value": st.one_of(st.floats(), st.integers(), st.text(max_size=12))}),
    st.fixed_dictionaries({"text": st.text(max_size=40)}),
    st.none(),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
problems = st.one_of(choice_problems(), numeric_problems(), text_problems())


@settings(max_examples=400, deadline=None)
@given(problems, answers)
def test_points_always_within_zero_and_max_points(fields: dict[str, Any], answer: Any) -> None:
    try:
        validate_answer("problem", fields, answer)
    except CoursewireError:
        return
    result = grade("problem", fields, answer)
    assert 0.0 <= result.points <= result.max_points == fields["max_points"]
    assert math.isfinite(result.points)


@settings(max_examples=300, deadline=None)
@given(problems, answers)
def test_grading_is_deterministic_and_idempotent(fields: dict[str, Any], answer: Any) -> None:
    outcomes = []
    for _ in range(2):
        try:
            outcomes.append(grade("problem", fields, answer))
        except CoursewireError as exc:
            outcomes.append((type(exc), exc.message, exc.fields))
    assert outcomes[0] == outcomes[1]


@settings(max_examples=300, deadline=None)
@given(problems, answers)
def test_grade_accepts_exactly_what_validation_accepts(fields: dict[str, Any], answer: Any) -> None:
    try:
        validate_answer("problem", fields, answer)
        valid = True
    except CoursewireError:
        valid = False
    try:
        grade("problem", fields, answer)
        graded = True
    except CoursewireError:
        graded = False
    assert valid == graded


@given(choice_problems(), st.lists(option_ids, max_size=5, unique=True))
def test_checkboxes_right_minus_wrong_never_negative_for_any_choice(
    fields: dict[str, Any], chosen: list[str]
) -> None:
    fields = {**fields, "kind": "checkboxes", "partial_credit": "right_minus_wrong"}
    chosen = [c for c in chosen if c in {o["id"] for o in fields["options"]}]
    assert grade("problem", fields, {"choices": chosen}).points >= 0


@given(choice_problems())
def test_choosing_exactly_the_correct_options_earns_full_points_in_every_mode(
    fields: dict[str, Any],
) -> None:
    fields = {**fields, "kind": "checkboxes"}
    correct = [o["id"] for o in fields["options"] if o["correct"]]
    assert grade("problem", fields, {"choices": correct}).points == fields["max_points"]
