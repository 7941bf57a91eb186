"""The per-process hub: one channel-layer membership per topic, fan-out to local sockets.

Every socket being its own channel-layer member costs one layer message per socket per
event; instead the hub joins each topic's group once with the process's own channel,
receives an event once, encodes one frame per (socket kind, audience) and hands it to
every local socket of that audience. See ARCHITECTURE.md, "Realtime delivery".
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque
from collections.abc import Callable
from typing import Any, Protocol

from channels.layers import BaseChannelLayer

from core.i18n import DEFAULT_LANGUAGE
from realtime.languages import Announcer, rendered_in
from realtime.layer import RedisLayer, group_name
from realtime.presence import Presence, PresenceWatches
from realtime.rights import CONTROL_GROUP, CONTROL_TYPE, RIGHTS, SESSION_ENDED

log = logging.getLogger("coursewire.hub")

# Channels expires group membership (channels_redis: 1 day); re-join well before that.
GROUP_REFRESH_SECONDS = 1800.0
RESTART_DELAY_SECONDS = 0.5
# The outbox may send an event twice (realtime/relay.py): a hub drops a seq it delivered
# among the last this many.
RECENT_SEQS = 10_000
# A late event written this long before a page's render began is in the render (it was
# written just before its commit; one machine's clock, or closely synchronized ones).
LATE_MARGIN_SECONDS = 2.0


class Subscriber(Protocol):
    kind: str  # "html" or "json": which encoding of an event this socket wants
    language: str  # the language its HTML frames are in ("" for JSON: data has none)
    rendered: dict[str, float]  # topic -> when its page's render began (HTML; epoch s)

    def offer(self, seq: int, frame: str) -> None: ...
    def close_for_resync(self) -> None: ...
    def close_for_restart(self) -> None: ...


class Watcher(Protocol):
    """A socket's session, told when its user's rights change or a session ends."""

    def rights_changed(self) -> None: ...
    def session_ended(self, session_key: str | None) -> None: ...


Encoder = Callable[[dict[str, Any], str, str], str | None]


class Hub:
    def __init__(self, layer: BaseChannelLayer, encoders: dict[str, Encoder],
                 presence: Presence | None = None) -> None:
        self.layer = layer
        # Which watched pages are open here (realtime/presence.py), for the domains.
        self.presence = presence if presence is not None else Presence(PresenceWatches())
        self.encoders = encoders
        self.channel: str | None = None
        # topic -> (kind, audience, language) -> sockets: one encode per group, however
        # many sockets it has (a Finnish and an English student get different HTML).
        self._members: dict[str, dict[tuple[str, str, str], set[Subscriber]]] = {}
        self._topics_of: dict[Subscriber, set[str]] = defaultdict(set)
        self._tasks: list[asyncio.Task[None]] = []
        self._ready = asyncio.Event()
        self._emptied = asyncio.Event()  # set when the last socket leaves
        self._watchers: dict[int, set[Watcher]] = defaultdict(set)  # user id -> sessions
        self._recent: set[int] = set()
        self._recent_order: deque[int] = deque()
        self.restarts = 0
        self.delivered_events = 0
        self.duplicates_dropped = 0
        self.control_messages = 0  # rights/session messages acted on (one per user's process)
        # HTML sockets' languages, counted once per socket (realtime/languages.py).
        self._language_of: dict[Subscriber, str] = {}
        self.languages = Announcer(
            (lambda: layer.connection(0)) if isinstance(layer, RedisLayer) else None,
            getattr(layer, "prefix", "cw"))
        self.language_resyncs = 0  # sockets closed: an event came without their language
        self.late_resyncs = 0  # html sockets closed: an event came out of commit order
        self.late_dropped = 0  # late events a page's render already showed

    @property
    def socket_count(self) -> int:
        return len(self._topics_of)

    async def start(self) -> None:
        await self.languages.start()
        self.presence.start()
        self._tasks = [
            asyncio.create_task(self._supervise_reader(), name="hub-reader"),
            asyncio.create_task(self._refresh_groups(), name="hub-group-refresh"),
        ]
        await self._ready.wait()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        # The process is stopping: clients reconnect to the next one (and resync there).
        for sub in list(self._topics_of):
            sub.close_for_restart()
        for language in self._language_of.values():
            self.languages.left(language)
        self._language_of.clear()
        await self.languages.stop()
        await self.presence.stop()
        self._members.clear()
        self._topics_of.clear()
        self._watchers.clear()

    async def close_for_restart(self) -> None:
        """Close every local socket with "service restart" and wait until all have gone.

        Run when the process is about to stop, while the server can still write: clients
        get a clean close frame and reconnect to the next process. Bound it with a timeout.
        """
        if not self._topics_of:
            return
        self._emptied.clear()
        for sub in list(self._topics_of):
            sub.close_for_restart()
        await self._emptied.wait()

    def attach(self, sub: Subscriber) -> None:
        """Count a connected socket (heartbeats reach it even before it subscribes)."""
        self._topics_of.setdefault(sub, set())

    def watch(self, user_id: int, watcher: Watcher) -> None:
        """Tell `watcher` about rights changes and ended sessions of `user_id` (see rights.py)."""
        self._watchers[user_id].add(watcher)

    def unwatch(self, user_id: int, watcher: Watcher) -> None:
        watchers = self._watchers.get(user_id)
        if watchers is not None:
            watchers.discard(watcher)
            if not watchers:
                del self._watchers[user_id]

    def control(self, message: dict[str, Any]) -> None:
        """Act on a rights/session message for the local sockets of the user it names."""
        watchers = self._watchers.get(message.get("user_id"))  # type: ignore[arg-type]
        if not watchers:
            return
        self.control_messages += 1
        for watcher in list(watchers):
            if message.get("kind") == RIGHTS:
                watcher.rights_changed()
            elif message.get("kind") == SESSION_ENDED:
                watcher.session_ended(message.get("session_key"))

    async def join(self, sub: Subscriber, topic: str, audience: str) -> None:
        await self._ready.wait()
        groups = self._members.get(topic)
        if groups is None:
            groups = self._members[topic] = {}
            assert self.channel is not None
            await self.layer.group_add(group_name(topic), self.channel)
        members = groups.setdefault((sub.kind, audience, sub.language), set())
        if sub not in members:
            members.add(sub)
            self.presence.joined(topic, audience)
        self._topics_of[sub].add(topic)
        if sub.kind == "html" and sub.language and sub not in self._language_of:
            self._language_of[sub] = sub.language
            self.languages.joined(sub.language)

    async def leave(self, sub: Subscriber) -> None:
        topics = self._topics_of.pop(sub, ())
        language = self._language_of.pop(sub, None)
        if language is not None:
            self.languages.left(language)
        if not self._topics_of:
            self._emptied.set()
        for topic in topics:
            groups = self._members.get(topic)
            if groups is None:
                continue
            for key in [k for k, subs in groups.items() if sub in subs]:
                groups[key].discard(sub)
                self.presence.left(topic, key[1])
                if not groups[key]:
                    del groups[key]
            if not groups:
                del self._members[topic]
                if self.channel is not None:
                    await self.layer.group_discard(group_name(topic), self.channel)
                    if topic in self._members:
                        # A socket joined while the discard was on its way, and its join's
                        # add may have landed first (Redis does not order the two): add
                        # again, or its events would never reach this process.
                        await self.layer.group_add(group_name(topic), self.channel)

    def deliver(self, message: dict[str, Any]) -> None:
        """Hand one event to every local socket subscribed to its topic."""
        groups = self._members.get(message.get("topic", ""))
        if not groups:
            return
        seq = int(message.get("seq", 0))
        if seq:
            if seq in self._recent:
                self.duplicates_dropped += 1
                return
            self._recent.add(seq)
            self._recent_order.append(seq)
            if len(self._recent_order) > RECENT_SEQS:
                self._recent.discard(self._recent_order.popleft())
        self.delivered_events += 1
        html = message.get("html") or {}
        for (kind, audience, language), subs in list(groups.items()):
            frame = self.encoders[kind](message, audience, language)
            if frame is None:
                continue
            if kind == "html" and "late" in message:
                self._deliver_late(message, subs)
                continue
            if kind == "html" and language != DEFAULT_LANGUAGE and language and not (
                    rendered_in(html, language)):
                # Published before its process knew a page read this language: the page
                # renders its regions afresh in its own, rather than show another one.
                self.language_resyncs += len(subs)
                for sub in list(subs):
                    sub.close_for_resync()
                continue
            for sub in list(subs):
                sub.offer(seq, frame)

    def _deliver_late(self, message: dict[str, Any], subs: set[Subscriber]) -> None:
        """An event sent out of commit order (the sweep, after a crash or an outage of the
        layer) may be older than what a page shows, from a later event: such a page renders
        its regions afresh. A page whose render of the topic began after the event was
        written already shows it, and gets nothing."""
        written, topic = float(message["late"]), message["topic"]
        for sub in list(subs):
            if sub.rendered.get(topic, 0.0) > written + LATE_MARGIN_SECONDS:
                self.late_dropped += 1
                continue
            self.late_resyncs += 1
            sub.close_for_resync()

    def broadcast_local(self, frame_by_kind: dict[str, str]) -> None:
        """Offer a frame to every local socket (heartbeats)."""
        for sub in list(self._topics_of):
            frame = frame_by_kind.get(sub.kind)
            if frame is not None:
                sub.offer(0, frame)

    async def _read(self) -> None:
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(CONTROL_GROUP, self.channel)
        for topic in self._members:
            await self.layer.group_add(group_name(topic), self.channel)
        self._ready.set()
        while True:
            message = await self.layer.receive(self.channel)
            try:
                if message.get("type") == CONTROL_TYPE:
                    self.control(message)
                else:
                    self.deliver(message)
            except Exception:  # one bad event must not stop delivery of the next
                log.exception("hub: could not deliver %r", message.get("event"))

    async def _supervise_reader(self) -> None:
        """Keep the reader alive; if it dies, sockets resync and the reader restarts."""
        while True:
            try:
                await self._read()
            except asyncio.CancelledError:
                raise
            except Exception:
                self.restarts += 1
                log.exception("hub reader died (restart %d); closing sockets for resync",
                              self.restarts)
                self._ready.clear()
                # Events may have been missed: every page must resync from the database.
                for sub in list(self._topics_of):
                    sub.close_for_resync()
                await asyncio.sleep(RESTART_DELAY_SECONDS)

    async def _refresh_groups(self) -> None:
        while True:
            await asyncio.sleep(GROUP_REFRESH_SECONDS)
            if self.channel is None:
                continue
            for topic in [None, *self._members]:
                try:
                    group = CONTROL_GROUP if topic is None else group_name(topic)
                    await self.layer.group_add(group, self.channel)
                except Exception:
                    log.exception("hub: could not refresh group for %s", topic or "control")
