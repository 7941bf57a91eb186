"""realtime.presence: the hub counts the sockets of a watched kind and audience per topic,
and each flush tells the domain only what changed since the last one; a stop tells it that
this process holds nothing."""

from __future__ import annotations

import pytest

from realtime.hub import Hub
from realtime.layer import make_channel_layer
from realtime.presence import Presence, PresenceWatch, PresenceWatches


class Told:
    def __init__(self) -> None:
        self.changes: list[tuple[set[str], set[str]]] = []
        self.renewed: list[set[str]] = []
        self.processes: set[str] = set()

    async def changed(self, process: str, arrived: set[str], gone: set[str]) -> None:
        self.processes.add(process)
        self.changes.append((arrived, gone))

    async def renew(self, process: str, keys: set[str]) -> None:
        self.renewed.append(keys)


class Sub:
    kind, language = "html", "en"

    def offer(self, seq: int, frame: str) -> None: ...
    def close_for_resync(self) -> None: ...
    def close_for_restart(self) -> None: ...


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def presence(told: Told) -> Presence:
    watches = PresenceWatches()
    watches.register("quiz-attempt", PresenceWatch("self", told.changed, told.renew))
    return Presence(watches)


async def test_a_flush_tells_what_arrived_and_what_left(presence: Presence, told: Told):
    presence.joined("quiz-attempt:1", "self")
    presence.joined("quiz-attempt:1", "self")  # a second tab
    presence.joined("quiz-attempt:2", "staff")  # not the watched audience
    presence.joined("thread:3", "self")  # not a watched kind
    await presence.flush()
    assert told.changes == [({"1"}, set())]
    presence.left("quiz-attempt:1", "self")
    await presence.flush()
    assert told.changes == [({"1"}, set())]  # one tab is still open
    presence.left("quiz-attempt:1", "self")
    presence.joined("quiz-attempt:4", "self")
    presence.left("quiz-attempt:4", "self")  # came and went between two flushes
    await presence.flush()
    assert told.changes == [({"1"}, set()), (set(), {"1"})]
    presence.left("quiz-attempt:1", "self")  # more leaves than joins: ignored
    await presence.flush()
    assert len(told.changes) == 2
    assert told.processes == {presence.process}


async def test_renew_names_the_pages_open_here(presence: Presence, told: Told):
    presence.joined("quiz-attempt:1", "self")
    presence.joined("quiz-attempt:2", "self")
    await presence.flush()
    await presence.renew()
    assert told.renewed == [{"1", "2"}]


async def test_a_domain_error_is_told_again_at_the_next_flush(presence: Presence, told: Told):
    calls = []

    async def failing(process: str, arrived: set[str], gone: set[str]) -> None:
        calls.append(arrived)
        if len(calls) == 1:
            raise RuntimeError("database down")

    presence.watches.register("quiz-attempt", PresenceWatch("self", failing, told.renew))
    presence.joined("quiz-attempt:1", "self")
    with pytest.raises(RuntimeError):
        await presence.flush()
    await presence.flush()
    assert calls == [{"1"}, {"1"}]


async def test_the_hub_counts_its_sockets_and_a_stop_tells_everything_left(
        presence: Presence, told: Told):
    hub = Hub(make_channel_layer(None), {}, presence)
    await hub.start()
    a, b = Sub(), Sub()
    for sub in (a, b):
        hub.attach(sub)
        await hub.join(sub, "quiz-attempt:7", "self")
    await hub.join(a, "quiz-attempt:7", "self")  # joined again: still one socket
    await hub.join(a, "quiz-attempt:8", "self")
    await presence.flush()
    assert told.changes == [({"7", "8"}, set())]
    await hub.leave(a)
    await presence.flush()
    assert told.changes[-1] == (set(), {"8"})  # b still holds 7
    await hub.stop()
    assert told.changes[-1] == (set(), {"7"})


async def test_a_stop_goes_on_when_the_domain_cannot_be_told(presence: Presence, told: Told):
    async def failing(process: str, arrived: set[str], gone: set[str]) -> None:
        raise RuntimeError("database down")

    presence.start()
    presence.joined("quiz-attempt:1", "self")
    presence.watches.register("quiz-attempt", PresenceWatch("self", failing, told.renew))
    await presence.stop()  # logs, does not raise
