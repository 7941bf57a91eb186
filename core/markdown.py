"""Markdown -> safe HTML: markdown-it-py (CommonMark, raw HTML off) then nh3 sanitising."""

from __future__ import annotations

import re
from html import unescape as html_unescape

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable(
    "strikethrough"
)

_TAGS = {
    "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote", "a", "img",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr",
    "th", "td",
}
_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"},
               "th": {"align"}, "td": {"align"}, "code": {"class"}}


def _on_this_site(src: str) -> bool:
    return src.startswith("/") and not src.startswith("//") and "\\" not in src


def _image_as_link(self, tokens, idx, options, env):  # type: ignore[no-untyped-def]
    """An image on this site (a course file) stays an image; any other becomes a link, so
    reading a post never tells another server who read it, or when."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env)
    if _on_this_site(src):
        return self.image(tokens, idx, options, env)
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt or src)}</a>'


_IMG = re.compile(r"<img\b([^>]*)>")
_ATTR = re.compile(r'([a-z]+)="([^"]*)"')


def local_images_only(html: str) -> str:
    """HTML that `render_markdown` made (so its attributes are quoted and escaped), with
    every image not on this site turned into a link, as `remote_images=False` renders it.
    For HTML stored before that rule: forum posts pass through this when shown."""
    if "<img" not in html:
        return html

    def relink(match: re.Match[str]) -> str:
        attrs = dict(_ATTR.findall(match.group(1)))
        src = attrs.get("src", "")
        if _on_this_site(html_unescape(src)):
            return match.group(0)
        return (f'<a href="{src}" rel="noopener noreferrer nofollow">'
                f'{attrs.get("alt") or src}</a>')

    return _IMG.sub(relink, html)


_md_local_images = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    "table").enable("strikethrough")
_md_local_images.add_render_rule("image", _image_as_link)


def render_markdown(source: str, *, remote_images: bool = True) -> str:
    """Render user Markdown to HTML that is safe to put on any page. With
    `remote_images=False` (forum posts) only images on this site are shown as images."""
    html = (_md if remote_images else _md_local_images).render(source)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
