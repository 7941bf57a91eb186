"""Markdown to safe HTML, used by every block that holds author-written prose.

Markdown is rendered without raw HTML and the result is still passed through nh3,
so a course folder from an untrusted author cannot inject script into a student page.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})

# nh3's defaults plus the class on <code> that markdown-it uses for fenced code
# languages, so a syntax highlighter can pick it up client side.
_ATTRIBUTES: dict[str, set[str]] = {k: set(v) for k, v in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES.setdefault("code", set()).add("class")


@lru_cache(maxsize=2048)
def render_markdown(source: str | None) -> Markup:
    """Render Markdown to sanitised HTML (safe to insert into a Jinja template)."""
    if not source:
        return Markup("")
    return Markup(nh3.clean(_md.render(source), attributes=_ATTRIBUTES))
