"""Studio pages of the question banks: the banks of a course (create, import, export,
delete) and one question's editor form. Edits go to the draft (courseware/banks.py); a
refused one shows the page again with what was typed and the status of the error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from accounts.pages import page
from content_store import VersionConflict
from core.errors import CoursewireError
from core.http import read_form, redirect
from core.i18n import gettext as _
from courses.service import get_course
from courseware import banks
from courseware.forms import form_text
from courseware.studio import instructor
from models.users import User


def _banks_url(course_id: str) -> str:
    return f"/courses/{course_id}/studio/banks"


def _refusal(exc: CoursewireError) -> str:
    if isinstance(exc, VersionConflict):
        return _("Someone else edited this course since you opened this page; your change "
                 "was not saved. What you typed is still here: reload the page to see "
                 "their change, then make yours again.")
    return exc.message


async def banks_page(request: Request, *, status: int = 200, message: str | None = None,
                     typed: dict[str, str] | None = None, problems: list[Any] | None = None,
                     conflict: bool = False) -> Response:
    """The course's banks, each with its questions and tags (GET, and the page again after
    a create, import or delete)."""
    user, course_id = await instructor(request)
    version, course_banks = await banks.draft_banks(user, course_id)
    typed = typed or {}
    if saved := request.query_params.get("saved"):
        message = {"created": _("Bank created."), "deleted": _("Deleted."),
                   "imported": _("Imported.")}.get(saved)
    return await page(request, "content/banks.html", status_code=status,
                      course=await get_course(course_id), banks=banks.summaries(course_banks),
                      expected_version=typed.get("expected_version") or version,
                      typed=typed, message=message, problems=problems or [],
                      conflict=conflict, error=status >= 400)


async def create_bank(request: Request) -> Response:
    user, course_id = await instructor(request)
    form = await read_form(request)
    try:
        await banks.create_bank(user, course_id, form.get("name"), form.get("expected_version"))
    except CoursewireError as exc:
        return await banks_page(request, status=exc.status, message=_refusal(exc), typed=form,
                                conflict=isinstance(exc, VersionConflict))
    return redirect(request, f"{_banks_url(course_id)}?saved=created")


async def import_bank(request: Request) -> Response:
    """A bank from pasted YAML: valid questions kept, the others listed with line and
    field (the page keeps the text to fix them and import again)."""
    user, course_id = await instructor(request)
    form = await read_form(request)
    try:
        result = await banks.import_bank(user, course_id, form.get("import_name"),
                                         form.get("yaml"), form.get("expected_version"))
    except CoursewireError as exc:
        return await banks_page(request, status=exc.status, message=_refusal(exc),
                                typed=form, problems=exc.fields.get("problems"),
                                conflict=isinstance(exc, VersionConflict))
    if not result.problems:
        return redirect(request, f"{_banks_url(course_id)}?saved=imported")
    message = _("Imported %(kept)d question(s); %(left)d left out (below). Fix them and "
                "import the file again: it replaces the bank.", kept=result.kept,
                left=len(result.problems))
    return await banks_page(request, message=message, problems=result.problems,
                            typed={"import_name": form.get("import_name", ""),
                                   "yaml": form.get("yaml", "")})


async def export_bank(request: Request) -> Response:
    user, course_id = await instructor(request)
    bank = request.path_params["bank"]
    text = await banks.export_bank(user, course_id, bank)
    return Response(text, media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{bank}.yaml"'})


async def delete_bank(request: Request) -> Response:
    return await _delete(request, lambda user, course_id, version: banks.delete_bank(
        user, course_id, request.path_params["bank"], version))


async def delete_question(request: Request) -> Response:
    return await _delete(request, lambda user, course_id, version: banks.delete_question(
        user, course_id, request.path_params["bank"], request.path_params["question_id"],
        version))


async def _delete(request: Request,
                  action: Callable[[User, str, str | None], Awaitable[object]]) -> Response:
    user, course_id = await instructor(request)
    form = await read_form(request)
    try:
        await action(user, course_id, form.get("expected_version"))
    except CoursewireError as exc:
        return await banks_page(request, status=exc.status, message=_refusal(exc),
                                conflict=isinstance(exc, VersionConflict))
    return redirect(request, f"{_banks_url(course_id)}?saved=deleted")


async def question_editor(request: Request) -> Response:
    """A question's editor form (GET) and saving it to the draft (POST); a new question
    when the URL names no question (its kind from `?type=problem|code`)."""
    user, course_id = await instructor(request)
    bank = request.path_params["bank"]
    question_id = request.path_params.get("question_id")
    version, course_banks = await banks.draft_banks(user, course_id)
    if question_id is None:
        question: dict[str, Any] = {}
        type_name = request.query_params.get("type", "problem")
        banks.find_bank(course_banks, bank)
    else:
        question = banks.find_question(course_banks, bank, question_id)
        type_name = question["type"]
    entries = banks.question_form(type_name)
    values = {e["name"]: form_text(e, question.get(e["name"], e["default"]), user.timezone)
              for e in entries}
    values.update(id=question.get("id", ""), tags=", ".join(question.get("tags") or []))
    context = {"course": await get_course(course_id), "bank": bank, "question_id": question_id,
               "type_name": type_name, "form_entries": entries, "errors": {},
               "message": None, "conflict": False}
    if request.method == "GET":
        saved = _("Saved to the draft.") if request.query_params.get("saved") else None
        return await page(request, "content/bank_question.html", **{
            **context, "values": values, "expected_version": version, "message": saved})
    form = await read_form(request)
    try:
        _commit, saved_id = await banks.save_question(
            user, course_id, bank, question_id, type_name, form, form.get("expected_version"))
    except CoursewireError as exc:
        errors = {k: v for k, v in exc.fields.items() if isinstance(v, str)}
        return await page(request, "content/bank_question.html", status_code=exc.status, **{
            **context, "values": {**values, **form}, "errors": errors,
            "expected_version": form.get("expected_version", version),
            "message": _refusal(exc), "conflict": isinstance(exc, VersionConflict)})
    return redirect(request, f"{_banks_url(course_id)}/{bank}/questions/{saved_id}?saved=1")


_BASE = "/courses/{course_id}/studio/banks"
routes = [
    Route(_BASE, banks_page),
    Route(_BASE, create_bank, methods=["POST"]),
    Route(f"{_BASE}/import", import_bank, methods=["POST"]),
    Route(_BASE + "/{bank}/export", export_bank),
    Route(_BASE + "/{bank}/delete", delete_bank, methods=["POST"]),
    Route(_BASE + "/{bank}/new", question_editor, methods=["GET", "POST"]),
    Route(_BASE + "/{bank}/questions/{question_id}", question_editor, methods=["GET", "POST"]),
    Route(_BASE + "/{bank}/questions/{question_id}/delete", delete_question, methods=["POST"]),
]
