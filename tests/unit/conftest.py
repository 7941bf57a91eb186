"""Fixtures shared by the unit tests."""

from __future__ import annotations

import pytest
from channels.layers import InMemoryChannelLayer

from realtime.hub import Hub
from realtime.publish import ENCODERS


@pytest.fixture
async def hub():
    """A started hub on the in-memory channel layer."""
    h = Hub(InMemoryChannelLayer(), ENCODERS)
    await h.start()
    yield h
    await h.stop()
