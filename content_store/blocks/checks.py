"""Small value checkers shared by block schemas.

A checker takes the raw value and its path (for error messages) and returns the
cleaned value or raises :class:`FieldProblem`. Block types turn a FieldProblem into a
BlockValidationError naming the block type and the dotted field path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlparse

from core.datetimes import EXAMPLE, parse_instant
from core.i18n import gettext as _
from core.i18n import ngettext

Path = tuple[str | int, ...]
Checker = Callable[[Any, Path], Any]

_ID = re.compile(r"^[A-Za-z0-9_.-]+$")


class FieldProblem(Exception):
    """One value is wrong; ``path`` says where, e.g. ``("options", 1, "correct")``.

    ``message`` is already in the current language (``_()`` where it is raised): it is the
    part after the field's name, e.g. "must be a whole number".
    """

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def dotted(path: Path) -> str:
    return ".".join(str(p) for p in path)


def check_str(value: Any, path: Path) -> str:
    if not isinstance(value, str):
        raise FieldProblem(path, _("must be text, not %(type)s", type=type(value).__name__))
    return value


def check_title(value: Any, path: Path) -> str:
    value = check_str(value, path).strip()
    if not value:
        raise FieldProblem(path, _("must not be empty"))
    if len(value) > 300:
        raise FieldProblem(path, _("must be at most %(count)s characters", count=300))
    return value


def check_markdown(value: Any, path: Path) -> str:
    # Blank lines around Markdown carry no meaning; dropping them makes a course folder
    # (where the body follows front matter) round-trip exactly.
    return check_str(value, path).lstrip("\n").rstrip()


def check_ident(value: Any, path: Path) -> str:
    value = check_str(value, path)
    if not _ID.match(value) or len(value) > 100:
        raise FieldProblem(path, _("may only use letters, digits, '_', '.' and '-'"))
    return value


def check_bool(value: Any, path: Path) -> bool:
    if not isinstance(value, bool):
        raise FieldProblem(path, _("must be true or false"))
    return value


def check_int(value: Any, path: Path, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldProblem(path, _("must be a whole number"))
    if minimum is not None and value < minimum:
        raise FieldProblem(path, _("must be at least %(minimum)s", minimum=minimum))
    return value


def check_float(value: Any, path: Path, minimum: float | None = None,
                maximum: float | None = None, strictly_positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldProblem(path, _("must be a number"))
    value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise FieldProblem(path, _("must be a finite number"))
    if strictly_positive and value <= 0:
        raise FieldProblem(path, _("must be greater than 0"))
    if minimum is not None and value < minimum:
        raise FieldProblem(path, _("must be at least %(minimum)s", minimum=format(minimum, "g")))
    if maximum is not None and value > maximum:
        raise FieldProblem(path, _("must be at most %(maximum)s", maximum=format(maximum, "g")))
    return value


def check_datetime(value: Any, path: Path) -> str:
    """Accept ISO text or a datetime (YAML parses timestamps); store ISO with a zone.
    Naive times in course files mean UTC."""
    try:
        return parse_instant(value).isoformat()
    except ValueError as exc:
        raise FieldProblem(path, _("must be an ISO date-time like %(example)s: %(problem)s",
                                     example=EXAMPLE, problem=exc)) from None


def check_url(value: Any, path: Path) -> str:
    value = check_str(value, path).strip()
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise FieldProblem(path, _("must be an http(s) URL"))
    return value


def check_regex(value: Any, path: Path) -> str:
    value = check_str(value, path)
    try:
        re.compile(value)
    except re.error as exc:
        raise FieldProblem(path, _("is not a valid regular expression: %(problem)s",
                                     problem=exc)) from None
    return value


def check_choice(choices: Sequence[str]) -> Checker:
    def check(value: Any, path: Path) -> str:
        if value not in choices:
            raise FieldProblem(path, _("must be one of %(choices)s",
                                       choices=", ".join(map(repr, choices))))
        return value
    return check


def check_list(item: Checker, *, min_items: int = 0) -> Checker:
    def check(value: Any, path: Path) -> list[Any]:
        if not isinstance(value, list):
            raise FieldProblem(path, _("must be a list"))
        if len(value) < min_items:
            raise FieldProblem(path, ngettext("must have at least %(num)d item",
                                              "must have at least %(num)d items", min_items))
        return [item(v, (*path, i)) for i, v in enumerate(value)]
    return check


def check_record(required: dict[str, Checker], optional: dict[str, Checker] | None = None,
                 defaults: dict[str, Any] | None = None) -> Checker:
    """A mapping with known keys; unknown keys are an error, defaults are filled in."""
    optional = optional or {}

    def check(value: Any, path: Path) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise FieldProblem(path, _("must be a mapping"))
        unknown = sorted(set(value) - set(required) - set(optional), key=str)
        if unknown:
            known = ", ".join(sorted({*required, *optional}))
            raise FieldProblem((*path, unknown[0]),
                               _("is not a known key here (known: %(known)s)", known=known))
        out: dict[str, Any] = {}
        for key, checker in required.items():
            if key not in value:
                raise FieldProblem((*path, key), _("is required"))
            out[key] = checker(value[key], (*path, key))
        for key, checker in optional.items():
            if key in value and value[key] is not None:
                out[key] = checker(value[key], (*path, key))
            elif defaults and key in defaults:
                out[key] = defaults[key]
        return out
    return check


def unique(items: list[dict[str, Any]], key: str, path: Path) -> None:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        if item[key] in seen:
            raise FieldProblem((*path, i, key), _("%(value)r is used twice", value=item[key]))
        seen.add(item[key])
