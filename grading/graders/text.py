"""Short text answers: exact alternatives and regex patterns.

Both the student's text and the accepted answers are normalised the same way:
Unicode NFC (so a composed and a decomposed "é" are equal), then, if
`normalize_space`, leading/trailing whitespace removed and inner runs collapsed
to one space; unless `case_sensitive`, compared casefolded. Patterns must match
the whole normalised text (fullmatch) and are compiled with IGNORECASE unless
case_sensitive. Patterns are not tried on texts over PATTERN_INPUT_MAX_CHARS.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .answers import text_answer
from .blocks import TextProblem
from .regex_safety import PATTERN_INPUT_MAX_CHARS
from .result import FeedbackItem, GradeResult, summary_for

_SPACE_RUN = re.compile(r"\s+")


def grade_text(problem: TextProblem, answer: Any) -> GradeResult:
    """Full points if the text equals an accepted answer or fully matches a pattern."""
    text = normalize_text(text_answer(answer), problem)
    correct = text_is_accepted(text, problem)
    points = problem.max_points if correct else 0.0
    message = "Correct" if correct else "Incorrect"
    if not correct and len(text) > PATTERN_INPUT_MAX_CHARS and problem.patterns:
        message = f"Incorrect (answers over {PATTERN_INPUT_MAX_CHARS} characters are not matched)"
    return GradeResult(
        points=points,
        max_points=problem.max_points,
        feedback=[FeedbackItem("answer", correct, message)],
        summary=summary_for(points, problem.max_points),
    )


def normalize_text(text: str, problem: TextProblem) -> str:
    """Apply the problem's normalisation (module docstring) to one text."""
    text = unicodedata.normalize("NFC", text)
    if problem.normalize_space:
        text = _SPACE_RUN.sub(" ", text).strip()
    return text


def text_is_accepted(normalized: str, problem: TextProblem) -> bool:
    """Whether an already-normalised text matches an answer or a pattern."""
    fold = (lambda s: s) if problem.case_sensitive else str.casefold
    wanted = fold(normalized)
    if any(fold(normalize_text(a, problem)) == wanted for a in problem.answers):
        return True
    if len(normalized) > PATTERN_INPUT_MAX_CHARS:
        return False
    return any(p.fullmatch(normalized) for p in problem.patterns)
