"""The channel layer that carries events between processes.

channels_redis when REDIS_URL is set, else the in-memory layer (single process).
"""

from __future__ import annotations

import hashlib

from channels.layers import BaseChannelLayer, InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer

# A hub may fall behind for a moment under a publish burst; a roomy channel avoids drops.
CHANNEL_CAPACITY = 10_000


def make_channel_layer(redis_url: str | None, prefix: str = "cw") -> BaseChannelLayer:
    if redis_url is None:
        return InMemoryChannelLayer(capacity=CHANNEL_CAPACITY, expiry=60)
    host = {
        "address": redis_url,
        # redis-py 8's default 5 s socket timeout kills the layer's idle blocking read,
        # and its pool raises at 100 connections.
        "socket_timeout": None,
        "max_connections": 10_000,
    }
    return RedisChannelLayer(hosts=[host], prefix=f"{prefix}:asgi", capacity=CHANNEL_CAPACITY,
                             expiry=60)


def group_name(topic: str) -> str:
    """Channels group names allow only [A-Za-z0-9._-] and < 100 chars; topics don't fit."""
    return "cw." + hashlib.sha1(topic.encode()).hexdigest()
