"""Quiz questions: an item of a question bank (``banks/<name>.yaml``) or a quiz's own
fixed question. A question is written exactly like a ``problem`` (or ``code``) block,
plus ``id`` and ``tags``; the rules a quiz sets for all its questions (dates, attempts)
cannot be set per question.
"""

from __future__ import annotations

from typing import Any

from content_store.blocks import checks, code, problem
from content_store.blocks.base import BlockType
from content_store.blocks.checks import FieldProblem, Path
from content_store.errors import BlockValidationError
from core.i18n import gettext as _

QUESTION_TYPES: dict[str, BlockType] = {"problem": problem.BLOCK, "code": code.BLOCK}
# The quiz decides these for every question it holds.
QUIZ_RULES = ("due", "max_attempts", "counts", "cooldown_seconds", "hidden", "staff_only")
_check_tags = checks.check_list(checks.check_ident)


class QuestionProblem(FieldProblem):
    """A field of one question is wrong: ``problem`` is what is wrong with it, without the
    question's name, for a caller that names the question itself (a bank file's error)."""

    def __init__(self, path: Path, question_id: str, problem: str) -> None:
        super().__init__(path, _("of question %(id)r %(problem)s", id=question_id,
                                 problem=problem))
        self.question_id = question_id
        self.problem = problem


def problem_text(problem: FieldProblem) -> str:
    """What is wrong, without the question's name (for a message that names it already)."""
    return problem.problem if isinstance(problem, QuestionProblem) else problem.message


def check_question(value: Any, path: Path) -> dict[str, Any]:
    """One question, cleaned: ``{id, tags, type, **problem-or-code fields}``."""
    if not isinstance(value, dict):
        raise FieldProblem(path, _("must be a mapping (a question written like a "
                                   "problem)"))
    fields = dict(value)
    if "id" not in fields:
        raise FieldProblem(path, _("needs an id: (unique in its list of questions)"))
    question_id = checks.check_ident(fields.pop("id"), (*path, "id"))
    tags = _check_tags(fields.pop("tags", None) or [], (*path, "tags"))
    type_name = fields.pop("type", "problem")
    if type_name not in QUESTION_TYPES:
        raise FieldProblem((*path, "type"), _("must be 'problem' or 'code' for a "
                                                "question"))
    for name in QUIZ_RULES:
        if name in fields:
            raise QuestionProblem((*path, name), question_id,
                                  _("is set by the quiz, not per question"))
    try:
        cleaned = QUESTION_TYPES[type_name].clean(fields)
    except BlockValidationError as exc:
        inner = tuple(exc.fields.get("path") or ())
        raise QuestionProblem((*path, *inner), question_id,
                              exc.fields.get("problem") or exc.message) from None
    return {"id": question_id, "tags": tags, "type": type_name, **cleaned}


def check_questions(value: Any, path: Path) -> list[dict[str, Any]]:
    """A list of questions with unique ids (a bank, or a quiz's fixed questions)."""
    questions = checks.check_list(check_question)(value, path)
    checks.unique(questions, "id", path)
    return questions


def check_bank_name(value: Any, path: Path) -> str:
    return checks.check_ident(value, path)


def check_banks(value: Any, path: Path) -> dict[str, list[dict[str, Any]]]:
    """The course's question banks: ``{bank name: [question, ...]}``."""
    if not isinstance(value, dict):
        raise FieldProblem(path, _("must be a mapping of bank name: [questions]"))
    return {check_bank_name(name, (*path, str(name))): check_questions(items, (*path, name))
            for name, items in value.items()}


def question_points(question: dict[str, Any]) -> float:
    """The most a question can score (its `max_points`, 1 unless set)."""
    return float(question.get("max_points", 1.0))
