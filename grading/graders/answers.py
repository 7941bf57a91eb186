"""Check an answer's shape before an attempt is counted.

A malformed answer (wrong keys, unknown option, duplicate choices, not a number)
raises `BadInput`; an oversized one raises `TooLarge`. Both carry `fields` naming
the offending part, e.g. `{"answer.choices": "duplicate option id 'b'"}`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from core.errors import BadInput, InvalidState, TooLarge
from core.i18n import gettext as _

from .blocks import ChoiceProblem, NumericProblem, TextProblem, read_problem

TEXT_MAX_BYTES = 10 * 1024
CODE_MAX_BYTES = 64 * 1024
NUMBER_MAX_CHARS = 64

# Plain decimal or scientific notation, ASCII only. float() alone would also take
# "nan", "inf", "1_000" and non-ASCII digits, none of which a student means.
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)

GRADEABLE_BLOCK_TYPES: tuple[str, ...] = ("problem", "code")


def validate_answer(block_type: str, fields: Mapping[str, Any], answer: Any) -> None:
    """Raise BadInput/TooLarge if `answer` is not a well-formed answer for this block.

    Runs before an attempt is counted, so a typo in a request never costs a try.
    Raises MisconfiguredBlock if the block's own fields are broken, and
    InvalidState if the block type takes no answers.
    """
    if block_type == "code":
        code_answer(answer)
        return
    if block_type != "problem":
        raise InvalidState(
            _("A %(block_type)s block does not take answers.",
              block_type=repr(block_type)), fields={"block_type": block_type}
        )
    problem = read_problem(fields)
    if isinstance(problem, ChoiceProblem):
        if problem.kind == "multiple_choice":
            chosen_option(problem, answer)
        else:
            chosen_options(problem, answer)
    elif isinstance(problem, NumericProblem):
        numeric_value(answer)
    elif isinstance(problem, TextProblem):
        text_answer(answer)


def chosen_option(problem: ChoiceProblem, answer: Any) -> str:
    """The option id of a multiple choice answer `{"choice": id}`."""
    _require_keys(answer, {"choice"})
    choice = answer["choice"]
    if not isinstance(choice, str):
        raise BadInput(_("Choose one option."), fields={"answer.choice": "must be an option id"})
    if problem.option(choice) is None:
        raise BadInput(
            _("That option is not part of this problem."),
            fields={"answer.choice": f"unknown option id {choice[:100]!r}"},
        )
    return choice


def chosen_options(problem: ChoiceProblem, answer: Any) -> frozenset[str]:
    """The option ids of a checkboxes answer `{"choices": [id, ...]}` (may be empty)."""
    _require_keys(answer, {"choices"})
    choices = answer["choices"]
    if not isinstance(choices, list):
        raise BadInput(
            _("Choices must be a list of option ids."), fields={"answer.choices": "must be a list"}
        )
    if len(choices) > len(problem.options):
        raise BadInput(_("More choices than options."),
                       fields={"answer.choices": "too many choices"})
    seen: set[str] = set()
    for choice in choices:
        if not isinstance(choice, str):
            raise BadInput(
                _("Choices must be option ids."), fields={"answer.choices": "must be strings"}
            )
        if problem.option(choice) is None:
            raise BadInput(
                _("That option is not part of this problem."),
                fields={"answer.choices": f"unknown option id {choice[:100]!r}"},
            )
        if choice in seen:
            raise BadInput(
                _("Each option can be chosen once."),
                fields={"answer.choices": f"duplicate option id {choice[:100]!r}"},
            )
        seen.add(choice)
    return frozenset(seen)


def text_answer(answer: Any) -> str:
    """The text of `{"text": "..."}`, at most TEXT_MAX_BYTES of UTF-8."""
    _require_keys(answer, {"text"})
    return _require_text(answer["text"], "text", TEXT_MAX_BYTES)


def code_answer(answer: Any) -> str:
    """The source of `{"code": "..."}`, at most CODE_MAX_BYTES of UTF-8."""
    _require_keys(answer, {"code"})
    return _require_text(answer["code"], "code", CODE_MAX_BYTES)


def numeric_value(answer: Any) -> float:
    """The finite number in `{"value": 3.14}` or `{"value": "3.14"}`."""
    _require_keys(answer, {"value"})
    raw = answer["value"]
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise BadInput(_("Enter a number."), fields={"answer.value": "must be a number"})
    if isinstance(raw, str):
        text = raw.strip()
        if len(text) > NUMBER_MAX_CHARS or not _NUMBER_RE.fullmatch(text):
            raise BadInput(
                _("%(raw)s is not a number; write e.g. 3.14 or 1e-3.",
                  raw=repr(raw[:NUMBER_MAX_CHARS])),
                fields={"answer.value": "not a number"},
            )
        raw = text
    try:
        value = float(raw)
    except OverflowError:  # an int too large for a float
        value = math.inf
    if not math.isfinite(value):
        raise BadInput(_("Enter a finite number."), fields={"answer.value": "must be finite"})
    return value


def _require_keys(answer: Any, keys: set[str]) -> None:
    expected = ", ".join(sorted(keys))
    if not isinstance(answer, Mapping):
        raise BadInput(
            _("The answer must be an object with %(expected)s.",
              expected=expected), fields={"answer": "must be an object"}
        )
    missing = keys - answer.keys()
    extra = answer.keys() - keys
    if missing or extra:
        problems = {f"answer.{k}": "required" for k in sorted(missing)}
        problems.update({f"answer.{k}": "unexpected" for k in sorted(map(str, extra))})
        raise BadInput(_("The answer must have exactly: %(expected)s.",
                         expected=expected), fields=problems)


def _require_text(value: Any, name: str, max_bytes: int) -> str:
    if not isinstance(value, str):
        raise BadInput(_("%(name)s must be text.",
                         name=name), fields={f"answer.{name}": "must be a string"})
    # Encode to measure bytes and to reject lone surrogates from JSON "\ud800",
    # which could not be written to a file or the database later.
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError:
        raise BadInput(
            _("%(name)s is not valid Unicode text.",
              name=name), fields={f"answer.{name}": "invalid unicode"}
        ) from None
    if size > max_bytes:
        raise TooLarge(
            _("%(name)s is %(size)s KB; the limit is %(limit)s KB.",
              name=name, size=size // 1024, limit=max_bytes // 1024),
            fields={f"answer.{name}": f"at most {max_bytes} bytes"},
        )
    return value
