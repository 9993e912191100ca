"""Each configured site gets its own download slot, with its own delay and concurrency.

Scrapy keeps one download slot per host name; ``DOWNLOAD_SLOTS`` gives a slot its delay and
concurrency. A sites file (``crawl --config``) sets them per site, keyed by the site (host, and
port when not the default: two sites on one host are two sites), so requests to a configured
site are put in that slot here. Sites are then fetched at once, each at its own pace.

AutoThrottle adjusts every slot's delay between ``DOWNLOAD_DELAY`` and
``AUTOTHROTTLE_MAX_DELAY`` from the latencies it sees: a site asking for 5 s between requests
would soon get 0.25 s if it answered fast. Requests to a site with a configured delay are
marked so that AutoThrottle leaves that delay alone.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.crawler import Crawler

from regarchive.pipelines.extraction.urls import site_of


class SiteSlotsMiddleware:
    """Downloader middleware: requests to a site of ``DOWNLOAD_SLOTS`` go to its slot."""

    def __init__(self, slots: dict[str, dict]) -> None:
        self.slots = slots
        self.fixed_delay = frozenset(site for site, slot in slots.items() if "delay" in slot)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteSlotsMiddleware:
        return cls(crawler.settings.getdict("DOWNLOAD_SLOTS"))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if not self.slots:
            return
        site = site_of(request.url)
        if site in self.slots:
            request.meta.setdefault("download_slot", site)
            if site in self.fixed_delay:
                request.meta.setdefault("autothrottle_dont_adjust_delay", True)
