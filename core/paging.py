"""Keyset paging for list endpoints (API.md "Lists"): `?limit=N` within a stated maximum,
and a `Link: <url>; rel="next"` header while more items remain. The next page's URL is
the request's own with `after` set to the last item's key, so following the links reaches
every item exactly once even while new items arrive (no offsets that shift)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import URL, QueryParams

from core.errors import BadInput
from core.i18n import gettext as _
from core.ids import parse_id


@dataclass(frozen=True)
class PageRequest:
    """One page asked for: at most `limit` items, each after the key `after` (None: the
    first page). A key is the numbers a list sorts by, written as next_url writes it."""

    limit: int
    after: tuple[int, ...] | None = None

    def key(self, size: int) -> tuple[int, ...] | None:
        """The `after` key of a list sorted by `size` numbers (BadInput for another)."""
        if self.after is not None and len(self.after) != size:
            raise bad_after()
        return self.after


def bad_after() -> BadInput:
    """The error for an `after` key no next link could have given."""
    return BadInput(_("after must be the key a previous page's next link gave."),
                    fields={"after": _("Not a key from a next link.")})


def page_request(params: QueryParams, *, default: int, maximum: int) -> PageRequest:
    """`?limit=` and `?after=` read from a query string; a bad value is a clear 400."""
    raw = params.get("limit", "")
    limit = default if raw == "" else parse_id(raw)
    if limit is None or not 1 <= limit <= maximum:
        raise BadInput(_("limit must be a whole number from 1 to %(maximum)s.", maximum=maximum),
                       fields={"limit": _("1 to %(maximum)s", maximum=maximum)})
    after_raw = params.get("after", "")
    if after_raw == "":
        return PageRequest(limit)
    parts = after_raw.split(".")
    if len(parts) > 4 or not all(p.isascii() and p.isdigit() and len(p) <= 18 for p in parts):
        raise bad_after()
    return PageRequest(limit, tuple(int(p) for p in parts))


def next_url(url: URL, after: tuple[int, ...] | None) -> str | None:
    """The URL of the page after this one, whose last item sorts by `after` (None on the
    last page)."""
    if after is None:
        return None
    return str(url.include_query_params(after=".".join(str(n) for n in after)))


def link_headers(url: URL, after: tuple[int, ...] | None) -> dict[str, str]:
    """`Link: <next>; rel="next"` when there is a next page, else nothing."""
    following = next_url(url, after)
    return {} if following is None else {"Link": f'<{following}>; rel="next"'}
