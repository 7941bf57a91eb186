"""Live = reload, checked server-side, in the spirit of Zulip's `verify_action`.

For each viewer: render the page (with its lazily loaded panels), subscribe a recorder to
the hub with the topics the page's `/ws` connect element declares (authorized exactly as
the socket would be), run the action, wait until the hub has handled every event the
action logged on those topics (the outbox rows tell which; the hub's deliveries are
recorded, no timing), apply the HTML frames to the stale page like htmx does
(out-of-band swaps by id, docs/htmx4-notes.md section 3), render the page fresh and
compare the two. A difference fails with a unified diff of the normalized markup.

Three parts: a small DOM with an out-of-band swap applier (`Node`, `parse`,
`apply_frame`), one normalizer (`normalize`, also used by the Chromium tests), and
`verify_action`. (Over ~300 lines on purpose: the three parts are only used together,
and splitting them would leave the applier's rules far from the harness that relies on
them.)
"""

from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from models.events import Event
from models.users import User
from realtime.hub import Hub
from realtime.topics import authorize, parse_topic

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr"}
RAW_TEXT = {"script", "style", "textarea", "title"}

LOAD_TRIGGER = re.compile(r"load(?: delay:\d+ms)?")


# --- a small DOM -------------------------------------------------------------------------

@dataclass(eq=False)
class Node:
    tag: str  # "" for the document / a fragment
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    parent: Node | None = None

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    def elements(self) -> Iterable[Node]:
        """Every element below this one, in document order."""
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.elements()

    def by_id(self, element_id: str) -> Node | None:
        return next((e for e in self.elements() if e.id == element_id), None)

    def html(self) -> str:
        return "".join(_serialize(c) for c in self.children)

    def outer_html(self) -> str:
        return _serialize(self)

    def replace_with(self, nodes: list[Node | str]) -> None:
        assert self.parent is not None
        siblings = self.parent.children
        at = siblings.index(self)
        siblings[at:at + 1] = nodes
        for n in nodes:
            if isinstance(n, Node):
                n.parent = self.parent

    def insert(self, at: int, nodes: list[Node | str]) -> None:
        self.children[at:at] = nodes
        for n in nodes:
            if isinstance(n, Node):
                n.parent = self


def _serialize(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    if not node.tag:
        return node.html()
    attrs = "".join(f' {k}="{escape(v, quote=True)}"' if v != "" else f" {k}"
                    for k, v in node.attrs.items())
    if node.tag in VOID:
        return f"<{node.tag}{attrs}>"
    return f"<{node.tag}{attrs}>{node.html()}</{node.tag}>"


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.root = Node("")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, [], self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, [], self.stack[-1])
        self.stack[-1].children.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return  # an end tag with no open element is ignored, like a browser does

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_entityref(self, name: str) -> None:
        self.stack[-1].children.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.stack[-1].children.append(f"&#{name};")


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


# --- applying frames like htmx -----------------------------------------------------------

_HAS = re.compile(r"^#([\w-]+):has\(#([\w-]+)\)$")


def select(doc: Node, selector: str) -> Node | None:
    """The selectors our frames use: `#id` and `#id:has(#other)`."""
    selector = selector.strip()
    if m := _HAS.match(selector):
        el = doc.by_id(m.group(1))
        return el if el is not None and el.by_id(m.group(2)) is not None else None
    if re.fullmatch(r"#[\w-]+", selector):
        return doc.by_id(selector[1:])
    raise AssertionError(f"live_reload: selector {selector!r} is not supported; add it")


def _swap_spec(value: str) -> tuple[str, str | None]:
    """`hx-swap-oob` value -> (style, target selector or None for "by the element's id").

    htmx splits style from target at the last colon before any whitespace (forum/fragments.py
    relies on it: `afterbegin: #list:has(#row)`)."""
    value = value.strip()
    if value in ("", "true"):
        return "outerHTML", None
    m = re.match(r"^(\w+):\s+(.+)$", value) or re.match(r"^(\w+):(#.+)$", value)
    if m:
        return m.group(1), m.group(2)
    return value, None


def _oob_parts(fragment: Node) -> list[tuple[Node, str, str | None]]:
    parts = []
    for el in fragment.elements():
        if "hx-swap-oob" in el.attrs and not _inside_oob(el):
            parts.append((el, *_swap_spec(el.attrs["hx-swap-oob"])))
        elif el.tag == "hx-partial" and not _inside_oob(el):
            parts.append((el, el.attrs.get("hx-swap", "innerHTML"), el.attrs["hx-target"]))
    return parts


def _inside_oob(el: Node) -> bool:
    p = el.parent
    while p is not None:
        if "hx-swap-oob" in p.attrs or p.tag == "hx-partial":
            return True
        p = p.parent
    return False


def apply_frame(doc: Node, frame: str) -> list[str]:
    """Apply one HTML frame's out-of-band parts to `doc`; returns the ids of the targets.

    As htmx does: every target is resolved before any swap; a part whose target is not on
    the page is skipped; non-outer styles insert the sent element's children; a target
    list with `data-live-limit` is trimmed afterwards (static/coursewire.js)."""
    resolved = []
    for el, style, selector in _oob_parts(parse(frame)):
        target = select(doc, selector) if selector else doc.by_id(el.id or "")
        if target is not None:
            resolved.append((el, style, target))
    touched = []
    for el, style, target in resolved:
        el.attrs.pop("hx-swap-oob", None)
        content = list(el.children)
        if style in ("outerHTML", "outerMorph"):
            if target.parent is not None:
                target.replace_with([el])
        elif style in ("innerHTML", "innerMorph"):
            target.children = []
            target.insert(0, content)
        elif style == "beforeend":
            target.insert(len(target.children), content)
        elif style == "afterbegin":
            target.insert(0, content)
        elif style == "beforebegin":
            target.parent.insert(target.parent.children.index(target), content)  # type: ignore[union-attr]
        elif style == "afterend":
            target.parent.insert(target.parent.children.index(target) + 1, content)  # type: ignore[union-attr]
        elif style == "delete":
            if target.parent is not None:
                target.replace_with([])
        elif style != "none":
            raise AssertionError(f"live_reload: swap style {style!r} is not supported; add it")
        live = target if style not in ("outerHTML", "outerMorph") else el
        if "data-live-limit" in live.attrs:
            limit = int(live.attrs["data-live-limit"])
            kids = [c for c in live.children if isinstance(c, Node)]
            for extra in kids[limit:]:
                live.children.remove(extra)
        touched.append(target.id or "")
    return touched


# --- one normalizer ----------------------------------------------------------------------

def normalize(html: str) -> str:
    """A region's markup without what differs between two renders of the same state:
    whitespace, the CSRF token, form idempotency keys, nonces, the transient highlight
    class, out-of-band swap attributes, htmx's own marks, and drawing state Chart.js puts
    on a canvas."""
    html = re.sub(r'\s*hx-swap-oob="[^"]*"|\s*data-htmx-powered="true"', "", html)
    html = re.sub(r'(name="csrf_token" value=)"[^"]*"', r'\1""', html)
    html = re.sub(r'(name="csrf-token" content=)"[^"]*"', r'\1""', html)
    html = re.sub(r'(name="idempotency_key" value=)"[^"]*"', r'\1""', html)
    html = re.sub(r'\snonce="[^"]*"', "", html)
    html = re.sub(r'\s*class="live-flash"|\s+live-flash|live-flash\s*', "", html)
    html = re.sub(r'\s+class=""', "", html)
    html = re.sub(r"<canvas[^>]*>",
                  lambda m: re.sub(r'\s(width|height|style)="[^"]*"', "", m.group(0)), html)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


# --- the harness -------------------------------------------------------------------------

@dataclass(eq=False)
class Viewer:
    """One audience's browser: a logged-in client (cookies, CSRF header) and its user."""

    name: str
    client: httpx.AsyncClient
    user: User


class Recorder:
    """A page socket's stand-in on the hub: keeps every HTML frame offered to it."""

    kind = "html"

    def __init__(self, language: str = "en") -> None:
        self.language = language  # the viewer's, as a page socket joins with it
        self.frames: list[tuple[int, str]] = []
        self.rendered: dict[str, float] = {}

    def offer(self, seq: int, frame: str) -> None:
        self.frames.append((seq, frame))

    def close_for_resync(self) -> None:
        raise AssertionError("the hub asked a harness page to resync")

    def close_for_restart(self) -> None:
        pass


class DeliveryLog:
    """The hub's delivery records: every (topic, seq) it handled, and a way to wait for
    a set of them. Installed around the one hub of the test's app."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.handled: set[int] = set()
        self._changed = asyncio.Event()
        original = hub.deliver

        def deliver(message: dict[str, Any]) -> None:
            original(message)
            self.handled.add(int(message.get("seq", 0)))
            self._changed.set()

        hub.deliver = deliver  # type: ignore[method-assign]

    async def wait_for(self, seqs: set[int], timeout: float = 20.0) -> None:
        async def until() -> None:
            while not seqs <= self.handled:
                self._changed.clear()
                await self._changed.wait()
        try:
            await asyncio.wait_for(until(), timeout)
        except TimeoutError:
            raise AssertionError(f"the hub never handled events {sorted(seqs - self.handled)}"
                                 ) from None

    @staticmethod
    async def last_seq() -> int:
        row = await Event.all().order_by("-id").first()
        return row.id if row else 0


_logs: dict[int, DeliveryLog] = {}

# Every event name (and forum change) an action run by `verify_action` produced: what the
# `covers` marks are checked against, and what tests/live_reload/test_coverage.py counts.
observed: set[str] = set()
COVERED: dict[str, list[str]] = {}  # event kind -> the harness tests that cover it


def covers(*kinds: str) -> Callable[[Any], Any]:
    """Mark a harness test as covering these event kinds; it fails unless its actions
    really produced each of them."""
    def mark(test: Any) -> Any:
        for kind in kinds:
            COVERED.setdefault(kind, []).append(test.__name__)

        async def run(*args: Any, **kwargs: Any) -> None:
            observed.clear()
            await test(*args, **kwargs)
            missing = set(kinds) - observed
            assert not missing, f"{test.__name__} claims {sorted(missing)}; never produced"

        run.__name__, run.__doc__ = test.__name__, test.__doc__
        run.__wrapped__ = test  # type: ignore[attr-defined]
        return run
    return mark


def delivery_log(hub: Hub) -> DeliveryLog:
    if id(hub) not in _logs or _logs[id(hub)].hub is not hub:
        _logs[id(hub)] = DeliveryLog(hub)
    return _logs[id(hub)]


async def render(client: httpx.AsyncClient, url: str) -> Node:
    """The page as a browser shows it once loaded: the document plus its lazy panels."""
    r = await client.get(url, headers={"HX-Request": ""})
    assert r.status_code == 200, f"GET {url}: {r.status_code} {r.text[:300]}"
    doc = parse(r.text)
    await load_panels(client, doc)
    return doc


async def load_panels(client: httpx.AsyncClient, doc: Node) -> None:
    """Fetch and swap in the lazily loaded panels (`hx-trigger="load"`, or "load delay:Nms"
    when a close spreads the fetches), as htmx does when a page loads and when a swap brings
    new ones."""
    for _ in range(5):  # panels can hold panels
        lazy = [e for e in doc.elements() if "hx-get" in e.attrs
                and LOAD_TRIGGER.fullmatch(e.attrs.get("hx-trigger", ""))]
        if not lazy:
            break
        for el in lazy:
            part = await client.get(el.attrs["hx-get"], headers={"HX-Request": "true"})
            assert part.status_code == 200, f"GET {el.attrs['hx-get']}: {part.status_code}"
            assert el.attrs.get("hx-swap", "outerHTML") == "outerHTML", el.outer_html()
            reply = parse(part.text)
            oob = [p for p, _style, _target in _oob_parts(reply)]
            if oob:  # as htmx does: the reply's out-of-band parts swap by their own rules
                apply_frame(doc, "".join(p.outer_html() for p in oob))
                for p in oob:
                    p.parent.children.remove(p)  # type: ignore[union-attr]
            el.replace_with(list(reply.children))


def page_topics(doc: Node) -> list[str]:
    connect = next((e for e in doc.elements() if "hx-ws:connect" in e.attrs), None)
    if connect is None:
        return []
    query = parse_qs(urlsplit(connect.attrs["hx-ws:connect"]).query)
    return [t for t in ",".join(query.get("topics", [])).split(",") if t]


def live_part(doc: Node) -> str:
    """What live = reload compares: the page's <main> (the whole body if there is none).

    An element marked `data-derived` holds what the page's own script works out from the
    rest of the page (the proctor page's counts, from its rows). This harness runs no
    script, so it leaves their text out; the Chromium tests compare them."""
    main = next((e for e in doc.elements() if e.tag == "main"), None)
    if main is None:
        main = next((e for e in doc.elements() if e.tag == "body"), doc)
    return normalize(re.sub(r"(<[^>]*\sdata-derived[^>]*>)[^<]*", r"\1", main.html()))


@dataclass
class Open:
    viewer: Viewer
    url: str
    doc: Node
    recorder: Recorder
    topics: list[str]


def _pretty(html: str) -> list[str]:
    return re.sub(r"(<(?!/)[^>]+>)", r"\n\1", html).splitlines()


async def verify_action(hub: Hub, pages: dict[Viewer, list[str]],
                        action: Callable[[], Awaitable[Any]], *,
                        expect_change: bool = True) -> dict[str, list[str]]:
    """Open every (viewer, url), run `action`, and assert each kept-open page updated by
    the frames it was sent equals the same page rendered fresh. Returns the frames each
    `viewer.name url` received. With `expect_change`, at least one page must change (so
    the check can fail: an action that changes nothing tests nothing)."""
    log = delivery_log(hub)
    opened: list[Open] = []
    for viewer, urls in pages.items():
        for url in urls:
            doc = await render(viewer.client, url)
            recorder = Recorder(viewer.user.language or "en")
            topics = []
            for raw in page_topics(doc):
                topic = parse_topic(raw, viewer.user)
                audience = await authorize(topic, viewer.user)
                assert audience is not None, f"{viewer.name} may not read {raw} on {url}"
                await hub.join(recorder, topic.name, audience)  # type: ignore[arg-type]
                topics.append(topic.name)
            opened.append(Open(viewer, url, doc, recorder, topics))
    mark = await log.last_seq()
    try:
        await action()
        topics = {t for o in opened for t in o.topics}
        logged = await Event.filter(id__gt=mark)
        observed.update(e.name for e in logged)
        seqs = {e.id for e in logged if e.topic in topics}
        await log.wait_for(seqs)
    finally:
        for o in opened:
            await hub.leave(o.recorder)  # type: ignore[arg-type]
    failures, changed, frames = [], False, {}
    for o in opened:
        before = live_part(o.doc)
        received = [f for _, f in sorted(o.recorder.frames, key=lambda sf: sf[0])]
        frames[f"{o.viewer.name} {o.url}"] = received
        for frame in received:
            apply_frame(o.doc, frame)
        await load_panels(o.viewer.client, o.doc)
        live = live_part(o.doc)
        fresh = live_part(await render(o.viewer.client, o.url))
        changed = changed or fresh != before
        if live != fresh:
            diff = "\n".join(difflib.unified_diff(_pretty(fresh), _pretty(live), "reload",
                                                  "live", lineterm="", n=2))
            failures.append(f"{o.viewer.name} on {o.url} ({len(received)} frames):\n{diff}")
    assert not failures, "live != reload\n\n" + "\n\n".join(failures)
    if expect_change:
        assert changed, "the action changed none of the pages: this case checks nothing"
    return frames
