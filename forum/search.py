"""Forum search: the threads and posts of a course whose title or text holds every word
asked for, newest first, exactly as the viewer would see them on the thread pages.

Matching is a case-insensitive substring test of each word (LIKE on SQLite, ILIKE on
PostgreSQL: the same query in both modes). Only the text is searched, never an author's
name, and every hit passes the thread page's own rules (forum.queries: what is listed and
shown to this viewer) and is presented through forum.presenters, so an anonymous author
stays anonymous and a held or hidden post is found only by those who may read it.
Pages are keyed by post id (core.paging).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import and_

from tortoise.expressions import Q

from core.errors import BadInput
from core.i18n import gettext as _
from core.ids import MAX_ID
from core.paging import PageRequest, bad_after
from forum.access import viewer_in
from forum.anonymity import Viewer
from forum.presenters import PostView, ThreadView, present_post, present_thread
from forum.queries import shown_to, thread_listed_for
from models.forum import Post, PostStatus
from models.users import User

SEARCH_LIMIT, SEARCH_MAX = 20, 50  # hits per page: default and maximum (?limit=)
MAX_QUERY = 200
_BATCH = 100  # candidate posts read at a time (some are not the viewer's to see)


@dataclass(frozen=True)
class SearchHit:
    thread: ThreadView
    post: PostView  # the thread's opening post when the title matched


@dataclass(frozen=True)
class SearchPage:
    query: str
    hits: list[SearchHit]
    after: tuple[int, ...] | None  # the next page's key (None: this is the last)


def search_words(text: object) -> list[str]:
    """The words of a search (BadInput when there are none or the search is too long)."""
    query = text.strip() if isinstance(text, str) else ""
    if not query:
        raise BadInput(_("Type something to search for."), fields={"q": _("Required.")})
    if len(query) > MAX_QUERY:
        raise BadInput(_("A search is at most %(max)d characters.", max=MAX_QUERY),
                       fields={"q": _("At most %(max)d characters.", max=MAX_QUERY)})
    return query.split()


def _matching(course_id: str, words: list[str]) -> Q:
    def word(w: str) -> Q:
        return Q(body_md__icontains=w) | Q(depth=0, thread__title__icontains=w)

    return Q(thread__course_id=course_id, status__not=PostStatus.DELETED) & reduce(
        and_, (word(w) for w in words))


def _readable(post: Post, root: Post, parent: Post | None, viewer: Viewer) -> bool:
    """Whether `post` is on `viewer`'s thread page with its text (not an empty slot)."""
    own_thread = viewer.is_author(root.author_id)
    if not (thread_listed_for(root, viewer) or own_thread) or not shown_to(post, viewer):
        return False
    if post.status == PostStatus.HIDDEN and not viewer.staff:
        return False  # a placeholder: its text is not the student's to find
    if post.depth == 2:  # a comment shows only under a reply shown with its text
        return parent is not None and _readable(parent, root, None, viewer)
    return True


async def search_forum(user: User, course_id: str, text: object,
                       page: PageRequest) -> SearchPage:
    """One page of hits for `text` in a course's forum, as `user` may read them."""
    viewer = await viewer_in(user, course_id)
    words = search_words(text)
    hits: list[SearchHit] = []
    after = key[0] if (key := page.key(1)) else None
    if after is not None and after > MAX_ID:
        raise bad_after()
    while len(hits) <= page.limit:
        query = Post.filter(_matching(course_id, words))
        if after is not None:
            query = query.filter(id__lt=after)
        batch = await query.order_by("-id").limit(_BATCH).prefetch_related(
            "author", "thread", "thread__topic")
        if not batch:
            break
        hits += await _present(batch, viewer)
        after = batch[-1].id
        if len(batch) < _BATCH:
            break
    more = len(hits) > page.limit
    shown = hits[:page.limit]
    return SearchPage(" ".join(words), shown, (shown[-1].post.id,) if more else None)


async def _present(posts: list[Post], viewer: Viewer) -> list[SearchHit]:
    thread_ids = {p.thread_id for p in posts}
    related = await Post.filter(thread_id__in=thread_ids).filter(
        Q(depth=0) | Q(id__in=[p.parent_id for p in posts if p.parent_id])
    ).prefetch_related("author")
    by_id = {p.id: p for p in related}
    roots = {p.thread_id: p for p in related if p.depth == 0}
    counts: dict[int, int] = {}
    for thread_id in await Post.filter(thread_id__in=thread_ids, depth__gt=0,
                                       status=PostStatus.PUBLISHED).values_list(
                                           "thread_id", flat=True):
        counts[thread_id] = counts.get(thread_id, 0) + 1
    hits = []
    for post in posts:
        root = roots.get(post.thread_id)
        parent = by_id.get(post.parent_id or 0)
        if root is None or not _readable(post, root, parent, viewer):
            continue
        thread = present_thread(post.thread, root, viewer, counts.get(post.thread_id, 0))
        hits.append(SearchHit(thread, present_post(post, viewer)))
    return hits
