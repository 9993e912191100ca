"""Connecting to the frontier's Redis server, with a one-line error when that fails."""

from __future__ import annotations

from urllib.parse import urlsplit

import redis

SCHEMES = ("redis", "rediss", "unix")
# A crawler or the ingester blocked longer than this on one Redis call has lost its server;
# redis-py raises, and the command says so in one line instead of hanging.
SOCKET_TIMEOUT = 30.0


class FrontierError(Exception):
    """The frontier cannot be used: a bad URL, an unreachable server, a missing state."""


def check_frontier_url(url: str) -> str:
    """``url`` when it is a Redis URL (``redis://host:port/db``, ``unix:///path?db=N``)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise FrontierError(
            f"not a Redis URL: {url!r} (expected e.g. redis://127.0.0.1:6379/0 or "
            "unix:///run/redis/redis.sock?db=0)"
        )
    try:
        redis.connection.ConnectionPool.from_url(url)
    except ValueError as error:
        raise FrontierError(f"malformed Redis URL {url!r}: {error}") from None
    return url


def connect(url: str) -> redis.Redis:
    """A client of the Redis server at ``url``, checked with a PING."""
    check_frontier_url(url)
    client = redis.Redis.from_url(
        url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=10, health_check_interval=30
    )
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        raise FrontierError(f"cannot reach the frontier {url}: {error}") from None
    return client
