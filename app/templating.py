"""The Jinja2 environment shared by pages and live fragments.

Fragments pushed over websockets and the pages they update are rendered by the same
templates, which is what makes a live page equal a fresh load.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "app" / "templates"]

env = Environment(
    loader=ChoiceLoader([FileSystemLoader([str(d) for d in TEMPLATE_DIRS])]),
    autoescape=select_autoescape(["html", "xml"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


_ID_SAFE = frozenset(string.ascii_letters + string.digits)


def _id_part(value: object) -> str:
    # Every byte of a character outside [A-Za-z0-9] becomes `_xx` (its UTF-8 bytes in hex),
    # '_' and '-' included, so the encoding can be read back: it never merges two values.
    return "".join(
        c if c in _ID_SAFE else "".join(f"_{b:02x}" for b in c.encode("utf-8", "surrogatepass"))
        for c in str(value))


def dom_id(region: str, *parts: object) -> str:
    """A DOM id for `region` (a name from our code, e.g. "announcements") and values.

    Values such as course ids (`course-v1:ORG+NUM+RUN`) are escaped so that distinct values
    never share an id: `course-v1:A_B+C+D` and `course-v1:A+B_C+D` stay apart, and since '-'
    inside a value is escaped too, the '-' between parts can't be confused with one in a value.
    """
    return "-".join([region, *(_id_part(p) for p in parts)])


env.filters["dom_id"] = lambda value, *rest: dom_id(value, *rest)
env.filters["qs"] = lambda value: quote(str(value), safe="")
env.globals["dom_id"] = dom_id


def add_template_dir(path: Path) -> None:
    """Let a domain package keep its templates beside its routes."""
    loader = env.loader
    assert isinstance(loader, ChoiceLoader)
    loader.loaders.append(FileSystemLoader(str(path)))


def render(template: str, **context: Any) -> str:
    return env.get_template(template).render(**context)
