"""Scoring rules, without a database: ORA2's median, the mean option, feedback modes,
flexible grading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import BadInput
from peer_review.scoring import (
    Rubric,
    check_assessment,
    median_rounded_up,
    required_reviews,
    score,
)

RUBRIC = Rubric.from_fields({"criteria": [
    {"name": "ideas", "label": "Ideas", "feedback": "required", "options": [
        {"name": "none", "label": "None", "points": 0}, {"name": "some", "label": "Some",
                                                         "points": 1},
        {"name": "many", "label": "Many", "points": 3}]},
    {"name": "style", "label": "Style", "feedback": "disabled", "options": [
        {"name": "poor", "label": "Poor", "points": 0},
        {"name": "good", "label": "Good", "points": 2}]},
]})


def a(ideas: str, style: str, fb: str = "") -> dict:
    return {"scores": {"ideas": ideas, "style": style},
            "criterion_feedback": {"ideas": fb} if fb else {}, "feedback": ""}


def test_median_of_odd_count_is_the_middle():
    assert median_rounded_up([3, 0, 1]) == 1


def test_median_of_even_count_rounds_up_like_ora2():
    assert median_rounded_up([0, 1]) == 1
    assert median_rounded_up([1, 3]) == 2
    assert median_rounded_up([0, 1, 3, 3]) == 2


@given(st.lists(st.integers(0, 10), min_size=1, max_size=9))
def test_median_lies_between_min_and_max(values):
    assert min(values) <= median_rounded_up(values) <= max(values)


def test_score_sums_per_criterion_medians():
    result = score(RUBRIC, [a("many", "good", "x"), a("none", "poor"), a("some", "good")])
    assert [c.points for c in result.per_criterion] == [1, 2]
    assert result.points == 3 and result.max_points == 5
    assert result.per_criterion[0].feedback == ["x"]


def test_mean_is_a_course_option():
    result = score(RUBRIC, [a("many", "good"), a("none", "poor")], "mean")
    assert [c.points for c in result.per_criterion] == [1.5, 1.0]
    assert result.points == 2.5


def test_required_feedback_and_disabled_feedback_are_enforced():
    with pytest.raises(BadInput) as err:
        check_assessment(RUBRIC, {"ideas": "many", "style": "good"}, "",
                         {"style": "nice"})
    assert set(err.value.fields) == {"feedback.ideas", "feedback.style"}
    ok = check_assessment(RUBRIC, {"ideas": "many", "style": "good"}, " Well done ",
                          {"ideas": "Clear"})
    assert ok.points == 5 and ok.feedback == "Well done"


def test_unknown_criteria_and_options_are_rejected():
    with pytest.raises(BadInput) as err:
        check_assessment(RUBRIC, {"ideas": "lots", "style": "good", "extra": "x"}, "",
                         {"ideas": "x"})
    assert set(err.value.fields) == {"scores.ideas", "scores.extra"}


def test_flexible_grading_needs_fewer_reviews_after_n_days():
    submitted = datetime(2026, 1, 1, tzinfo=UTC)
    assert required_reviews(5, submitted, submitted + timedelta(days=2), 7) == 5
    assert required_reviews(5, submitted, submitted + timedelta(days=8), 7) == 1
    assert required_reviews(10, submitted, submitted + timedelta(days=8), 7) == 3
    assert required_reviews(5, submitted, submitted + timedelta(days=80), None) == 5
