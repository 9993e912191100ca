"""The frontier's shared structures in Redis, and the scripts that change them atomically.

- **Runs.** A run is what the crawlers started for one pass (a night) share: a number, and the
  keys numbered after it (the duplicate filter, the listing counters). The first crawler to
  join a frontier where nothing is alive, queued or claimed starts a new run; the others join
  it. So tomorrow's crawl is not filtered out by tonight's duplicate filter, and a crawler
  started late tonight joins tonight's run.
- **Crawlers** register in a sorted set scored by the time their heartbeat runs out (Redis
  server time, so clocks of the machines do not matter). A crawler whose time has run out is
  dead: it was killed, or its machine or network went away.
- **Sites** are the unit of politeness: a site (host:port) is crawled by one crawler at a time,
  the one holding its lease, so Scrapy's per-site delay, concurrency and AutoThrottle hold
  across processes exactly as in one. A lease is valid while its holder is alive.
- **Queues**: one sorted set per site holds its waiting requests (encoded by scrapy-redis),
  ordered by priority; the set of sites with waiting requests is kept with it.
- **Claims**: a request taken from a queue is copied, in the same script, to its crawler's
  claims; it leaves them when the crawler is done with it (its items pushed to the stream, its
  follow-up requests queued). The claims of a dead crawler go back to their queues: a crawler
  killed mid-page loses nothing, and the page is fetched again by another.

Every change that must not be seen half done is one Lua script (Redis runs each atomically).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import redis

from regarchive.scraper.frontier.keys import CONSUMER, GROUP, FrontierKeys

# The server's clock in milliseconds, in a script.
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: run, crawlers, sites. ARGV: claims prefix, crawler id, lease ms, run key prefix.
_JOIN = (
    _NOW
    + """
local run = tonumber(redis.call('GET', KEYS[1]) or '0')
local busy = redis.call('SCARD', KEYS[3]) > 0
    or redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf') > 0
if not busy then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
    if redis.call('HLEN', ARGV[1] .. id) > 0 then busy = true break end
  end
end
if run == 0 or not busy then
  if run > 0 then
    for _, name in ipairs({'dupefilter', 'listing_pages', 'rubric_names',
                           'incomplete_listings'}) do
      redis.call('DEL', ARGV[4] .. run .. ':' .. name)
    end
  end
  run = redis.call('INCR', KEYS[1])
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[2])
return run
"""
)

# KEYS: crawlers, leases. ARGV: crawler id, lease ms. Returns the sites it still holds.
_HEARTBEAT = (
    _NOW
    + """
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
local held = {}
local leases = redis.call('HGETALL', KEYS[2])
for i = 1, #leases, 2 do
  if leases[i + 1] == ARGV[1] then table.insert(held, leases[i]) end
end
return held
"""
)

# KEYS: queue, sites, claims. ARGV: site, token. Returns the request, or nil.
_POP = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then
  redis.call('SREM', KEYS[2], ARGV[1])
  return false
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[1] .. '\\n' .. popped[2] .. '\\n' .. popped[1])
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end
return popped[1]
"""

# KEYS: leases, crawlers. ARGV: site, crawler id. 1 when the crawler holds the site now.
_ACQUIRE = (
    _NOW
    + """
local holder = redis.call('HGET', KEYS[1], ARGV[1])
if holder and holder ~= ARGV[2] then
  local expires = redis.call('ZSCORE', KEYS[2], holder)
  if expires and tonumber(expires) > now then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""
)

# KEYS: leases. ARGV: site, crawler id.
_RELEASE = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
"""

# KEYS: crawlers, leases, sites. ARGV: claims prefix, queue prefix, crawler id ('' for every
# dead crawler). Puts the claims back in their queues, frees the leases, forgets the crawlers.
# Returns how many requests went back.
_GIVE_BACK = (
    _NOW
    + """
local ids
if ARGV[3] == '' then
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
else
  ids = {ARGV[3]}
end
local requeued = 0
for _, id in ipairs(ids) do
  local claims = ARGV[1] .. id
  for _, value in ipairs(redis.call('HVALS', claims)) do
    local first = string.find(value, '\\n', 1, true)
    local second = string.find(value, '\\n', first + 1, true)
    local site = string.sub(value, 1, first - 1)
    redis.call('ZADD', ARGV[2] .. site, string.sub(value, first + 1, second - 1),
               string.sub(value, second + 1))
    redis.call('SADD', KEYS[3], site)
    requeued = requeued + 1
  end
  redis.call('DEL', claims)
  redis.call('ZREM', KEYS[1], id)
  local leases = redis.call('HGETALL', KEYS[2])
  for i = 1, #leases, 2 do
    if leases[i + 1] == id then redis.call('HDEL', KEYS[2], leases[i]) end
  end
end
return requeued
"""
)

# KEYS: crawlers. Returns the live crawlers and their expiry, then the server's time.
_LIVE = (
    _NOW
    + """
local live = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. now, '+inf', 'WITHSCORES')
table.insert(live, tostring(now))
return live
"""
)


@dataclass(frozen=True)
class Crawler:
    """A crawler registered in the frontier, as ``regarchive status`` shows it."""

    id: str
    seconds_left: float
    claimed: int


class Frontier:
    """The shared structures of one frontier (see the module docstring)."""

    def __init__(
        self, client: redis.Redis, keys: FrontierKeys | None = None, lease_seconds: float = 30
    ) -> None:
        self.client = client
        self.keys = keys or FrontierKeys()
        self.lease_ms = int(lease_seconds * 1000)
        register = client.register_script
        self._join = register(_JOIN)
        self._heartbeat = register(_HEARTBEAT)
        self._pop = register(_POP)
        self._acquire = register(_ACQUIRE)
        self._release = register(_RELEASE)
        self._give_back = register(_GIVE_BACK)
        self._live = register(_LIVE)

    # -- crawlers -------------------------------------------------------------------------------

    def join(self, crawler: str) -> int:
        """Register ``crawler`` and return the run it joins (a new one when nothing is alive,
        queued or claimed)."""
        keys = self.keys
        return int(
            self._join(
                keys=[keys.run, keys.crawlers, keys.sites],
                args=[keys.claimed_prefix, crawler, self.lease_ms, f"{keys.prefix}:run:"],
            )
        )

    def heartbeat(self, crawler: str) -> set[str]:
        """Keep ``crawler`` alive for another lease; return the sites it still holds."""
        held = self._heartbeat(
            keys=[self.keys.crawlers, self.keys.leases], args=[crawler, self.lease_ms]
        )
        return {_text(site) for site in held}

    def leave(self, crawler: str) -> int:
        """Unregister ``crawler``: what it claimed goes back to the queues, its sites are free.
        Returns how many requests went back."""
        return self._give_back_of(crawler)

    def reclaim_dead(self) -> int:
        """Give back the claims and sites of every crawler whose heartbeat ran out."""
        return self._give_back_of("")

    def _give_back_of(self, crawler: str) -> int:
        keys = self.keys
        return int(
            self._give_back(
                keys=[keys.crawlers, keys.leases, keys.sites],
                args=[keys.claimed_prefix, keys.queue_prefix, crawler],
            )
        )

    def live_crawlers(self) -> list[Crawler]:
        reply = self._live(keys=[self.keys.crawlers])
        now = int(reply[-1])
        pairs = list(zip(reply[0:-1:2], reply[1:-1:2], strict=True))
        pipe = self.client.pipeline(transaction=False)
        for member, _ in pairs:
            pipe.hlen(self.keys.claimed(_text(member)))
        claimed = pipe.execute()
        return [
            Crawler(_text(member), (float(expires) - now) / 1000, int(count))
            for (member, expires), count in zip(pairs, claimed, strict=True)
        ]

    # -- sites and their queues -----------------------------------------------------------------

    def push(self, site: str, score: float, request: bytes) -> None:
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(self.keys.queue(site), {request: score})
        pipe.sadd(self.keys.sites, site)
        pipe.execute()

    def pop(self, site: str, crawler: str, token: str) -> bytes | None:
        """The first waiting request of ``site``, now claimed by ``crawler`` under ``token``."""
        keys = self.keys
        request = self._pop(
            keys=[keys.queue(site), keys.sites, keys.claimed(crawler)], args=[site, token]
        )
        return request or None

    def finish(self, crawler: str, tokens: Iterable[str]) -> None:
        """``crawler`` is done with the requests claimed under ``tokens``."""
        tokens = list(tokens)
        if tokens:
            self.client.hdel(self.keys.claimed(crawler), *tokens)

    def acquire(self, site: str, crawler: str) -> bool:
        """Take the lease of ``site`` unless a live crawler holds it."""
        return bool(
            self._acquire(keys=[self.keys.leases, self.keys.crawlers], args=[site, crawler])
        )

    def release(self, site: str, crawler: str) -> None:
        self._release(keys=[self.keys.leases], args=[site, crawler])

    def waiting_sites(self, count: int) -> list[str]:
        """Up to ``count`` sites with waiting requests, at random (so that crawlers looking for
        work at once do not all ask for the same one)."""
        return [_text(site) for site in self.client.srandmember(self.keys.sites, count) or []]

    def holder(self, site: str) -> str | None:
        value = self.client.hget(self.keys.leases, site)
        return _text(value) if value is not None else None

    def queue_lengths(self) -> dict[str, int]:
        """Waiting requests per site (the sites with none are left out)."""
        sites = sorted(_text(site) for site in self.client.smembers(self.keys.sites))
        pipe = self.client.pipeline(transaction=False)
        for site in sites:
            pipe.zcard(self.keys.queue(site))
        return {site: int(n) for site, n in zip(sites, pipe.execute(), strict=True) if n}

    def queued(self, sites: Iterable[str]) -> int:
        pipe = self.client.pipeline(transaction=False)
        for site in sites:
            pipe.zcard(self.keys.queue(site))
        return sum(int(n) for n in pipe.execute())

    def claimed_total(self) -> int:
        """Requests claimed by any crawler, alive or dead (not yet given back)."""
        members = self.client.zrange(self.keys.crawlers, 0, -1)
        pipe = self.client.pipeline(transaction=False)
        for member in members:
            pipe.hlen(self.keys.claimed(_text(member)))
        return sum(int(n) for n in pipe.execute())

    def busy(self) -> bool:
        """Requests are waiting or claimed somewhere: the run is not over."""
        return bool(self.client.scard(self.keys.sites)) or self.claimed_total() > 0

    # -- the stream -----------------------------------------------------------------------------

    def stream_waiting(self) -> int:
        """Stream entries not yet committed to the archive (read or not)."""
        return self.client.xlen(self.keys.stream)

    def ensure_group(self) -> None:
        """The stream and its consumer group, created once (reading from the first entry)."""
        try:
            self.client.xgroup_create(self.keys.stream, GROUP, id="0", mkstream=True)
        except redis.ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


__all__ = ["CONSUMER", "GROUP", "Crawler", "Frontier"]
