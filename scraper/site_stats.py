"""Counts per site, for a crawl of several sites: each one's summary line and ``status`` row.

Stats named ``regarchive/site/<site>/<count>`` (see :mod:`regarchive.pipelines.site_counts`):
``requests`` (that reached the downloader), ``pages_ok`` (2xx), ``pages_not_modified`` (304)
here; ``errors`` and ``items_<status>`` in the storage pipeline. The names of the sites of a
sites file are kept in the stats too (``regarchive/site_names``), so that a run read back from
the archive can still say "territoires" rather than a host name.
"""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from regarchive.pipelines.extraction.urls import site_of
from regarchive.pipelines.site_counts import SITE_NAMES, site_stat


class SiteStats:
    """Extension: requests and responses per site (items and errors: the storage pipeline)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        names = {
            site_of(site["start_urls"][0]): site["name"]
            for site in crawler.settings.getlist("REGARCHIVE_SITES")
        }
        if names:
            self.stats.set_value(SITE_NAMES, names)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteStats:
        extension = cls(crawler)
        crawler.signals.connect(extension.reached, signal=signals.request_reached_downloader)
        crawler.signals.connect(extension.received, signal=signals.response_received)
        return extension

    def reached(self, request: Request) -> None:
        self.stats.inc_value(site_stat(request.url, "requests"))

    def received(self, response: Response, request: Request) -> None:
        if 200 <= response.status < 300:
            self.stats.inc_value(site_stat(request.url, "pages_ok"))
        elif response.status == 304:
            self.stats.inc_value(site_stat(request.url, "pages_not_modified"))
