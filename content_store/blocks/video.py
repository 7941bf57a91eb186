"""A video with its transcript (the transcript is content: search and accessibility)."""

from __future__ import annotations

import re
from typing import Any

from content_store.blocks.base import BlockType, Field
from content_store.blocks.common import base_view, title

_YOUTUBE = re.compile(r"^https?://(?:www\.)?(?:youtube\.com/watch\?v=|youtu\.be/)([\w-]{6,})")


def embed_url(url: str) -> str | None:
    """An iframe URL for hosted players we know; None means a plain <video> element."""
    match = _YOUTUBE.match(url)
    return f"https://www.youtube-nocookie.com/embed/{match.group(1)}" if match else None


def _view(block_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {**base_view(block_id, "video", fields), "url": fields["url"],
            "embed_url": embed_url(fields["url"]), "transcript": fields["transcript"]}


BLOCK = BlockType(
    name="video",
    label="Video",
    view=_view,
    fields=(
        title(),
        Field("url", "url", "Video URL", required=True,
              help="A YouTube link or a direct link to an .mp4/.webm file."),
        Field("transcript", "longtext", "Transcript", default="", scope="content"),
    ),
)
