"""Which graded attempts make a block's score (grading.counting): highest, last, average,
first; attempts still being graded, errored or withdrawn never count."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from grading.block_state import Attempt, counting_attempt
from grading.counting import CountingRule, counted_points, rule_from_counts
from grading.graded_block import GradedBlock
from models.grading import Status
from quizzes.scoring import grading_method

G, E, Q, R = Status.GRADED, Status.ERROR, Status.QUEUED, Status.GRADING


@dataclass(frozen=True)
class Tried:
    attempt: int
    status: Status
    points: float | None


def tries(*rows: tuple[Status, float | None]) -> list[Tried]:
    return [Tried(n, status, points) for n, (status, points) in enumerate(rows, 1)]


MIXED = tries((G, 2.0), (E, None), (G, 5.0), (G, 3.0), (R, None))


@pytest.mark.parametrize(("rule", "expected"), [
    (CountingRule.HIGHEST, 5.0), (CountingRule.LAST, 3.0), (CountingRule.FIRST, 2.0),
    (CountingRule.AVERAGE, round(10 / 3, 6))])
def test_each_method_counts_only_graded_attempts(rule, expected):
    assert counted_points(rule, MIXED) == expected


@pytest.mark.parametrize("rule", list(CountingRule))
def test_no_graded_attempt_means_no_score_yet(rule):
    assert counted_points(rule, []) is None
    assert counted_points(rule, tries((E, None), (Q, None), (R, None))) is None
    # an errored attempt that kept points (a withdrawn one) still does not count
    assert counted_points(rule, tries((E, 4.0))) is None


def test_first_is_the_first_graded_even_if_an_earlier_one_errored_or_is_pending():
    assert counted_points(CountingRule.FIRST, tries((E, None), (R, None), (G, 1.0),
                                                    (G, 4.0))) == 1.0


def test_last_ignores_a_newer_attempt_still_being_graded():
    assert counted_points(CountingRule.LAST, tries((G, 4.0), (G, 1.0), (Q, None))) == 1.0


def test_order_is_by_attempt_number_not_by_arrival():
    rows = [Tried(3, G, 1.0), Tried(1, G, 4.0), Tried(2, G, 2.0)]
    assert counted_points(CountingRule.FIRST, rows) == 4.0
    assert counted_points(CountingRule.LAST, rows) == 1.0


def test_a_zero_score_counts():
    assert counted_points(CountingRule.AVERAGE, tries((G, 0.0), (G, 3.0))) == 1.5
    assert counted_points(CountingRule.LAST, tries((G, 3.0), (G, 0.0))) == 0.0


def block(fields: dict, counting: CountingRule | None = None) -> GradedBlock:
    return GradedBlock("c", "b", "problem", "B", fields, None, None, None, "", None, "", 3.0,
                       counting=counting)


def test_a_problem_keeps_its_counts_field_and_a_declared_rule_wins():
    assert block({}).counting_rule == CountingRule.HIGHEST
    assert block({"counts": "last"}).counting_rule == CountingRule.LAST
    assert block({"counts": "last"}).counts_last
    assert block({"counts": "last"}, CountingRule.FIRST).counting_rule == CountingRule.FIRST
    assert rule_from_counts({"counts": "best"}) == CountingRule.HIGHEST


def test_the_counting_attempt_follows_the_rule():
    attempts = [Attempt(10, 1, G, 2.0), Attempt(11, 2, E, None), Attempt(12, 3, G, 5.0),
                Attempt(13, 4, G, 3.0)]
    assert counting_attempt(block({}), attempts).id == 12
    assert counting_attempt(block({}, CountingRule.LAST), attempts).id == 13
    assert counting_attempt(block({}, CountingRule.FIRST), attempts).id == 10
    assert counting_attempt(block({}, CountingRule.AVERAGE), attempts) is None


@pytest.mark.parametrize("method", ["highest", "last", "average", "first"])
def test_a_quiz_declares_its_grading_field_as_the_rule(method):
    assert grading_method({"grading": method}) == CountingRule(method)
    assert grading_method({}) == CountingRule.HIGHEST
