"""The Jinja2 environment shared by pages and live fragments.

Fragments pushed over websockets and the pages they update are rendered by the same
templates, which is what makes a live page equal a fresh load. The environment starts with
no folders: the shell adds the shared templates (app/templates) and each package adds its own.
"""

from __future__ import annotations

import string
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from core import clock, i18n
from core.human_time import (
    as_instant,
    human_time,
    iso_utc,
    local_input_value,
    relative_time,
    time_names,
)

env = Environment(
    loader=ChoiceLoader([]),
    autoescape=select_autoescape(["html", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
    # Templates ship with the package: no stat() of each file on every render to see
    # whether it changed (2% of an app process's CPU in the exam storm). Restart to reload.
    auto_reload=False,
)
# `{{ _("Saved") }}`, `{{ ngettext("%(num)d reply", "%(num)d replies", n) }}` and
# `{% trans %}`: looked up in the language of the request or job being served (core/i18n.py).
env.install_gettext_callables(i18n.gettext, i18n.plural_form, newstyle=True)  # type: ignore[attr-defined]
env.globals["current_language"] = i18n.current_language
env.globals["LANGUAGES"] = i18n.LANGUAGES
env.globals["js_catalogue"] = lambda: {**i18n.js_catalogue(),
                                       "$time": time_names(i18n.current_language())}
# core's own strings (errors, times, the JS strings) have no templates folder to sit beside.
i18n.add_locale_dir(Path(__file__).resolve().parent / "locale")


_ID_SAFE = frozenset(string.ascii_letters + string.digits)


def _id_part(value: object) -> str:
    return _escaped(str(value))


@lru_cache(maxsize=8192)
def _escaped(value: str) -> str:
    # Every byte of a character outside [A-Za-z0-9] becomes `_xx` (its UTF-8 bytes in hex),
    # '_' and '-' included, so the encoding can be read back: it never merges two values.
    return "".join(
        c if c in _ID_SAFE else "".join(f"_{b:02x}" for b in c.encode("utf-8", "surrogatepass"))
        for c in value)


def dom_id(region: str, *parts: object) -> str:
    """A DOM id for `region` (a name from our code, e.g. "announcements") and values.

    Values such as course ids (`course-v1:ORG+NUM+RUN`) are escaped so that distinct values
    never share an id: `course-v1:A_B+C+D` and `course-v1:A+B_C+D` stay apart, and since '-'
    inside a value is escaped too, the '-' between parts can't be confused with one in a value.
    """
    return "-".join([region, *(_id_part(p) for p in parts)])


@pass_context
def time_tag(context: Context, value: datetime | str | None, relative: bool = False,
             to_minute: bool = False) -> Markup:
    """`{{ post.created_at | when }}`: a `<time>` with the ISO UTC instant and text on the
    clock of the page's viewer (`viewer_zone`, set by the page; a live fragment has none, so
    UTC, which static/local_time.js rewrites in the viewer's zone). `relative` adds "(in 3
    days)" while that helps; `to_minute` keeps the seconds out of the markup (an anonymous
    post's exact second could tell who wrote it). The one way a template shows a time."""
    if value is None or value == "":
        return Markup("")
    instant = as_instant(value)
    if to_minute:
        instant = instant.replace(second=0, microsecond=0)
    text = human_time(instant, context.get("viewer_zone"))
    words = relative_time(instant, clock.now()) if relative else None
    if words:
        text += f" ({words})"
    return Markup('<time datetime="{}" data-local{}>{}</time>').format(
        iso_utc(instant, seconds=not to_minute), Markup(" data-relative") if relative else "",
        escape(text))


@pass_context
def local_input(context: Context, value: datetime | str | None) -> str:
    """The value for an `<input type="datetime-local">`, on the viewer's clock."""
    return local_input_value(as_instant(value) if value else None, context.get("viewer_zone"))


env.filters["when"] = time_tag
env.filters["local_input"] = local_input
env.filters["dom_id"] = lambda value, *rest: dom_id(value, *rest)
env.filters["qs"] = lambda value: quote(str(value), safe="")
env.globals["dom_id"] = dom_id


def add_template_dir(path: Path, *, first: bool = False) -> None:
    """Let a package keep its templates beside its routes; `first` wins over the others
    (the shell's shared templates). A folder added before stays where it is (each
    Runtime installs the packages again). The package's translations, in `locale/` beside
    `templates/`, are loaded with them."""
    i18n.add_locale_dir(path.parent / "locale")
    loader = env.loader
    assert isinstance(loader, ChoiceLoader)
    if any(isinstance(known, FileSystemLoader) and known.searchpath == [str(path)]
           for known in loader.loaders):
        return
    loader.loaders.insert(0 if first else len(loader.loaders), FileSystemLoader(str(path)))


def render(template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)
