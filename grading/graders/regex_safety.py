"""Keep staff-written answer patterns from hanging a grader.

Python's `re` backtracks and has no timeout, so a pattern like `(a+)+$` takes
exponential time on `aaaa...!`. Two guards, both cheap:

1. `check_pattern_is_safe` rejects the shape behind most catastrophic
   backtracking: an unbounded repeat whose body is, apart from parts that can
   match nothing, itself a repeat (`(a+)+`, `(a*)*`, `(\\w+\\s?)*`, `(\\s*\\w+)*`).
   Each iteration can then split the same text in exponentially many ways.
   Delimited repeats such as `\\d+(,\\s*\\d+)*` pass. The check runs when the
   block's fields are read, so a bad pattern is a configuration error staff see,
   not a stuck worker.
2. Patterns are only tried on answers of at most `PATTERN_INPUT_MAX_CHARS`
   characters, which bounds the polynomial cases (`.*a.*b.*c`) the check allows.

Not caught: overlapping alternatives under a star (`(a|aa)*`), a repeat whose
delimiter it can also match (`(.*a)*`), back-references. Staff patterns are
trusted input; these guards stop honest mistakes, not an attacker.
"""

from __future__ import annotations

import re
from typing import Any

# re._parser is CPython's own regex parser (sre_parse before 3.11) and the only way
# to see a pattern's structure; if it moves, we skip the check rather than fail.
try:
    from re import _constants as sre
    from re import _parser as sre_parser
except ImportError:  # pragma: no cover - other Python versions
    sre = None
    sre_parser = None

PATTERN_INPUT_MAX_CHARS = 1000


def compile_answer_pattern(pattern: str, *, case_sensitive: bool) -> re.Pattern[str]:
    """Compile a staff pattern for fullmatch grading; ValueError says why it is unusable."""
    try:
        compiled = re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    check_pattern_is_safe(pattern)
    return compiled


def check_pattern_is_safe(pattern: str) -> None:
    """Raise ValueError if `pattern` has a repeat that can split its text exponentially."""
    if sre is None or sre_parser is None:  # pragma: no cover
        return
    if _has_ambiguous_repeat(sre_parser.parse(pattern)):
        raise ValueError(
            "a repeated group that itself repeats, such as (a+)+ or (\\w+\\s?)*, can take "
            "exponential time; give each repetition a required delimiter"
        )


def _is_repeat(op: Any) -> bool:
    # A possessive repeat never backtracks into its body, so it is safe to nest.
    return op in (sre.MAX_REPEAT, sre.MIN_REPEAT)


def _children(op: Any, av: Any) -> list[Any]:
    """The sub-sequences inside one parsed element."""
    if _is_repeat(op) or op == getattr(sre, "POSSESSIVE_REPEAT", None):
        return [av[2]]
    if op == sre.SUBPATTERN:
        return [av[3]]
    if op == sre.BRANCH:
        return list(av[1])
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    if op == sre.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    if op == getattr(sre, "ATOMIC_GROUP", None):
        return [av]
    return []


def _has_ambiguous_repeat(items: Any) -> bool:
    for op, av in items:
        if _is_repeat(op) and av[1] == sre.MAXREPEAT and _exposes_repeat(av[2]):
            return True
        if any(_has_ambiguous_repeat(child) for child in _children(op, av)):
            return True
    return False


def _exposes_repeat(items: Any) -> bool:
    """True if the sequence is a repeat (high > 1) surrounded only by nullable parts."""
    seq = list(items)
    for i, (op, av) in enumerate(seq):
        others_nullable = all(_nullable(o, a) for j, (o, a) in enumerate(seq) if j != i)
        if not others_nullable:
            continue
        if _is_repeat(op) and av[1] > 1:
            return True
        if op == sre.SUBPATTERN and _exposes_repeat(av[3]):
            return True
        if op == sre.BRANCH and any(_exposes_repeat(b) for b in av[1]):
            return True
    return False


def _nullable(op: Any, av: Any) -> bool:
    """Whether one parsed element can match the empty string."""
    if _is_repeat(op) or op == getattr(sre, "POSSESSIVE_REPEAT", None):
        return av[0] == 0 or all(_nullable(o, a) for o, a in av[2])
    if op == sre.SUBPATTERN:
        return all(_nullable(o, a) for o, a in av[3])
    if op == sre.BRANCH:
        return any(all(_nullable(o, a) for o, a in b) for b in av[1])
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT, sre.GROUPREF, sre.GROUPREF_EXISTS):
        return True
    return False
