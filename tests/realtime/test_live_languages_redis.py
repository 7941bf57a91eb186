"""Across processes (realtime/languages.py): a page's language opened on one process is
announced in Redis and read by the others within a second, so their publishes render it;
a language no process renews expires. Service mode (Redis)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from realtime import languages
from realtime.languages import LIVE, Announcer
from realtime.layer import make_channel_layer
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs Redis (service mode)")


async def eventually(condition, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("never happened")


@pytest.fixture
async def two_processes():
    layer = make_channel_layer(REDIS_URL, prefix=f"cw-test-{uuid.uuid4().hex[:8]}")
    here, there = (Announcer(lambda: layer.connection(0), layer.prefix) for _ in range(2))
    await here.start()
    await there.start()
    yield here, there
    await here.stop()
    await there.stop()
    await layer.flush()


async def test_a_language_opened_on_one_process_is_rendered_by_the_others(two_processes):
    here, _there = two_processes
    assert LIVE.to_render() == ()
    here.joined("fi")  # a Finnish page opened "here"...
    LIVE.left("fi")  # ...and this test process plays "there", which holds no such page
    await eventually(lambda: LIVE.to_render() == ("fi",))


async def test_a_language_nobody_renews_expires(two_processes, monkeypatch):
    here, _there = two_processes
    monkeypatch.setattr(languages, "EXPIRE_SECONDS", 3.0)
    here.joined("es")
    LIVE.left("es")  # the page closed before any renewal
    await eventually(lambda: LIVE.to_render() == ("es",))
    await eventually(lambda: LIVE.to_render() == (), seconds=8.0)
