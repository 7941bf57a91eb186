"""Reading peer review input from requests: ids in paths, rubric forms, JSON flags."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from core.errors import BadInput
from core.i18n import gettext as _
from core.ids import id_or_not_found
from core.templating import render


def path_id(value: str, what: str) -> int:
    return id_or_not_found(value, f"No {what} {value!r}.")


def rubric_input(form: Any) -> tuple[dict[str, str], str, dict[str, str]]:
    scores = {k.removeprefix("score."): v for k, v in form.items()
              if k.startswith("score.") and isinstance(v, str)}
    per = {k.removeprefix("feedback."): v for k, v in form.items()
           if k.startswith("feedback.") and isinstance(v, str)}
    overall = form.get("feedback", "")
    return scores, overall if isinstance(overall, str) else "", per


def json_flag(data: dict[str, Any], name: str, default: bool) -> bool:
    """A JSON boolean; "false" is not true, and anything but true/false is refused."""
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise BadInput(_("%(name)s must be true or false.",
                         name=name), fields={name: "Not a boolean."})
    return value


def fragment_response(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(template, oob=False, **context), status_code=status)


def board_url(request: Request) -> str:
    p = request.path_params
    return f"/courses/{p['course_id']}/peer-review/{p['block_id']}/board"
