"""The Jinja2 environment shared by pages and live fragments.

Fragments pushed over websockets and the pages they update are rendered by the same
templates, which is what makes a live page equal a fresh load.
"""

from __future__ import annotations

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


def dom_id(*parts: object) -> str:
    """A stable DOM id from parts like a course id (which holds ':' and '+')."""
    raw = "-".join(str(p) for p in parts)
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in raw)


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
