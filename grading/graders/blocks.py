"""Read a gradeable block's fields (from the content store) into typed settings.

Field names are the content store's, unchanged. A block whose fields cannot be
graded (no correct option, a broken regex, a negative tolerance) raises
`MisconfiguredBlock`: staff caused it, so the message says what to fix.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from core.errors import InvalidState

from .regex_safety import compile_answer_pattern

ChoiceKind = Literal["multiple_choice", "checkboxes"]
PartialCredit = Literal["none", "proportional", "right_minus_wrong"]
PARTIAL_CREDIT_MODES: tuple[str, ...] = ("none", "proportional", "right_minus_wrong")
PROBLEM_KINDS: tuple[str, ...] = ("multiple_choice", "checkboxes", "numeric", "text")

# Bounds on staff settings for code exercises: below ~32 MB CPython cannot start,
# and a minute per test already ties up a worker far longer than any exercise needs.
TIME_LIMIT_RANGE_S = (0.1, 60.0)
MEMORY_LIMIT_RANGE_MB = (32, 4096)


class MisconfiguredBlock(InvalidState):
    """The block's own fields make it ungradeable; staff must fix the content."""


@dataclass(frozen=True)
class ChoiceOption:
    id: str
    label: str
    correct: bool
    feedback: str | None = None


@dataclass(frozen=True)
class ChoiceProblem:
    kind: ChoiceKind
    options: tuple[ChoiceOption, ...]
    partial_credit: PartialCredit
    max_points: float

    def option(self, option_id: str) -> ChoiceOption | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class NumericProblem:
    value: float
    tolerance: float
    relative_tolerance: float
    max_points: float


@dataclass(frozen=True)
class TextProblem:
    answers: tuple[str, ...]
    patterns: tuple[Any, ...]  # compiled re.Pattern[str]
    case_sensitive: bool
    normalize_space: bool
    max_points: float


@dataclass(frozen=True)
class CodeExercise:
    starter_code: str
    tests: str
    test_names: tuple[str, ...]
    max_points: float
    time_limit_s: float
    memory_limit_mb: int


Problem = ChoiceProblem | NumericProblem | TextProblem


def read_problem(fields: Mapping[str, Any]) -> Problem:
    """Typed settings of a `problem` block; MisconfiguredBlock if they cannot be graded."""
    kind = fields.get("kind")
    max_points = _max_points(fields)
    if kind in ("multiple_choice", "checkboxes"):
        return _read_choice(kind, fields, max_points)
    if kind == "numeric":
        return _read_numeric(fields, max_points)
    if kind == "text":
        return _read_text(fields, max_points)
    raise MisconfiguredBlock(
        f"Problem kind must be one of {', '.join(PROBLEM_KINDS)}.", fields={"kind": kind}
    )


def read_code_exercise(fields: Mapping[str, Any]) -> CodeExercise:
    """Typed settings of a `code` block; the hidden tests must parse and define test_*."""
    tests = fields.get("tests")
    if not isinstance(tests, str):
        raise MisconfiguredBlock("The exercise has no tests.", fields={"tests": "missing"})
    try:
        tree = ast.parse(tests, filename="<tests>")
    except SyntaxError as exc:
        raise MisconfiguredBlock(
            f"The hidden tests do not parse: {exc.msg} (line {exc.lineno}).",
            fields={"tests": "syntax error"},
        ) from None
    names = tuple(
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    )
    if not names:
        raise MisconfiguredBlock(
            "The hidden tests define no test_* functions.", fields={"tests": "no tests"}
        )
    time_limit = _number(fields, "time_limit_s", 5.0)
    memory_limit = fields.get("memory_limit_mb", 256)
    if not TIME_LIMIT_RANGE_S[0] <= time_limit <= TIME_LIMIT_RANGE_S[1]:
        raise MisconfiguredBlock(
            "time_limit_s must be between {} and {} seconds.".format(*TIME_LIMIT_RANGE_S),
            fields={"time_limit_s": time_limit},
        )
    if (
        isinstance(memory_limit, bool)
        or not isinstance(memory_limit, int)
        or not MEMORY_LIMIT_RANGE_MB[0] <= memory_limit <= MEMORY_LIMIT_RANGE_MB[1]
    ):
        raise MisconfiguredBlock(
            "memory_limit_mb must be a whole number between {} and {}.".format(
                *MEMORY_LIMIT_RANGE_MB
            ),
            fields={"memory_limit_mb": memory_limit},
        )
    starter = fields.get("starter_code", "")
    return CodeExercise(
        starter_code=starter if isinstance(starter, str) else "",
        tests=tests,
        test_names=names,
        max_points=_max_points(fields),
        time_limit_s=time_limit,
        memory_limit_mb=memory_limit,
    )


def _read_choice(kind: ChoiceKind, fields: Mapping[str, Any], max_points: float) -> ChoiceProblem:
    raw_options = fields.get("options")
    if not isinstance(raw_options, list) or not raw_options:
        raise MisconfiguredBlock("A choice problem needs options.", fields={"options": "missing"})
    options: list[ChoiceOption] = []
    for i, raw in enumerate(raw_options):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("id"), str) or not raw["id"]:
            raise MisconfiguredBlock(
                f"Option {i + 1} has no id.", fields={f"options[{i}].id": "missing"}
            )
        feedback = raw.get("feedback")
        options.append(
            ChoiceOption(
                id=raw["id"],
                label=str(raw.get("label", raw["id"])),
                correct=raw.get("correct") is True,
                feedback=feedback if isinstance(feedback, str) and feedback else None,
            )
        )
    ids = [o.id for o in options]
    if len(set(ids)) != len(ids):
        raise MisconfiguredBlock("Option ids must be unique.", fields={"options": "duplicate id"})
    if kind == "multiple_choice" and not any(o.correct for o in options):
        raise MisconfiguredBlock(
            "A multiple choice problem needs a correct option.", fields={"options": "none correct"}
        )
    partial = fields.get("partial_credit", "proportional") if kind == "checkboxes" else "none"
    if partial not in PARTIAL_CREDIT_MODES:
        raise MisconfiguredBlock(
            f"partial_credit must be one of {', '.join(PARTIAL_CREDIT_MODES)}.",
            fields={"partial_credit": partial},
        )
    return ChoiceProblem(kind, tuple(options), partial, max_points)


def _read_numeric(fields: Mapping[str, Any], max_points: float) -> NumericProblem:
    answer = fields.get("answer")
    if not isinstance(answer, Mapping):
        raise MisconfiguredBlock("A numeric problem needs an answer.", fields={"answer": "missing"})
    value = _number(answer, "value", None)
    tolerance = _number(answer, "tolerance", 0.0)
    relative = _number(answer, "relative_tolerance", 0.0)
    if tolerance < 0 or relative < 0:
        raise MisconfiguredBlock(
            "Tolerances cannot be negative.", fields={"answer.tolerance": "negative"}
        )
    return NumericProblem(value, tolerance, relative, max_points)


def _read_text(fields: Mapping[str, Any], max_points: float) -> TextProblem:
    case_sensitive = fields.get("case_sensitive", False) is True
    answers = fields.get("answers") or []
    raw_patterns = fields.get("patterns") or []
    if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
        raise MisconfiguredBlock("answers must be a list of strings.", fields={"answers": "type"})
    if not isinstance(raw_patterns, list) or not all(isinstance(p, str) for p in raw_patterns):
        raise MisconfiguredBlock("patterns must be a list of strings.", fields={"patterns": "type"})
    if not answers and not raw_patterns:
        raise MisconfiguredBlock(
            "A text problem needs accepted answers or patterns.", fields={"answers": "missing"}
        )
    patterns = []
    for i, pattern in enumerate(raw_patterns):
        try:
            patterns.append(compile_answer_pattern(pattern, case_sensitive=case_sensitive))
        except ValueError as exc:
            raise MisconfiguredBlock(
                f"Pattern {i + 1} is unusable: {exc}.", fields={f"patterns[{i}]": pattern}
            ) from None
    return TextProblem(
        answers=tuple(answers),
        patterns=tuple(patterns),
        case_sensitive=case_sensitive,
        normalize_space=fields.get("normalize_space", True) is not False,
        max_points=max_points,
    )


def _max_points(fields: Mapping[str, Any]) -> float:
    points = _number(fields, "max_points", 1.0)
    if points < 0:
        raise MisconfiguredBlock("max_points cannot be negative.", fields={"max_points": points})
    return points


def _number(fields: Mapping[str, Any], name: str, default: float | None) -> float:
    raw = fields.get(name, default)
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise MisconfiguredBlock(f"{name} must be a finite number.", fields={name: raw})
    return float(raw)
