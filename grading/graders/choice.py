"""Multiple choice and checkboxes.

Checkboxes partial credit, with C the correct options, W the incorrect ones,
S the chosen ones and N = |C| + |W| all options:

- "none":              max_points if S == C, else 0.
- "proportional":      max_points * (|S ∩ C| + |W \\ S|) / N
                       Every option is a true/false item: choosing a correct one
                       and leaving an incorrect one both count. (So choosing
                       nothing earns |W| / N.)
- "right_minus_wrong": max_points * max(0, |S ∩ C| - |S ∩ W|) / |C|
                       A wrong pick cancels a right one; never below 0.
                       With no correct options, full points only for S empty.
"""

from __future__ import annotations

from typing import Any

from .answers import chosen_option, chosen_options
from .blocks import ChoiceOption, ChoiceProblem
from .result import FeedbackItem, GradeResult, scaled_points, summary_for


def grade_multiple_choice(problem: ChoiceProblem, answer: Any) -> GradeResult:
    """Full points for a correct option; the chosen option's feedback if it has any."""
    option = problem.option(chosen_option(problem, answer))
    assert option is not None  # chosen_option checked the id
    points = problem.max_points if option.correct else 0.0
    return GradeResult(
        points=points,
        max_points=problem.max_points,
        feedback=[_option_feedback(option)],
        summary=summary_for(points, problem.max_points),
    )


def grade_checkboxes(problem: ChoiceProblem, answer: Any) -> GradeResult:
    """Points by the problem's partial_credit mode (formulas in the module docstring).

    Feedback covers the chosen options only, in the problem's option order, so it
    never reveals which unchosen options were correct.
    """
    chosen = chosen_options(problem, answer)
    fraction = checkboxes_fraction(problem, chosen)
    points = scaled_points(fraction, problem.max_points)
    return GradeResult(
        points=points,
        max_points=problem.max_points,
        feedback=[_option_feedback(o) for o in problem.options if o.id in chosen],
        summary=summary_for(points, problem.max_points),
    )


def checkboxes_fraction(problem: ChoiceProblem, chosen: frozenset[str]) -> float:
    """The fraction of max_points earned by choosing `chosen`, in [0, 1]."""
    correct = {o.id for o in problem.options if o.correct}
    incorrect = {o.id for o in problem.options if not o.correct}
    if problem.partial_credit == "none":
        return 1.0 if chosen == correct else 0.0
    if problem.partial_credit == "proportional":
        judged_right = len(chosen & correct) + len(incorrect - chosen)
        return judged_right / len(problem.options)
    # right_minus_wrong
    if not correct:
        return 1.0 if not chosen else 0.0
    return max(0, len(chosen & correct) - len(chosen & incorrect)) / len(correct)


def _option_feedback(option: ChoiceOption) -> FeedbackItem:
    default = "Correct" if option.correct else "Incorrect"
    return FeedbackItem(
        label=option.label, passed=option.correct, message=option.feedback or default
    )
