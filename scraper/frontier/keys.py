"""Every Redis key the frontier uses, named in one place.

All keys start with one prefix (``regarchive``), so a frontier can share a Redis server with
other uses; two frontiers on one server use two database numbers (``redis://host:6379/1``).
Keys of one run (the duplicate filter, the listing counters) carry the run's number, so that a
new run starts clean without deleting anything another crawler still reads.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "regarchive"
# The stream's consumer group and the ingester's name in it: one writer per archive (the
# archive's lock), so one consumer; a restarted ingester takes back what it had not acknowledged.
GROUP = "archive"
CONSUMER = "ingester"


@dataclass(frozen=True)
class FrontierKeys:
    prefix: str = PREFIX

    def _key(self, *parts: object) -> str:
        return ":".join((self.prefix, *map(str, parts)))

    # -- runs, crawlers, sites ---------------------------------------------------------------
    @property
    def run(self) -> str:
        """The current run's number (a counter)."""
        return self._key("run")

    @property
    def crawlers(self) -> str:
        """Sorted set: crawler id → the time (ms) its heartbeat runs out."""
        return self._key("crawlers")

    @property
    def leases(self) -> str:
        """Hash: site → the crawler that holds it (valid while that crawler is alive)."""
        return self._key("leases")

    @property
    def sites(self) -> str:
        """Set: the sites with requests waiting in their queue."""
        return self._key("sites")

    def queue(self, site: str) -> str:
        """Sorted set: a site's waiting requests (scrapy-redis' encoding), by priority."""
        return self._key("queue", site)

    @property
    def queue_prefix(self) -> str:
        return self._key("queue", "")

    def claimed(self, crawler: str) -> str:
        """Hash: token → site, score and request, for each request a crawler took and has not
        finished with."""
        return self._key("claimed", crawler)

    @property
    def claimed_prefix(self) -> str:
        return self._key("claimed", "")

    # -- one run's keys --------------------------------------------------------------------------
    def dupefilter(self, run: int) -> str:
        return self._key("run", run, "dupefilter")

    def listing_pages(self, run: int) -> str:
        return self._key("run", run, "listing_pages")

    def rubric_names(self, run: int) -> str:
        return self._key("run", run, "rubric_names")

    def incomplete_listings(self, run: int) -> str:
        return self._key("run", run, "incomplete_listings")

    def run_keys(self, run: int) -> list[str]:
        return [
            self.dupefilter(run),
            self.listing_pages(run),
            self.rubric_names(run),
            self.incomplete_listings(run),
        ]

    # -- the stream -----------------------------------------------------------------------------
    @property
    def stream(self) -> str:
        return self._key("stream")

    # -- the archive as the ingester publishes it ----------------------------------------------
    def known(self, site: str) -> str:
        """Hash: URL → what a rerun needs of the article page there (JSON), or "" for a URL an
        archived article was seen at without a page of its own."""
        return self._key("known", site)

    def hints(self, site: str) -> str:
        """Hash: URL → what the sitemaps and feeds said of the page at its last fetch (JSON:
        source → hint)."""
        return self._key("hints", site)

    def documents(self, site: str) -> str:
        """Hash: document URL → what the archive holds of it (JSON: sha256, validators…)."""
        return self._key("documents", site)

    @property
    def known_prefix(self) -> str:
        return self._key("known", "")

    @property
    def walked(self) -> str:
        """Set: listings walked to their end by a finished crawl."""
        return self._key("walked")

    @property
    def failed(self) -> str:
        """Set: URLs that failed and that the next crawl tries again."""
        return self._key("failed")

    @property
    def published(self) -> str:
        """Hash: when and from which archive the state above was published (absent: not yet)."""
        return self._key("published")
