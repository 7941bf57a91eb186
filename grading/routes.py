"""Grading over HTTP: the submit widget and staff pages (HTML), the JSON API, and the
submission URL external graders post their results to."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.errors import BadInput, CoursewireError, NotFound
from core.http import parse_json_text, read_form, read_json, redirect
from core.ids import id_or_not_found, parse_id
from core.paging import PageRequest, link_headers, next_url, page_request
from core.templating import render
from core.text import json_problem
from courses.groups import GroupChoice, choose_groups, course_groups
from courses.service import get_course, require_role
from grading import (
    extensions,
    external_results,
    gradebook,
    group_deadlines,
    overrides,
    presenters,
    queries,
    released,
)
from grading.block_types import current_block_types
from grading.course_blocks import graded_block
from grading.fragments import widget_html
from grading.gradebook_pages import GRADES_LIMIT, GRADES_MAX
from grading.graders.answers import numeric_value
from grading.submissions import submit_answer
from models.courses import Role
from models.users import User

# -- HTML ------------------------------------------------------------------------------

async def _answer_from_form(request: Request, course_id: str, block_id: str) -> Any:
    block, _ = await graded_block(course_id, block_id)
    form = await request.form()
    hooks = current_block_types().get(block.type)
    if hooks is not None and hooks.form_answer is not None:  # a type another domain scores
        return hooks.form_answer(form)
    if block.type == "code":
        return {"code": form.get("code", "")}
    kind = block.fields.get("kind")
    if kind == "multiple_choice":
        if not form.get("choice"):
            raise BadInput("Pick an answer.", fields={"choice": "Required."})
        return {"choice": form.get("choice")}
    if kind == "checkboxes":
        return {"choices": [c for c in form.getlist("choices") if isinstance(c, str)]}
    if kind == "numeric":
        # The same parser as the JSON API: no "1_000", "nan" or non-ASCII digits.
        raw = form.get("value", "")
        return {"value": numeric_value({"value": raw if isinstance(raw, str) else ""})}
    return {"text": form.get("text", "")}


def _widget(state: Any, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    return HTMLResponse(widget_html(state, oob=False, error=error), status_code=status_code)


async def submit_form(request: Request) -> Response:
    """The unit page's answer form: returns the block's widget (queued, or an error)."""
    user = await require_user(request)
    course_id, block_id = request.path_params["course_id"], request.path_params["block_id"]
    try:
        answer = await _answer_from_form(request, course_id, block_id)
        await submit_answer(user, course_id, block_id, answer)
    except CoursewireError as exc:
        if isinstance(exc, NotFound):
            raise
        state = await queries.student_block_state(user, course_id, block_id)
        return _widget(state, exc.message, exc.status)
    return _widget(await queries.student_block_state(user, course_id, block_id))


async def widget(request: Request) -> Response:
    user = await require_user(request)
    state = await queries.student_block_state(
        user, request.path_params["course_id"], request.path_params["block_id"])
    return _widget(state)


async def progress_page(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    layout, grade = await released.progress_view(user, course_id)
    return await page(request, "grading/progress.html", course=await get_course(course_id),
                      layout=layout, grade=grade, oob=False,
                      live_topics=["user:me", f"grades:{course_id}"])


async def _filters(request: Request, user: User, course_id: str
                   ) -> tuple[gradebook.GradebookFilter, GroupChoice | None]:
    """The gradebook's filters from the query string. Staff also get the group filter:
    `?group=` "mine", "all" or a group's name; absent, their own groups if they are
    assigned any (courses.groups.choose_groups)."""
    q = request.query_params
    choice = None
    if await require_role(user, course_id) != Role.STUDENT:
        choice = await choose_groups(user, course_id, q.get("group", ""))
    return gradebook.GradebookFilter(query=q.get("q", "").strip()[:100],
                                     section=q.get("section", ""),
                                     only=q.get("only", "") if q.get("only") in
                                     ("failing", "pending") else "",
                                     groups=choice.names if choice else None), choice


async def gradebook_page(request: Request, refused: dict[str, Any] | None = None,
                         status_code: int = 200) -> Response:
    """The gradebook; `refused` gives a refused staff form back what was typed, and why."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await require_role(user, course_id, Role.TA)
    filters, choice = await _filters(request, user, course_id)
    layout, grades, release, after = await released.gradebook_view(
        user, course_id, filters, PageRequest(GRADES_LIMIT))
    rows_url = URL(f"/courses/{course_id}/gradebook/rows").replace(query=request.url.query)
    if choice is not None:  # "load more" keeps the group the page was drawn with
        rows_url = rows_url.include_query_params(group=choice.chosen)
    return await page(request, "grading/gradebook.html", status_code,
                      course=await get_course(course_id), refused=refused,
                      layout=layout, grades=grades, filters=filters, group_choice=choice,
                      more=next_url(rows_url, after),
                      release_notes=release.notes,
                      overrides=await overrides.override_history(user, course_id),
                      extensions=await extensions.list_extensions(user, course_id),
                      extension_log=await extensions.extension_log(user, course_id),
                      course_groups=await course_groups(course_id),
                      group_deadlines=await group_deadlines.list_group_deadlines(user,
                                                                                 course_id),
                      live_topics=[f"course:{course_id}:staff", f"grades:{course_id}"])


async def gradebook_rows(request: Request) -> Response:
    """The gradebook rows after a key and the next "load more" control (staff)."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await require_role(user, course_id, Role.TA)
    filters, _choice = await _filters(request, user, course_id)
    layout, grades, release, after = await released.gradebook_view(
        user, course_id, filters, page_request(request.query_params, default=GRADES_LIMIT,
                                               maximum=GRADES_LIMIT))
    return HTMLResponse(render("grading/_gradebook_rows.html", layout=layout, grades=grades,
                               filters=filters, release_notes=release.notes,
                               more=next_url(request.url, after)))


async def gradebook_csv(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await require_role(user, course_id, Role.TA)
    filters, _choice = await _filters(request, user, course_id)
    layout, grades = await gradebook.gradebook(user, course_id, filters)
    name = course_id.replace(":", "_").replace("+", "_")
    return Response(gradebook.grades_csv(layout, grades), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}-grades.csv"'})


async def override_form(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    form = await read_form(request)
    try:
        await overrides.override_grade(user, course_id, form.get("user_id"),
                                       form.get("block_id", ""), form.get("points"),
                                       form.get("reason"))
    except CoursewireError as exc:
        return await refused_form(request, "override", form, exc)
    return redirect(request, f"/courses/{course_id}/gradebook")


async def refused_form(request: Request, name: str, form: dict[str, str],
                   exc: CoursewireError) -> Response:
    """The gradebook with the staff form `name` as typed and the reason beside it (a refusal
    of the person, not the input, stays an error page)."""
    if exc.status in (401, 403):
        raise exc
    return await gradebook_page(request, {"name": name, "form": form, "errors": exc.fields,
                                          "message": exc.message}, exc.status)


async def extension_form(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    form = await read_form(request)
    try:
        await extensions.grant_extension(user, course_id, form.get("user_id"),
                                         form.get("block_id", ""), form.get("due_at"),
                                         form.get("reason", ""), form.get("extra_attempts"),
                                         zone=user.timezone or "UTC")
    except CoursewireError as exc:
        return await refused_form(request, "extension", form, exc)
    return redirect(request, f"/courses/{course_id}/gradebook")


async def revoke_extension_form(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    form = await request.form()
    await extensions.revoke_extension(user, course_id, request.path_params["extension_id"],
                                   form.get("reason", ""))
    return redirect(request, f"/courses/{course_id}/gradebook")


# -- JSON API --------------------------------------------------------------------------

async def api_submit(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await require_role(user, course_id, Role.STUDENT)  # rights before the body
    data = await read_json(request)
    if "answer" not in data:
        raise BadInput("Send {\"answer\": ...}.", fields={"answer": "Required."})
    submission = await submit_answer(user, course_id, request.path_params["block_id"],
                                     data["answer"])
    return JSONResponse({"id": submission.id, "status": submission.status.value,
                         "attempt": submission.attempt}, status_code=202)


async def api_block_submissions(request: Request) -> Response:
    """A block's submissions, newest first (staff), paged by keyset."""
    user = await require_user(request)
    rows, after = await queries.block_submissions(
        user, request.path_params["course_id"], request.path_params["block_id"],
        page_request(request.query_params, default=queries.SUBMISSIONS_LIMIT,
                     maximum=queries.SUBMISSIONS_MAX))
    return JSONResponse([presenters.submission_json(s) for s in rows],
                        headers=link_headers(request.url, after))


async def api_submission(request: Request) -> Response:
    user = await require_user(request)
    number = id_or_not_found(request.path_params["submission_id"], "No such submission.")
    submission = await queries.get_submission(user, number)
    return JSONResponse(presenters.submission_json(submission))


async def api_grades(request: Request) -> Response:
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    filters, _choice = await _filters(request, user, course_id)
    layout, grades, release, after = await released.gradebook_view(
        user, course_id, filters, page_request(
            request.query_params, default=GRADES_LIMIT, maximum=GRADES_MAX))
    return JSONResponse([presenters.grade_row(layout, g, release.notes) for g in grades],
                        headers=link_headers(request.url, after))


async def api_extensions(request: Request) -> Response:
    """GET: the course's extensions and their audit trail; POST: grant one (staff)."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    if request.method == "POST":
        data = await read_json(request)
        ext = await extensions.grant_extension(
            user, course_id, data.get("user_id"), str(data.get("block_id", "")),
            data.get("due_at"), data.get("reason", ""), data.get("extra_attempts"))
        return JSONResponse(presenters.extension_json(ext), status_code=201)
    rows = await extensions.list_extensions(user, course_id)
    log = await extensions.extension_log(user, course_id)
    return JSONResponse({
        "extensions": [presenters.extension_json(e) for e in rows],
        "log": [presenters.extension_log_json(r) for r in log]})


async def api_revoke_extension(request: Request) -> Response:
    user = await require_user(request)
    await extensions.revoke_extension(user, request.path_params["course_id"],
                                   request.path_params["extension_id"],
                                   request.query_params.get("reason", ""))
    return Response(status_code=204)


async def api_grader_result(request: Request) -> Response:
    """A+ protocol: an asynchronous grader posts the result to its submission URL."""
    submission_id = request.path_params["submission_id"]
    fields: dict[str, Any]
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = parse_json_text(await request.body())
        except BadInput as exc:
            return JSONResponse({"success": False, "errors": [exc.message]}, 400)
        problem = json_problem(body)
        if problem:
            return JSONResponse({"success": False, "errors": [problem]}, 400)
        fields = body if isinstance(body, dict) else {}
    else:
        fields = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    number = parse_id(submission_id)
    if number is None:
        return JSONResponse({"success": False, "errors": ["no such submission"]}, 404)
    status, errors = await external_results.receive_external_result(
        number, request.query_params.get("token"), fields)
    return JSONResponse({"success": not errors, "errors": errors}, status_code=status)


routes = [
    Route("/courses/{course_id}/blocks/{block_id}/submissions", submit_form, methods=["POST"]),
    Route("/courses/{course_id}/blocks/{block_id}/submission", widget),
    Route("/courses/{course_id}/progress", progress_page),
    Route("/courses/{course_id}/gradebook", gradebook_page),
    Route("/courses/{course_id}/gradebook/rows", gradebook_rows),
    Route("/courses/{course_id}/gradebook.csv", gradebook_csv),
    Route("/courses/{course_id}/gradebook/overrides", override_form, methods=["POST"]),
    Route("/courses/{course_id}/gradebook/extensions", extension_form, methods=["POST"]),
    Route("/courses/{course_id}/gradebook/extensions/{extension_id}/revoke",
          revoke_extension_form, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/extensions", api_extensions, methods=["GET", "POST"]),
    Route("/api/v1/courses/{course_id}/extensions/{extension_id}", api_revoke_extension,
          methods=["DELETE"]),
    Route("/api/v1/courses/{course_id}/blocks/{block_id}/submissions", api_submit,
          methods=["POST"]),
    Route("/api/v1/courses/{course_id}/blocks/{block_id}/submissions", api_block_submissions,
          methods=["GET"]),
    Route("/api/v1/submissions/{submission_id}", api_submission),
    Route("/api/v1/courses/{course_id}/grades", api_grades),
    Route("/api/v1/grader/submissions/{submission_id}", api_grader_result, methods=["POST"]),
]
