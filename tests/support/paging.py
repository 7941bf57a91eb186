"""Following a keyset-paged list's `Link: rel="next"` headers from its first page."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx


def next_link(response: httpx.Response) -> str | None:
    found = re.match(r'<([^>]+)>; rel="next"', response.headers.get("link", ""))
    return found.group(1) if found else None


async def follow_pages(client: httpx.AsyncClient, url: str, headers: dict[str, str],
                       between: Callable[[int], Awaitable[None]] | None = None
                       ) -> tuple[list, int]:
    """Every item of every page, and how many pages; `between(n)` runs after page n is
    read (to change the list while a reader is part way through it)."""
    seen: list = []
    pages = 0
    while url:
        r = await client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        seen += r.json()
        pages += 1
        if between is not None:
            await between(pages)
        url = next_link(r)
    return seen, pages
