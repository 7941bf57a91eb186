"""A notification's sentence, rendered when it is shown, in the reader's language.

A notification keeps its kind and parameters (thread title, course title, points), not a
sentence: whoever reads it (the inbox, the bell's pushed item, the API, a mail) gets it in
the language in effect at that moment. `title(n)` is a template global too
(`notification_title(n)`). A row whose kind or parameters can't be rendered shows the text
it was made with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.i18n import gettext as _
from core.i18n import use_language
from core.templating import env
from models.notifications import Notification
from notifications.kinds import Kind


def _points(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else "?"


def _forum_reply(p: Mapping[str, Any]) -> str:
    return _("New reply in “%(thread)s”", thread=p["thread"])


def _grade(p: Mapping[str, Any]) -> str:
    return _("New grade in %(course)s: %(points)s of %(max)s points", course=p["course"],
             points=_points(p.get("points")), max=_points(p.get("max")))


def _peer_review(p: Mapping[str, Any]) -> str:
    return _("Your peer review result in %(course)s: %(points)s of %(max)s points",
             course=p["course"], points=_points(p.get("points")), max=_points(p.get("max")))


def _quiz_result(p: Mapping[str, Any]) -> str:
    return _("Your quiz attempt in %(course)s was graded", course=p["course"])


def _announcement(p: Mapping[str, Any]) -> str:
    return _("Announcement in %(course)s: %(title)s", course=p["course"], title=p["title"])


SENTENCES: dict[Kind, Callable[[Mapping[str, Any]], str]] = {
    Kind.FORUM_REPLY: _forum_reply,
    Kind.GRADE: _grade,
    Kind.PEER_REVIEW: _peer_review,
    Kind.QUIZ_RESULT: _quiz_result,
    Kind.ANNOUNCEMENT: _announcement,
}


def render_title(kind: Kind | str, params: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The sentence for `kind` with `params`, in the current language (`fallback` if the
    kind is unknown or a parameter is missing)."""
    try:
        sentence = SENTENCES[Kind(kind)]
    except ValueError:
        return fallback
    if not params:
        return fallback
    try:
        return sentence(params)
    except (KeyError, TypeError):
        return fallback


def title(n: Notification) -> str:
    return render_title(n.kind, n.params, n.title)


def english_title(kind: Kind, params: Mapping[str, Any]) -> str:
    """The text kept as the row's fallback: English, whatever request made it."""
    with use_language("en"):
        return render_title(kind, params)


env.globals["notification_title"] = title
