"""A video with its transcript (the transcript is content: search and accessibility)."""

from __future__ import annotations

import re
from typing import Any

from content_store.blocks import checks
from content_store.blocks.base import BlockType, Field
from content_store.blocks.checks import FieldProblem, Path
from content_store.blocks.common import base_view, title, visibility
from core.i18n import N_
from core.i18n import gettext as _

_YOUTUBE = re.compile(r"^https?://(?:www\.)?(?:youtube\.com/watch\?v=|youtu\.be/)([\w-]{6,})")


def embed_url(url: str) -> str | None:
    """An iframe URL for hosted players we know; None means a plain <video> element."""
    match = _YOUTUBE.match(url)
    return f"https://www.youtube-nocookie.com/embed/{match.group(1)}" if match else None


def _check_video_url(value: Any, path: Path) -> str:
    """An http(s) URL, or a path on this site such as a course file's
    `/courses/{course_id}/assets/{name}` (so it plays on whatever host serves the course)."""
    text = checks.check_str(value, path).strip()
    if text.startswith("/") and not text.startswith("//"):
        if any(c.isspace() or ord(c) < 32 for c in text):
            raise FieldProblem(path, _("must be a URL without spaces"))
        return text
    return checks.check_url(text, path)


def _view(block_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {**base_view(block_id, "video", fields), "url": fields["url"],
            "embed_url": embed_url(fields["url"]), "transcript": fields["transcript"]}


BLOCK = BlockType(
    name="video",
    label=N_("Video"),
    view=_view,
    fields=(
        title(),
        *visibility(),
        Field("url", "text", N_("Video URL"), required=True, check=_check_video_url,
              help=N_("A YouTube link, a direct link to an .mp4/.webm file, or a course "
                      "file's address (/courses/{course_id}/assets/{name}).")),
        Field("transcript", "longtext", N_("Transcript"), default="", scope="content"),
    ),
)
