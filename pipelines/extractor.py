"""Extract fetched article pages in a pool of worker processes, for the spider.

The spider hands each fetched article page (a dict of ``ArticlePage``'s fields) to
:meth:`PageExtractor.extract` and gets back the item to archive: the extracted record with its
page, an unchanged page, or an extraction error. The record's "même rubrique" links are data
the spider follows like any link it finds, so Scrapy's spider middlewares (depth, URL length,
referer) see them; the crawling process itself never parses an article page.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector

from regarchive.pipelines.documents.limits import ReadLimits
from regarchive.pipelines.extraction.urls import site_of
from regarchive.pipelines.pool import ExtractionPool, default_workers

logger = logging.getLogger(__name__)


def is_unchanged(page: dict[str, Any]) -> bool:
    """A 304, or the very bytes the archive already holds: nothing to extract."""
    if page.get("status") == 304:
        return True
    previous = page.get("previous_body_hash")
    return bool(previous) and hashlib.sha256(page["body"]).hexdigest() == previous


class PageExtractor:
    """Extract article pages in a pool of worker processes.

    ``REGARCHIVE_EXTRACT_WORKERS`` sets the pool's size (default: one per core but one, at
    least one; 0 extracts in the crawling process). Pages of every response in flight are
    extracted at once, so the workers stay busy while downloads go on.
    """

    def __init__(
        self,
        stats: StatsCollector,
        workers: int,
        limits: ReadLimits | None = None,
        hints: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.stats = stats
        self.pool = ExtractionPool(workers)
        self.limits = limits or ReadLimits()
        # Extraction hints by site (host[:port]), from the sites file, as plain data: that is
        # how the workers get them.
        self.hints = hints or {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageExtractor:
        settings = crawler.settings
        workers = settings.get("REGARCHIVE_EXTRACT_WORKERS")
        count = default_workers() if workers in (None, "") else int(workers)
        limits = ReadLimits(
            seconds=settings.getfloat("REGARCHIVE_ATTACHMENT_READ_TIMEOUT"),
            pages=settings.getint("REGARCHIVE_ATTACHMENT_MAX_PAGES"),
        )
        hints = {
            site_of(site["start_urls"][0]): site["hints"]
            for site in settings.getlist("REGARCHIVE_SITES")
            if site.get("hints")
        }
        return cls(crawler.stats, count, limits, hints)

    async def read_document(self, fetch: dict[str, Any]) -> dict[str, Any] | None:
        """What the fetched document ``fetch`` holds (None when its bytes are those the archive
        has already read: ``previous_sha256``). A body that is no document (an HTML error
        page) becomes the fetch's ``error`` and is dropped."""
        body = fetch.get("body")
        if body is None:
            return None
        if fetch.get("previous_sha256") == hashlib.sha256(body).hexdigest():
            return None
        try:
            reading = await self.pool.read_document(body, fetch.get("content_type"), self.limits)
        except Exception as error:  # the reader's process could not even be started
            reading = {"warnings": [f"not read: {type(error).__name__}: {error}"]}
        if reading.get("error"):
            fetch["error"] = reading["error"]
            fetch["body"] = None
            return None
        self.stats.inc_value("regarchive/attachments_read")
        return reading

    def close(self) -> None:
        self.pool.close()

    async def extract(self, page: dict[str, Any]) -> dict[str, Any]:
        """The item to archive for ``page``: ``{"record": …, "page": …}``,
        ``{"unchanged_page": …}``, or an extraction error (``stage: "extraction"``)."""
        if is_unchanged(page):
            self.stats.inc_value("regarchive/pages_unchanged")
            return {"unchanged_page": page}
        hints = self.hints.get(site_of(page["url"])) if self.hints else None
        try:
            record = await self.pool.extract({**page, "hints": hints} if hints else page)
        except Exception as error:  # a broken page must not stop the crawl
            message = f"extraction failed: {type(error).__name__}: {error}"
            logger.warning("could not extract %s: %s", page["url"], message)
            return {
                "url": page["url"],
                "status": page.get("status"),
                "error": message,
                "at": page.get("fetched_at"),
                "stage": "extraction",
            }
        self.stats.inc_value("regarchive/pages_extracted")
        return {"record": record, "page": page}
