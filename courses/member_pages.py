"""The members table one keyset page at a time (the members page's "load more"), and its
live rows.

Rows are in the page's order (by name, then user id). A page's key is its last member's
user id; the next page holds the members after that person's place in the order now, so
someone enrolled meanwhile shows up on whichever page their name sorts into, never twice.

Live changes are per row, so a page keeps the rows it loaded: a changed member's row is
swapped in place (ignored where that row is not loaded); a removed member's row goes; a
new member's row (or one whose name changed) is inserted before the row of the member
after them, or before the end marker that only a table loaded to its end has. So it lands
only where the page shows its place, and a later "load more" brings it where it does not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from starlette.datastructures import URL

from core.errors import BadInput
from core.ids import MAX_ID
from core.paging import PageRequest, next_url
from core.templating import dom_id, render
from models.courses import Membership, Role
from models.users import User

MEMBERS_LIMIT = 50  # rows per page of the members table (and per "load more")


def _order(m: Membership) -> tuple[str, int]:
    return (m.user.name, m.user_id)


async def ordered_members(course_id: str) -> list[Membership]:
    """A course's members in the members page's order (sorted here, not by the database,
    whose collation may order names differently from the keys the pages compare)."""
    members = await Membership.filter(course_id=course_id).prefetch_related("user")
    return sorted(members, key=_order)


@dataclass(frozen=True)
class Census:
    """How many members a course has, and how many in each group (by name)."""
    total: int
    groups: list[tuple[str, int]]


def census(members: list[Membership]) -> Census:
    groups = Counter(m.group for m in members if m.group)
    return Census(len(members), sorted(groups.items(), key=lambda item: item[0].casefold()))


async def members_page(course_id: str, page: PageRequest
                       ) -> tuple[list[Membership], tuple[int, ...] | None, Census]:
    """One page of the members table, the next page's key (None: the last page) and how
    many members the course has (in all and per group)."""
    members = await ordered_members(course_id)
    key = page.key(1)
    rest = members
    if key is not None:
        last = await User.get_or_none(id=key[0]) if key[0] <= MAX_ID else None
        if last is None:
            raise BadInput("after must be the key a previous page's next link gave.",
                           fields={"after": "Unknown member."})
        mark = (last.name, last.id)
        rest = [m for m in members if _order(m) > mark]
    shown = rest[:page.limit]
    return shown, ((shown[-1].user_id,) if len(rest) > page.limit else None), census(members)


def more_url(course_id: str, after: tuple[int, ...] | None) -> str | None:
    """Where the table's "load more" fetches the rows after `after`."""
    return next_url(URL(f"/courses/{course_id}/members/rows"), after)


def row_id(course_id: str, user_id: int) -> str:
    return dom_id("member", course_id, user_id)


def rows_id(course_id: str) -> str:
    """The table body: the list a resync re-sends as far as the page had loaded it."""
    return dom_id("members-rows", course_id)


def end_id(course_id: str) -> str:
    return dom_id("members-end", course_id)


def table_context(course_id: str, *, manage: bool) -> dict[str, object]:
    from courses.events import role_names  # the role names live with the members topic

    return {"course_id": course_id, "manage": manage, "roles": list(Role),
            "role_names": role_names()}


def rows_html(course_id: str, members: list[Membership], more: str | None, *,
              manage: bool) -> str:
    """A "load more" answer: the rows, then the control for the rest or the end marker."""
    return render("courses/_members_rows.html", members=members, more=more,
                  **table_context(course_id, manage=manage))


def row_html(course_id: str, member: Membership, *, manage: bool) -> str:
    return render("courses/_member_row.html", m=member,
                  **table_context(course_id, manage=manage))


def count_html(course_id: str, counts: Census) -> str:
    return render("courses/_members_count.html", course_id=course_id, census=counts, oob=True)


async def changed_rows(course_id: str, user_ids: list[int], *, manage: bool,
                       placed: Collection[int] = ()) -> str:
    """`changed_rows_html` for the course's members as they are now."""
    return changed_rows_html(course_id, await ordered_members(course_id), user_ids,
                             manage=manage, placed=placed)


def changed_rows_html(course_id: str, members: list[Membership], user_ids: list[int], *,
                      manage: bool, placed: Collection[int] = ()) -> str:
    """The live swaps for members `user_ids`: gone rows removed, others swapped in place,
    and `placed` (new, or renamed) ones put where they sort (see the module's doc); then
    the count. `members`: the whole course in the table's order."""
    at = {m.user_id: i for i, m in enumerate(members)}
    parts = []
    for user_id in user_ids:
        rid = row_id(course_id, user_id)
        if user_id not in at:
            parts.append(f'<tr id="{rid}" hx-swap-oob="delete"></tr>')
            continue
        member = members[at[user_id]]
        row = row_html(course_id, member, manage=manage)
        if user_id not in placed:
            parts.append(row.replace(f'id="{rid}"', f'id="{rid}" hx-swap-oob="outerHTML"', 1))
            continue
        following = members[at[user_id] + 1] if at[user_id] + 1 < len(members) else None
        anchor = end_id(course_id) if following is None else row_id(course_id,
                                                                     following.user_id)
        # A partial (a template: a row parses inside it) inserted before the anchor row.
        parts.append(f'<tr id="{rid}" hx-swap-oob="delete"></tr>'
                     f'<hx-partial hx-target="#{anchor}" hx-swap="beforebegin">{row}'
                     f'</hx-partial>')
    return "".join(parts) + count_html(course_id, census(members))
