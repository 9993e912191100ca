"""The archive as a frontier crawler sees it, without the file: what the ingester published.

The ingester (:mod:`.publisher`) keeps in Redis what a rerun asks of the archive: per site, the
known article URLs with their validators and dates; the listings walked to their end; the URLs
that failed. :class:`FrontierArchiveView` answers the crawl's questions from there, as
:class:`~regarchive.scraper.incremental.ArchiveState` does from the file. The listing counters
of the run (pages read per listing, rubric names, listings cut short) live in Redis too, so that
a listing whose pages were read by two crawlers (one took over from the other) is judged whole.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import redis

from regarchive.pipelines.extraction.urls import site_of
from regarchive.scraper.frontier.connection import FrontierError
from regarchive.scraper.frontier.keys import FrontierKeys
from regarchive.scraper.incremental import KnownPage

logger = logging.getLogger(__name__)

KNOWN_FIELDS = (
    "etag",
    "last_modified",
    "body_hash",
    "fetched_at",
    "published",
    "first_seen",
    "missing_attachments",
)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def known_page_from(value: bytes | str | None) -> KnownPage | None:
    """A published entry as a :class:`KnownPage`; None for a URL known without a page."""
    if not value:
        return None
    row = json.loads(value)
    return KnownPage.from_row({field: row.get(field) for field in KNOWN_FIELDS})


def wait_for_state(
    client: redis.Redis,
    keys: FrontierKeys,
    seconds: float,
    keep_alive: Callable[[], object] = lambda: None,
) -> None:
    """Wait until the ingester has published the archive's state, at most ``seconds``, calling
    ``keep_alive`` meanwhile (a registered crawler's heartbeat)."""
    deadline = time.monotonic() + seconds
    said = False
    while not client.exists(keys.published):
        keep_alive()
        if time.monotonic() >= deadline:
            raise FrontierError(
                "the frontier has no archive state: start `regarchive ingest --frontier URL "
                "--db ARCHIVE` first (it publishes what the crawlers need to know), then the "
                f"crawlers (waited {seconds:g} s, REGARCHIVE_FRONTIER_WAIT)"
            )
        if not said:
            logger.info("waiting for the ingester to publish the archive's state")
            said = True
        time.sleep(0.2)


class FrontierArchiveView:
    """What the archive holds, as published in Redis (see the module docstring)."""

    def __init__(self, client: redis.Redis, keys: FrontierKeys, sites: Iterable[str]) -> None:
        self._client = client
        self._keys = keys
        self._sites = sorted(set(sites))
        self.walked_listings = {_text(url) for url in client.smembers(keys.walked)}
        self.failed_urls = sorted(_text(url) for url in client.smembers(keys.failed))
        self.failed = frozenset(self.failed_urls)

    def known_page(self, url: str) -> KnownPage | None:
        return known_page_from(self._client.hget(self._keys.known(site_of(url)), url))

    def known_attachment(self, url: str) -> dict[str, Any] | None:
        value = self._client.hget(self._keys.documents(site_of(url)), url)
        return json.loads(value) if value else None

    def revisits(self, batch: int = 1000) -> Iterator[tuple[str, KnownPage]]:
        """One known page per archived article of the crawl's sites."""
        for site in self._sites:
            for url, value in self._client.hscan_iter(self._keys.known(site), count=batch):
                if value and json.loads(value).get("revisit"):
                    page = known_page_from(value)
                    assert page is not None
                    yield _text(url), page

    def all_known(self, urls: list[str]) -> bool:
        """True when every one of ``urls`` is the URL of an archived article."""
        return bool(urls) and len(self.known_urls(urls)) == len(set(urls))

    def known_urls(self, urls: list[str]) -> set[str]:
        """Those of ``urls`` an archived article was seen at."""
        wanted = list(dict.fromkeys(urls))
        pipe = self._client.pipeline(transaction=False)
        for url in wanted:
            pipe.hexists(self._keys.known(site_of(url)), url)
        return {url for url, known in zip(wanted, pipe.execute(), strict=True) if known}

    def fetched_hints(self, urls: list[str]) -> dict[str, dict[str, str]]:
        """URL → {source: hint} recorded at the last fetch of each of ``urls`` that has any."""
        wanted = list(dict.fromkeys(urls))
        pipe = self._client.pipeline(transaction=False)
        for url in wanted:
            pipe.hget(self._keys.hints(site_of(url)), url)
        return {
            url: json.loads(value)
            for url, value in zip(wanted, pipe.execute(), strict=True)
            if value
        }

    def close(self) -> None:
        """Nothing to close: the client is the crawl's."""


class ListingPages:
    """Listing pages read per start URL in this run, counted in Redis (``counts[root] += 1``)."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self._client = client
        self._key = key

    def __getitem__(self, root: str) -> int:
        return int(self._client.hget(self._key, root) or 0)

    def __setitem__(self, root: str, value: int) -> None:
        # Read then written by the crawler holding the listing's site: one at a time.
        self._client.hset(self._key, root, value)


class RubricNames:
    """The rubric name each start URL showed first in this run."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self._client = client
        self._key = key

    def setdefault(self, root: str, name: str | None) -> str | None:
        self._client.hsetnx(self._key, root, json.dumps(name))
        return self.get(root)

    def get(self, root: str) -> str | None:
        value = self._client.hget(self._key, root)
        return json.loads(value) if value is not None else None


class IncompleteListings:
    """Start URLs whose walk was cut short in this run."""

    def __init__(self, client: redis.Redis, key: str) -> None:
        self._client = client
        self._key = key

    def add(self, root: str) -> None:
        self._client.sadd(self._key, root)

    def __contains__(self, root: object) -> bool:
        return bool(self._client.sismember(self._key, str(root)))
