"""Authoring pages (instructors): outline editor, block forms, preview, history, files."""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import Route

from accounts.pages import page
from accounts.session import csrf_token, require_user
from content_store import DRAFT, VersionConflict
from content_store.assets import MAX_ASSET_BYTES
from core.body_size import BodySize, limit_body
from core.errors import BadInput, CoursewireError
from core.http import read_form, redirect
from core.i18n import gettext as _
from core.templating import dom_id, render
from courses.service import get_course, require_role
from courseware import authoring, events, queries, service
from courseware.block_labels import block_label
from courseware.forms import form_text
from models.courses import Role
from models.users import User


async def instructor(request: Request) -> tuple[User, str]:
    """The signed-in user and the course of the URL, refused unless they teach it."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    await require_role(user, course_id, Role.INSTRUCTOR)
    return user, course_id


def _conflict_message(exc: CoursewireError) -> str:
    if isinstance(exc, VersionConflict):
        return _("Someone else edited this course; your change was not saved. %(detail)s",
                 detail=exc.message)
    return exc.message


async def studio_page(request: Request) -> Response:
    user, course_id = await instructor(request)
    studio = await authoring.open_outline_editor(user, course_id)
    return await page(request, "content/studio.html", course=await get_course(course_id),
                      studio_html=events.studio_html(course_id, studio, oob=False),
                      course_id=course_id, message=None, error=False, conflict=False,
                      oob=False, live_topics=["user:me", events.studio_topic(course_id)])


async def _studio_region(course_id: str, message: str, *, status: int = 200,
                         conflict: bool = False) -> HTMLResponse:
    """The outline editor region as it is now, plus the message (out of band)."""
    studio = await queries.studio_outline(course_id)
    html = events.studio_html(course_id, studio, oob=False) + render(
        "content/_studio_message.html", course_id=course_id, message=message,
        error=status >= 400, conflict=conflict, oob=True)
    # The same edit also reaches this page over its socket, often first, replacing the
    # region (and so the target element htmx remembered); htmx drops a response whose
    # target is gone, unless the target is named again as a selector.
    return HTMLResponse(html, status_code=status,
                        headers={"HX-Retarget": f"#{dom_id('studio', course_id)}",
                                 "HX-Reswap": "outerHTML"})


async def outline_action(request: Request) -> Response:
    """One outline edit from the editor (add, rename, move, delete, discard); htmx."""
    user, course_id = await instructor(request)
    form = await read_form(request)
    action, block = form.get("action"), form.get("block", "")
    expected = form.get("expected_version")
    try:
        if action == "add":
            await authoring.add_block(user, course_id, block, form.get("type", ""),
                                      form.get("title"), expected)
            message = _("Added “%(title)s”.", title=form.get("title", "").strip())
        elif action == "rename":
            await authoring.rename_block(user, course_id, block, form.get("title"), expected)
            message = _("Renamed.")
        elif action == "move":
            await authoring.move_block(user, course_id, block, form.get("direction", ""),
                                       expected)
            message = _("Moved.")
        elif action == "delete":
            await authoring.delete_block(user, course_id, block, expected)
            message = _("Deleted.")
        elif action == "discard":
            await authoring.discard_draft_changes(user, course_id, expected)
            message = _("Unpublished changes discarded.")
        else:
            raise BadInput(_("Unknown outline action."))
    except CoursewireError as exc:
        return await _studio_region(course_id, _conflict_message(exc), status=exc.status,
                                    conflict=isinstance(exc, VersionConflict))
    return await _studio_region(course_id, message)


async def publish_action(request: Request) -> Response:
    user, course_id = await instructor(request)
    form = await read_form(request)
    try:
        commit = await service.publish_course(user, course_id, form.get("expected_version"),
                                              block=form.get("block") or None)
    except CoursewireError as exc:
        return await _studio_region(course_id, _conflict_message(exc), status=exc.status,
                                    conflict=isinstance(exc, VersionConflict))
    if not commit.changed:
        message = _("Nothing to publish.")
    elif form.get("block"):
        message = _("Published: students see this part; the rest is unchanged for them now.")
    else:
        message = _("Published: students see it now.")
    return await _studio_region(course_id, message)


async def block_editor(request: Request) -> Response:
    """A block's editor form (GET) and saving it to the draft (POST)."""
    user, course_id = await instructor(request)
    block_id = request.path_params["block_id"]
    view, entries = await authoring.block_for_editing(user, course_id, block_id)
    expected = view.version  # the draft version the form shows
    values = {e["name"]: form_text(e, view.fields.get(e["name"]), user.timezone) for e in entries}
    context = {"course": await get_course(course_id), "block": view, "form_entries": entries,
               "label": _label(view.type), "errors": {}, "message": None, "conflict": False}
    if request.method == "GET":
        message = _("Saved to the draft.") if request.query_params.get("saved") else None
        return await page(request, "content/block_edit.html", **{
            **context, "values": values, "expected_version": expected, "message": message})
    form = await read_form(request)
    try:
        await authoring.save_block_form(user, course_id, block_id, form,
                                        form.get("expected_version"))
    except CoursewireError as exc:
        errors = {k: v for k, v in exc.fields.items() if isinstance(v, str)}
        if "field" in exc.fields:
            errors[str(exc.fields["field"]).split(".")[0]] = exc.message
        return await page(request, "content/block_edit.html", status_code=exc.status, **{
            **context, "values": {**values, **form}, "errors": errors,
            "expected_version": form.get("expected_version", expected),
            "message": exc.message, "conflict": isinstance(exc, VersionConflict)})
    return redirect(request, f"/courses/{course_id}/studio/blocks/{block_id}?saved=1")


async def preview_page(request: Request) -> Response:
    """A draft unit as students will see it once published. Not live."""
    user, course_id = await instructor(request)
    unit = await service.draft_unit(user, course_id, request.path_params["block_id"])
    return await page(request, "content/unit.html", course=await get_course(course_id),
                      unit=unit, preview=True, outline=await queries.outline_of(course_id,
                                                                                DRAFT),
                      unit_html=events.unit_html(course_id, unit.id, unit, oob=False))


async def history_page(request: Request) -> Response:
    user, course_id = await instructor(request)
    return await _history(request, user, course_id)


async def _history(request: Request, user: User, course_id: str, message: str | None = None,
                   status: int = 200) -> Response:
    history, published = await authoring.draft_history(user, course_id)
    ids = {e.edited_by for e in history if isinstance(e.edited_by, int)}
    names = {u.id: u.name for u in await User.filter(id__in=ids)} if ids else {}
    return await page(request, "content/history.html", status_code=status,
                      course=await get_course(course_id), history=history,
                      published_version=published, names=names,
                      draft_version=history[0].version if history else "",
                      message=message, error=status >= 400)


async def diff_page(request: Request) -> Response:
    user, course_id = await instructor(request)
    diff = await authoring.version_diff(user, course_id, request.path_params["version"],
                                        request.query_params.get("against"))
    return await page(request, "content/diff.html", course=await get_course(course_id),
                      diff=diff)


async def revert_action(request: Request) -> Response:
    user, course_id = await instructor(request)
    form = await read_form(request)
    try:
        await authoring.revert_draft(user, course_id, request.path_params["version"],
                                     form.get("expected_version"))
    except CoursewireError as exc:
        return await _history(request, user, course_id, _conflict_message(exc), exc.status)
    return await _history(request, user, course_id,
                          _("The draft now points at that version."))


async def assets_page(request: Request) -> Response:
    """The course's files (GET) and uploading one (POST, multipart)."""
    user, course_id = await instructor(request)
    message, status = None, 200
    if request.method == "POST":
        form = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        try:
            if not isinstance(upload, UploadFile):
                raise BadInput(_("Choose a file to upload."), fields={"file": _("Required.")})
            asset = await authoring.upload_asset(user, course_id, upload.filename, upload,
                                                 upload.content_type)
            message = _("Uploaded %(name)s.", name=asset.name)
        except CoursewireError as exc:
            message, status = exc.message, exc.status
    return await _assets(request, user, course_id, message, status)


async def asset_delete(request: Request) -> Response:
    """Delete a course file from the files page (htmx: the files region comes back)."""
    user, course_id = await instructor(request)
    name = request.path_params["name"]
    await authoring.delete_asset(user, course_id, name)
    return await _assets(request, user, course_id, _("Deleted %(name)s.", name=name))


async def _assets(request: Request, user: User, course_id: str, message: str | None,
                  status: int = 200) -> Response:
    context = {"course": await get_course(course_id),
               "assets": await authoring.course_assets(user, course_id),
               "max_mb": MAX_ASSET_BYTES // (1024 * 1024), "message": message,
               "error": status >= 400}
    if request.headers.get("hx-request") == "true":
        html = render("content/_assets_files.html", csrf_token=csrf_token(request), **context)
        return HTMLResponse(html, status_code=status)
    return await page(request, "content/assets.html", status_code=status, **context)


async def asset_file(request: Request) -> Response:
    """A course file, to members only, streamed chunk by chunk with its type; risky types
    only as downloads."""
    user = await require_user(request)
    asset, chunks = await authoring.open_asset(user, request.path_params["course_id"],
                                               request.path_params["name"])
    headers = {"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=300",
               "Content-Security-Policy": "sandbox; default-src 'none'",
               "Content-Length": str(asset.size)}
    if not asset.inline:
        headers["Content-Disposition"] = f'attachment; filename="{asset.name}"'
    return StreamingResponse(chunks, media_type=asset.content_type, headers=headers)


def _label(type_name: str) -> str:
    return block_label(type_name)


routes = [
    Route("/courses/{course_id}/studio", studio_page),
    Route("/courses/{course_id}/studio/outline", outline_action, methods=["POST"]),
    Route("/courses/{course_id}/studio/publish", publish_action, methods=["POST"]),
    Route("/courses/{course_id}/studio/blocks/{block_id}", block_editor,
          methods=["GET", "POST"]),
    Route("/courses/{course_id}/studio/preview/{block_id}", preview_page),
    Route("/courses/{course_id}/studio/history", history_page),
    Route("/courses/{course_id}/studio/history/{version}", diff_page),
    Route("/courses/{course_id}/studio/history/{version}/revert", revert_action,
          methods=["POST"]),
    limit_body(BodySize.UPLOAD, Route("/courses/{course_id}/studio/assets", assets_page,
                                      methods=["GET", "POST"])),
    Route("/courses/{course_id}/studio/assets/{name}/delete", asset_delete,
          methods=["POST"]),
    Route("/courses/{course_id}/assets/{name}", asset_file),
]
