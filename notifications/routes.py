"""The inbox page, its header bell, the preferences form, and the JSON API under
/api/v1/me. Routes read the request, call one function of notifications.inbox or
notifications.preferences, and render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import require_user
from core.errors import CoursewireError
from core.http import read_form, read_json, redirect
from core.i18n import gettext as _
from core.paging import link_headers, next_url, page_request
from notifications import inbox, preferences
from notifications.events import bell_html
from notifications.kinds import Kind, Mode, kind_label, mode_label


def _choices() -> dict[str, object]:
    return {"kinds": [(k.value, kind_label(k)) for k in Kind],
            "mode_choices": [(m.value, mode_label(m)) for m in Mode]}


async def _inbox(request: Request, user_id: int, status_code: int = 200,
                 **form: object) -> Response:
    asked = page_request(request.query_params, default=inbox.INBOX_PAGE,
                         maximum=inbox.INBOX_MAX)
    items, after = await inbox.inbox_page(user_id, asked)
    context: dict[str, object] = {
        "modes": preferences.modes_json(await preferences.modes_of(user_id)),
        "errors": {}, "message": None, **_choices(), **form}
    # Only the first page follows live: a new notification goes on top of it.
    topics = ["user:me"] + ([f"inbox:{user_id}"] if asked.after is None else [])
    return await page(request, "notifications/inbox.html", status_code=status_code,
                      items=items, oob=False, next_url=next_url(request.url, after),
                      after=asked.after, live_topics=topics, **context)


async def inbox_page(request: Request) -> Response:
    user = await require_user(request)
    return await _inbox(request, user.id)


async def bell(request: Request) -> Response:
    user = await require_user(request)
    return Response(bell_html(await inbox.unread_count(user.id), oob=False),
                    media_type="text/html")


async def open_notification(request: Request) -> Response:
    """Follow a notification's link, marking it read on the way."""
    user = await require_user(request)
    n = await inbox.mark_read(user.id, request.path_params["notification_id"])
    return Response(status_code=303, headers={"Location": n.link or "/inbox"})


async def read_form_route(request: Request) -> Response:
    user = await require_user(request)
    await inbox.mark_read(user.id, request.path_params["notification_id"])
    # The item and the bell change through the push every open page of this user gets.
    return Response(status_code=204) if request.headers.get("hx-request") == "true" \
        else redirect(request, "/inbox")


async def read_all_form(request: Request) -> Response:
    user = await require_user(request)
    await inbox.mark_all_read(user.id)
    return Response(status_code=204) if request.headers.get("hx-request") == "true" \
        else redirect(request, "/inbox")


async def preferences_form(request: Request) -> Response:
    user = await require_user(request)
    form = await read_form(request)
    form.pop("csrf_token", None)
    htmx = request.headers.get("hx-request") == "true"
    try:
        modes = await preferences.set_modes(user.id, preferences.parse_modes(form))
    except CoursewireError as exc:
        current = preferences.modes_json(await preferences.modes_of(user.id))
        shown = {"modes": {**current, **{k: v for k, v in form.items() if k in current}},
                 "errors": exc.fields, "message": exc.message}
        if not htmx:
            return await _inbox(request, user.id, exc.status, **shown)
        return await page(request, "notifications/_preferences.html", status_code=exc.status,
                          **shown, **_choices())
    if not htmx:
        return redirect(request, "/inbox#preferences")
    return await page(request, "notifications/_preferences.html",
                      modes=preferences.modes_json(modes), errors={}, message=_("Saved."),
                      **_choices())


# ---- JSON API ---------------------------------------------------------------------------

async def api_notifications(request: Request) -> Response:
    """The user's notifications, newest first, keyset-paged."""
    user = await require_user(request)
    items, after = await inbox.inbox_page(user.id, page_request(
        request.query_params, default=inbox.INBOX_PAGE, maximum=inbox.INBOX_MAX))
    return JSONResponse({"unread": await inbox.unread_count(user.id),
                         "notifications": [inbox.notification_json(n) for n in items]},
                        headers=link_headers(request.url, after))


async def api_read(request: Request) -> Response:
    user = await require_user(request)
    n = await inbox.mark_read(user.id, request.path_params["notification_id"])
    return JSONResponse(inbox.notification_json(n))


async def api_read_all(request: Request) -> Response:
    user = await require_user(request)
    marked = await inbox.mark_all_read(user.id)
    return JSONResponse({"marked": marked, "unread": 0})


async def api_preferences(request: Request) -> Response:
    """GET: every kind's mode; PUT {kind: mode, ...}: change those named."""
    user = await require_user(request)
    if request.method == "PUT":
        changes = preferences.parse_modes(await read_json(request))
        return JSONResponse(preferences.modes_json(await preferences.set_modes(user.id,
                                                                               changes)))
    return JSONResponse(preferences.modes_json(await preferences.modes_of(user.id)))


routes = [
    Route("/inbox", inbox_page),
    Route("/inbox/bell", bell),
    Route("/inbox/read-all", read_all_form, methods=["POST"]),
    Route("/inbox/preferences", preferences_form, methods=["POST"]),
    Route("/inbox/{notification_id}/open", open_notification),
    Route("/inbox/{notification_id}/read", read_form_route, methods=["POST"]),
    Route("/api/v1/me/notifications", api_notifications),
    Route("/api/v1/me/notifications/read-all", api_read_all, methods=["POST"]),
    Route("/api/v1/me/notifications/{notification_id}/read", api_read, methods=["POST"]),
    Route("/api/v1/me/notification-preferences", api_preferences, methods=["GET", "PUT"]),
]
