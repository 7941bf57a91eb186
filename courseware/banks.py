"""Question banks in studio: create a bank, add, edit and delete its questions, import one
from YAML and export it (issue 14, item 1).

The banks are the course root's `question_banks` field (content_store/bank_files.py), so
every change here is an edit of the draft like any other: a new structure, checked against
the version the editor's form was loaded from (a concurrent edit is a VersionConflict, 409),
and students see it once the course is published. A question is written with the field
editors of a `problem` or `code` block (courseware/forms.py), minus the rules the quiz sets
for all its questions, plus its id and tags.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from content_store import DRAFT, folder_io
from content_store.bank_files import Banks, bank_files, draw_problem
from content_store.blocks import block_type, checks
from content_store.blocks.checks import FieldProblem
from content_store.blocks.questions import (
    QUESTION_TYPES,
    QUIZ_RULES,
    check_question,
    problem_text,
)
from content_store.connect import current_store
from content_store.editor import CourseEditor
from content_store.errors import CourseFolderError
from content_store.records import Commit
from core.errors import BadInput, InvalidState, NotFound
from core.i18n import gettext as _
from courses.service import require_role
from courseware.authoring import edit_draft
from courseware.forms import form_values
from courseware.service import ensure_course_content
from models.courses import Role
from models.users import User

MAX_IMPORT_CHARS = 1_000_000


@dataclass
class BankSummary:
    name: str
    questions: list[dict[str, Any]]
    tags: list[str]  # every tag of its questions, sorted


@dataclass
class ImportProblem:
    """One question of an imported file that was left out, and why."""

    line: int | None
    question: str | None  # its id, when it has a usable one
    field: str  # dotted path inside the question ("" for the question as a whole)
    message: str


@dataclass
class ImportResult:
    commit: Commit | None  # None when nothing was valid (nothing saved)
    kept: int
    problems: list[ImportProblem]


async def draft_banks(actor: User, course_id: str) -> tuple[str, Banks]:
    """(the draft version, its banks) for the banks page and the question forms."""
    await require_role(actor, course_id, Role.INSTRUCTOR)
    await ensure_course_content(actor, course_id)
    structure = await current_store().get_branch(course_id, DRAFT)
    root = await current_store().get_block(course_id, structure.root, version=structure.id)
    return root.version, dict(root.fields.get("question_banks") or {})


def summaries(banks: Banks) -> list[BankSummary]:
    return [BankSummary(name, questions, sorted({t for q in questions for t in q["tags"]}))
            for name, questions in sorted(banks.items())]


def question_form(type_name: str) -> list[dict[str, Any]]:
    """The editor fields of a question of `type_name` (problem or code): the block type's
    own, without the ones the quiz decides."""
    return [e for e in _question_type(type_name).editor_form() if e["name"] not in QUIZ_RULES]


def find_question(banks: Banks, bank: str, question_id: str) -> dict[str, Any]:
    for question in find_bank(banks, bank):
        if question["id"] == question_id:
            return question
    raise NotFound(_("No question %(id)s in the bank %(bank)s.", id=question_id, bank=bank))


async def create_bank(actor: User, course_id: str, name: object,
                      expected_version: str | None) -> Commit:
    """A new, empty bank named `name` (letters, digits, _ . -)."""
    bank = _bank_name(name)

    def change(banks: Banks) -> None:
        if bank in banks:
            raise BadInput(_("There is already a bank named %(name)s.", name=bank),
                           fields={"name": _("Already used.")})
        banks[bank] = []
    return await _edit_banks(actor, course_id, expected_version, change)


async def save_question(actor: User, course_id: str, bank: str, question_id: str | None,
                        type_name: str, form: dict[str, str],
                        expected_version: str | None) -> tuple[Commit, str]:
    """Add (`question_id` None) or replace a question from its editor form; returns the
    commit and the question's id (which the form may have changed)."""
    kind = _question_type(type_name)
    values, _unset = form_values(kind, {k: v for k, v in form.items() if k not in QUIZ_RULES},
                                 actor.timezone)
    raw = {"id": form.get("id", "").strip(), "type": type_name,
           "tags": [t for t in form.get("tags", "").replace(",", " ").split() if t],
           **{k: v for k, v in values.items() if k not in QUIZ_RULES}}
    if not raw["id"]:
        raise BadInput(_("Give the question an id."), fields={"id": _("Required.")})
    try:
        question = check_question(raw, ())
    except FieldProblem as problem:
        field = str(problem.path[0]) if problem.path else "id"
        text = problem_text(problem)
        where = checks.dotted(problem.path)
        raise BadInput(f"{where + ': ' if where else ''}{text}.",
                       fields={field: text}) from None

    def change(banks: Banks) -> None:
        questions = find_bank(banks, bank)
        ids = [q["id"] for q in questions]
        if question["id"] != question_id and question["id"] in ids:
            raise BadInput(_("The bank %(bank)s already has a question %(id)s.", bank=bank,
                             id=question["id"]), fields={"id": _("Already used.")})
        if question_id is None:
            questions.append(question)
        elif question_id in ids:
            questions[ids.index(question_id)] = question
        else:
            raise NotFound(_("No question %(id)s in the bank %(bank)s.", id=question_id,
                             bank=bank))
    commit = await _edit_banks(actor, course_id, expected_version, change)
    return commit, question["id"]


async def delete_question(actor: User, course_id: str, bank: str, question_id: str,
                          expected_version: str | None) -> Commit:
    def change(banks: Banks) -> None:
        find_question(banks, bank, question_id)
        banks[bank] = [q for q in banks[bank] if q["id"] != question_id]
    return await _edit_banks(actor, course_id, expected_version, change)


async def delete_bank(actor: User, course_id: str, bank: str,
                      expected_version: str | None) -> Commit:
    def change(banks: Banks) -> None:
        find_bank(banks, bank)
        del banks[bank]
    return await _edit_banks(actor, course_id, expected_version, change)


async def import_bank(actor: User, course_id: str, name: object, text: object,
                      expected_version: str | None) -> ImportResult:
    """Make the bank `name` hold the questions of `text` (a banks/<name>.yaml file): it is
    created, or its questions are replaced. Questions with a problem (each named with its
    line and field) are left out and the valid ones kept; a file that is not a YAML list,
    or has no valid question, changes nothing (BadInput)."""
    bank = _bank_name(name)
    if not isinstance(text, str) or not text.strip():
        raise BadInput(_("Paste the bank's YAML (a list of questions)."),
                       fields={"yaml": _("Required.")})
    if len(text) > MAX_IMPORT_CHARS:
        raise BadInput(_("A bank file may have at most %(n)d characters.",
                         n=MAX_IMPORT_CHARS), fields={"yaml": _("Too long.")})
    try:
        doc = folder_io.parse_yaml_list(f"banks/{bank}.yaml", text.replace("\r\n", "\n"))
    except CourseFolderError as exc:
        raise BadInput(exc.message, fields={"yaml": exc.message}) from None
    questions, problems = checked_questions(doc)
    if not questions:
        raise BadInput(_("No question in this file could be imported; nothing was saved."),
                       fields={"yaml": _("No valid question."),
                               "problems": [asdict(p) for p in problems]})

    def change(banks: Banks) -> None:
        banks[bank] = questions
    commit = await _edit_banks(actor, course_id, expected_version, change)
    return ImportResult(commit, len(questions), problems)


def checked_questions(doc: folder_io.Document) -> tuple[list[dict[str, Any]],
                                                         list[ImportProblem]]:
    """The valid questions of a parsed bank file, and a problem for each other item (a
    repeated id keeps its first question)."""
    questions: list[dict[str, Any]] = []
    problems: list[ImportProblem] = []
    first_line: dict[str, int | None] = {}
    for index, item in enumerate(doc.data["items"]):
        raw_id = item.get("id") if isinstance(item, dict) else None
        label = raw_id if isinstance(raw_id, str) else None
        try:
            question = check_question(item, (index,))
        except FieldProblem as problem:
            problems.append(ImportProblem(doc.line_of(problem.path), label,
                                          checks.dotted(problem.path[1:]),
                                          problem_text(problem)))
            continue
        if question["id"] in first_line:
            problems.append(ImportProblem(
                doc.line_of((index, "id")), question["id"], "id",
                _("repeats the id of the question on line %(line)s",
                  line=first_line[question["id"]] or "?")))
            continue
        first_line[question["id"]] = doc.line_of((index,))
        questions.append(question)
    return questions, problems


async def export_bank(actor: User, course_id: str, bank: str) -> str:
    """The bank as its course folder file (what import_bank reads back unchanged)."""
    _version, banks = await draft_banks(actor, course_id)
    return bank_files({bank: find_bank(banks, bank)})[f"banks/{bank}.yaml"]


# -- helpers ---------------------------------------------------------------------------

async def _edit_banks(actor: User, course_id: str, expected_version: str | None,
                      change: Callable[[Banks], None]) -> Commit:
    """Change a copy of the draft's banks and save it, refused (InvalidState) if a quiz of
    the draft could then no longer draw its questions. Every bank edit comes from a form
    that knows the version it showed: without one, nothing is changed (BadInput)."""
    if not expected_version:
        raise BadInput(_("This form has no draft version; reload the page and try again."),
                       fields={"expected_version": _("Required.")})

    async def apply(edit: CourseEditor) -> None:
        root = edit.base.root
        banks: Banks = copy.deepcopy((await edit.fields(root)).get("question_banks") or {})
        before: Banks = copy.deepcopy(banks)
        change(banks)
        for key in list(edit.base.blocks):
            if key.type != "quiz":
                continue
            rules = (await edit.fields(key)).get("draw") or []
            problem = draw_problem(rules, banks)
            # a quiz the draft already could not fill does not block fixing the banks
            if problem is not None and draw_problem(rules, before) is None:
                quiz = key.id
                raise InvalidState(_("The quiz %(quiz)s could no longer draw its questions: "
                                     "%(problem)s Change its draw rules first.", quiz=quiz,
                                     problem=problem[0]), fields={"quiz": quiz})
        await edit.update_block(root, {"question_banks": banks})
    return await edit_draft(actor, course_id, expected_version, apply)


def find_bank(banks: Banks, bank: str) -> list[dict[str, Any]]:
    if bank not in banks:
        raise NotFound(_("No question bank named %(name)s.", name=bank))
    return banks[bank]


def _bank_name(value: object) -> str:
    name = value.strip() if isinstance(value, str) else ""
    try:
        return checks.check_ident(name, ("name",))
    except FieldProblem:
        raise BadInput(_("Name the bank with letters, digits, _ . or - (no spaces)."),
                       fields={"name": _("Letters, digits, _ . - only.")}) from None


def _question_type(type_name: str) -> Any:
    if type_name not in QUESTION_TYPES:
        raise BadInput(_("A question is a problem or a code question."),
                       fields={"type": _("Unknown kind of question.")})
    return block_type(type_name)
