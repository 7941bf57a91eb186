"""Question banks in a course folder: ``banks/<name>.yaml``, each a YAML list of questions
written like problem blocks plus ``id`` and ``tags`` (FORMAT.md, "Question banks").

The banks are stored in the course root's ``question_banks`` field, a content field, so
they are versioned with the rest of the course content. Errors name the file, the line
and the question.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from content_store import folder_io
from content_store.blocks import checks
from content_store.blocks.checks import FieldProblem
from content_store.blocks.questions import check_question, problem_text
from content_store.errors import CourseFolderError
from content_store.folder_io import Document, Files
from core.i18n import gettext as _

FOLDER = "banks"
_BANK_FILE = re.compile(r"^banks/([A-Za-z0-9_.-]+)\.yaml$")

Banks = dict[str, list[dict[str, Any]]]


def read_banks(files: Files) -> Banks:
    """Every ``banks/*.yaml`` of a folder, validated: ``{bank name: [question, ...]}``."""
    banks: Banks = {}
    for name in sorted(files):
        if not name.startswith(f"{FOLDER}/"):
            continue
        match = _BANK_FILE.match(name)
        if match is None:
            raise CourseFolderError(_("The banks folder holds one <name>.yaml file per question "
                                      "bank (letters, digits, _ . - in the name)."), file=name)
        try:
            text = files[name].decode("utf-8")
        except UnicodeDecodeError:
            raise CourseFolderError(_("is not UTF-8 text."), file=name) from None
        banks[match.group(1)] = _questions(folder_io.parse_yaml_list(name, text))
    return banks


def _questions(doc: Document) -> list[dict[str, Any]]:
    items = doc.data["items"]
    questions: list[dict[str, Any]] = []
    try:
        for index, item in enumerate(items):
            questions.append(check_question(item, (index,)))
        checks.unique(questions, "id", ())
    except FieldProblem as problem:
        index = problem.path[0] if problem.path else None
        item = items[index] if isinstance(index, int) else None
        question = item.get("id") if isinstance(item, dict) else None
        field = checks.dotted(problem.path[1:])
        what = (_("question %(id)r", id=question) if question is not None
                else _("item %(num)s", num=index))
        text = problem_text(problem)
        message = (_("%(what)s: %(field)s %(problem)s.", what=what, field=field, problem=text)
                   if field else _("%(what)s: %(problem)s.", what=what, problem=text))
        raise doc.error(message, problem.path, question=question, field=field) from None
    return questions


def check_quiz_draws(fields: dict[str, Any], doc: Document, banks: Banks) -> None:
    """A course folder's quiz whose draw rules the banks cannot fill is an error naming
    the rule's line (draw_problem)."""
    problem = draw_problem(fields.get("draw") or [], banks)
    if problem is not None:
        raise doc.error(*problem)


def draw_problem(rules: list[dict[str, Any]], banks: Banks) -> tuple[str, list[str | int]] | None:
    """(message, path in the quiz's fields) for the first draw rule that names no bank or
    a bank without enough questions with its tags, even when earlier rules of the quiz
    have taken every question they could share with it; None when every rule is filled."""
    for index, rule in enumerate(rules):
        if rule["bank"] not in banks:
            known = ", ".join(sorted(banks)) or _("none")
            return (_("draw rule %(num)d names the bank %(bank)r, which has no "
                      "banks/%(name)s.yaml (banks: %(known)s).", num=index + 1,
                      bank=rule["bank"], name=rule["bank"], known=known),
                    ["draw", index, "bank"])
        pool = set(matching(banks[rule["bank"]], rule["tags"]))
        taken = sum(min(earlier["count"],
                        len(pool & set(matching(banks[earlier["bank"]], earlier["tags"]))))
                    for earlier in rules[:index] if earlier["bank"] == rule["bank"])
        if len(pool) - taken < rule["count"]:
            if rule["tags"]:
                message = _("draw rule %(num)d wants %(count)s question(s) from %(bank)r "
                            "tagged %(tags)s, but only %(left)s are left for it.",
                            num=index + 1, count=rule["count"], bank=rule["bank"],
                            tags=", ".join(rule["tags"]), left=len(pool) - taken)
            else:
                message = _("draw rule %(num)d wants %(count)s question(s) from %(bank)r, "
                            "but only %(left)s are left for it.", num=index + 1,
                            count=rule["count"], bank=rule["bank"], left=len(pool) - taken)
            return (message, ["draw", index, "count"])
    return None


def matching(questions: Iterable[dict[str, Any]], tags: Iterable[str]) -> list[str]:
    """Ids of the questions carrying every one of ``tags``, in bank order."""
    wanted = set(tags)
    return [q["id"] for q in questions if wanted <= set(q.get("tags") or ())]


def bank_files(banks: Banks) -> dict[str, str]:
    """The banks as course folder files (what read_banks reads back unchanged)."""
    return {f"{FOLDER}/{name}.yaml": folder_io.dump_yaml([_written(q) for q in questions])
            for name, questions in sorted(banks.items())}


def _written(question: dict[str, Any]) -> dict[str, Any]:
    out = {"id": question["id"]}
    if question.get("tags"):
        out["tags"] = question["tags"]
    if question.get("type", "problem") != "problem":
        out["type"] = question["type"]
    out.update({k: v for k, v in question.items() if k not in ("id", "tags", "type")})
    return out
