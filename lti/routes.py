"""LTI routes: the admin's platform registrations (page and API), the tool's key set, the
OIDC login initiation and the launch."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from accounts.pages import page
from accounts.session import log_in, require_user
from core.errors import BadInput, CoursewireError
from core.http import created, read_form, read_json, redirect
from core.i18n import gettext as _
from core.ids import id_or_not_found
from lti import keys, registrations, score_routes
from lti.claims import target_of
from lti.course_access import platforms_for_course, set_course_access
from lti.deep_linking import choices_for, deep_linking_response, settings_of
from lti.framing import FRAME_SESSION, frame_origins
from lti.launch import CookiesBlocked, Launch, validate_launch
from lti.linking import complete_launch, landing_path
from lti.login import LOGIN_TTL, login_params_of, start_login
from lti.platform_accounts import platform_user
from lti.roster import RosterNotRead, course_contexts, sync_course_rosters
from lti.state_cookie import set_state_cookie, state_cookies
from models.users import User


async def registrations_page(request: Request) -> Response:
    """Site admins list, add and remove platforms, and rotate the tool's key."""
    user = await require_user(request)
    form: dict[str, str] = {}
    message, errors, status = None, {}, 200
    if request.method == "POST":
        form = await read_form(request)
        try:
            await registrations.register_platform(user, form)
            form, message = {}, "Platform registered."
        except CoursewireError as exc:
            message, errors, status = exc.message, exc.fields, exc.status
    return await page(request, "lti/registrations.html", status_code=status, form=form,
                      errors=errors, message=message,
                      items=await registrations.list_registrations(user),
                      jwks_url=str(request.url_for("lti_jwks")),
                      login_url=str(request.url_for("lti_login")),
                      launch_url=str(request.url_for("lti_launch")))


async def delete_registration_form(request: Request) -> Response:
    user = await require_user(request)
    number = id_or_not_found(request.path_params["registration_id"], "No such registration.")
    await registrations.delete_registration(user, number)
    return redirect(request, "/lti/registrations")


async def rotate_key_form(request: Request) -> Response:
    user = await require_user(request)
    registrations.require_admin(user)
    await keys.rotate_tool_key()
    return redirect(request, "/lti/registrations")


async def course_platforms_page(request: Request) -> Response:
    """A course's instructors open it to launches from registered platforms (or close it)."""
    user = await require_user(request)
    course_id = request.path_params["course_id"]
    message, status = None, 200
    if request.method == "POST":
        form = await read_form(request)
        if form.get("action") == "sync-roster":
            message, status = await _sync_rosters(user, course_id)
        else:
            number = id_or_not_found(form.get("registration_id"), "No such LTI platform.")
            allowed = form.get("action") == "connect"
            await set_course_access(user, course_id, number, allowed)
            message = "Connected." if allowed else "Disconnected."
    return await page(request, "lti/course_platforms.html", status_code=status,
                      course_id=course_id, message=message, errors={},
                      platforms=await platforms_for_course(user, course_id),
                      contexts=await course_contexts(user, course_id))


async def _sync_rosters(user: User, course_id: str) -> tuple[str, int]:
    """The page's roster sync: what it did, or why not (the page shows either)."""
    try:
        done = await sync_course_rosters(user, course_id)
    except (RosterNotRead, BadInput) as exc:
        return exc.message, exc.status
    return (f"Roster synced: {done.active} active on the platform, {done.inactive} marked "
            "inactive."), 200


async def api_roster_sync(request: Request) -> Response:
    """Read the course's rosters from its platforms now (instructors)."""
    user = await require_user(request)
    done = await sync_course_rosters(user, request.path_params["course_id"])
    return JSONResponse({"active": done.active, "inactive": done.inactive})


async def api_registrations(request: Request) -> Response:
    """List the platforms (GET) or register one (POST), site admins only."""
    user = await require_user(request)
    if request.method == "GET":
        items = await registrations.list_registrations(user)
        return JSONResponse([registrations.registration_json(r) for r in items])
    registrations.require_admin(user)
    registration = await registrations.register_platform(user, await read_json(request))
    return created(registrations.registration_json(registration))


async def api_registration(request: Request) -> Response:
    user = await require_user(request)
    number = id_or_not_found(request.path_params["registration_id"], "No such registration.")
    await registrations.delete_registration(user, number)
    return Response(status_code=204)


async def jwks(request: Request) -> Response:
    return JSONResponse(await keys.tool_jwks(), headers={"Cache-Control": "max-age=300"})


async def login(request: Request) -> Response:
    """OIDC third-party login initiation (GET query or POST form) -> 302 to the platform."""
    params = dict(request.query_params)
    if request.method == "POST":
        params.update(await read_form(request))
    redirect_to = await start_login(params, str(request.url_for("lti_launch")))
    response = RedirectResponse(redirect_to.url, status_code=302)
    set_state_cookie(request, response, redirect_to.state, int(LOGIN_TTL.total_seconds()))
    return response


async def launch(request: Request) -> Response:
    """The platform's form_post of the id_token: sign the user in where the link points."""
    form = await read_form(request)
    try:
        valid = await validate_launch(form, state_cookies(request))
    except CookiesBlocked as exc:
        return await page(request, "lti/cookies_blocked.html", status_code=exc.status,
                          error=exc, login_url="/lti/login?" + urlencode(exc.login_params))
    if valid.is_deep_linking:
        return await _start_deep_linking(request, valid)
    user, target = await complete_launch(valid)
    _sign_in_framed(request, user, valid)
    # Through /lti/continue: it sees whether the session cookie came back to the frame.
    to = urlencode({"to": await landing_path(target), "state": form["state"]})
    return RedirectResponse(f"/lti/continue?{to}", status_code=303)


def _sign_in_framed(request: Request, user: User, valid: Launch) -> None:
    log_in(request, user)
    request.session[FRAME_SESSION] = frame_origins(valid.registration, valid.claims)


async def continue_launch(request: Request) -> Response:
    """The launch's landing, if the browser kept the session cookie; else (third-party
    cookies blocked in the platform's frame) a page offering to continue in a new window."""
    target = target_of(request.query_params.get("to"))
    if target is None:
        raise BadInput(_("This link does not lead to a Coursewire course or unit."))
    if request.session.get(FRAME_SESSION) is not None and request.session.get("uid"):
        return RedirectResponse(target.path, status_code=303)
    params = await login_params_of(request.query_params.get("state", ""))
    return await page(request, "lti/cookies_blocked.html", error=CookiesBlocked(params),
                      login_url="/lti/login?" + urlencode(params) if params else None)


DEEP_LINK_SESSION = "lti_deep_link"


async def _start_deep_linking(request: Request, valid: Launch) -> Response:
    settings = settings_of(valid.claims)
    user = await platform_user(valid.registration.issuer, valid.claims)
    _sign_in_framed(request, user, valid)
    request.session[DEEP_LINK_SESSION] = {**settings, "registration_id": valid.registration.id,
                                          "deployment_id": valid.deployment_id}
    return await page(request, "lti/picker.html",
                      choices=await choices_for(user, valid.registration.id))


async def deep_link(request: Request) -> Response:
    """The instructor's choice: an auto-submitting form that posts the signed
    LtiDeepLinkingResponse to the platform's return URL."""
    user = await require_user(request)
    pending = request.session.get(DEEP_LINK_SESSION)
    if not isinstance(pending, dict):
        raise BadInput(_("No content choice is in progress; start again from the platform."))
    form = await read_form(request)
    response_jwt = await deep_linking_response(user, pending, form.get("target"),
                                               str(request.base_url))
    del request.session[DEEP_LINK_SESSION]
    response = await page(request, "lti/deep_link_return.html",
                          return_url=pending["return_url"], response_jwt=response_jwt)
    # Our pages' policy lets forms post only to us; this one posts to the platform too.
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(pending["return_url"]))
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
        f"form-action 'self' {origin}; frame-ancestors 'self'")
    return response


routes = [
    Route("/lti/registrations", registrations_page, methods=["GET", "POST"]),
    Route("/lti/registrations/{registration_id}/delete", delete_registration_form,
          methods=["POST"]),
    Route("/lti/keys/rotate", rotate_key_form, methods=["POST"]),
    Route("/courses/{course_id}/lti", course_platforms_page, methods=["GET", "POST"]),
    Route("/api/v1/lti/registrations", api_registrations, methods=["GET", "POST"]),
    Route("/api/v1/lti/registrations/{registration_id}", api_registration,
          methods=["DELETE"]),
    Route("/lti/jwks", jwks, name="lti_jwks"),
    Route("/lti/login", login, methods=["GET", "POST"], name="lti_login"),
    Route("/lti/launch", launch, methods=["POST"], name="lti_launch"),
    Route("/lti/continue", continue_launch),
    Route("/lti/deep-link", deep_link, methods=["POST"]),
    Route("/api/v1/courses/{course_id}/lti/roster-sync", api_roster_sync, methods=["POST"]),
    *score_routes.routes,
]
