"""Item pipeline: the one place where crawled data enters the archive.

Records, sightings and fetch errors are written through :class:`regarchive.archive.store.Archive`;
the crawl itself is recorded in the ``crawls`` table when the spider closes, with the run's
counts.

An archive that cannot be written (disk full, file too large, damaged) stops the crawl at once:
every write is one transaction, so what was committed stays, and going on would only fetch pages
to throw them away. The reason is kept in the stats (``regarchive/archive_error``) for the
command to report in one line.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from regarchive.archive.errors import ArchiveError
from regarchive.archive.store import Archive
from regarchive.pipelines.site_counts import site_stat

logger = logging.getLogger(__name__)

# Sightings are cheap and frequent: write them in batches, but always before the next item so
# an item saved later finds them.
SIGHTING_BATCH = 200
STAT_PREFIX = "regarchive/"
ARCHIVE_ERROR_STAT = STAT_PREFIX + "archive_error"
ARCHIVE_ERROR_REASON = "archive_error"


class CrawlScope(ABC):
    """What the storage pipeline knows of the crawl it records: the start URLs, and at the end
    the listings walked to their end. The crawl's state (``regarchive.scraper.state``, an
    extension of the layer above) is one; the pipeline finds it with
    ``crawler.get_extension(CrawlScope)``."""

    start_urls: list[str]

    @abstractmethod
    def walked_listings(self) -> dict[str, str | None]:
        """Start URLs whose pagination was followed to its end, with their rubric names."""


class StoragePipeline:
    """Save extracted records, sightings and errors into the archive named by ``REGARCHIVE_DB``."""

    def __init__(self, crawler: Crawler, db_path: str, scope: CrawlScope) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = db_path
        self.scope = scope
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.pending_sightings: list[dict[str, Any]] = []
        # Items already saved in this run: a second URL of the same article is a merge, not
        # another "unchanged" item.
        self.saved_items: set[int] = set()
        # Set once a write failed: nothing more is written in this run.
        self.write_error: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoragePipeline:
        scope = crawler.get_extension(CrawlScope)
        if scope is None:
            raise RuntimeError("StoragePipeline needs the crawl's state among the EXTENSIONS")
        pipeline = cls(crawler, crawler.settings.get("REGARCHIVE_DB"), scope)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        try:
            self._open()
        except ArchiveError as error:
            self._stop(error)

    def _open(self) -> None:
        self.archive = Archive(self.db_path)
        settings = self.crawler.settings
        args = {
            "user_agent": settings.get("USER_AGENT"),
            "robotstxt_obey": settings.getbool("ROBOTSTXT_OBEY"),
        }
        self.crawl_id = self.archive.start_crawl(self.scope.start_urls, args)
        self.stats.set_value(STAT_PREFIX + "crawl_id", self.crawl_id)

    def process_item(self, item: Any) -> Any:
        if self.write_error is not None:
            return item
        try:
            self._store(item)
        except ArchiveError as error:
            self._stop(error)
        return item

    def _stop(self, error: ArchiveError) -> None:
        """Stop the crawl after a failed write (see the module docstring)."""
        if self.write_error is not None:
            return
        self.write_error = str(error)
        if "disk" in self.write_error:  # SQLite says "disk I/O error" for a full disk too
            self.write_error += " (is the disk full?)"
        logger.error("%s; stopping the crawl (what was saved before is intact)", self.write_error)
        self.stats.set_value(ARCHIVE_ERROR_STAT, self.write_error)
        engine = self.crawler.engine
        if engine is not None:
            closing = deferred_from_coro(engine.close_spider_async(reason=ARCHIVE_ERROR_REASON))
            # Already closing (or not open yet): nothing more to do than not write.
            closing.addErrback(lambda failure: logger.debug("close: %s", failure.value))

    def _store(self, item: Any) -> None:
        adapter = ItemAdapter(item)
        fields = set(adapter.field_names())
        if "sightings" in fields:
            self._add_sightings(adapter["sightings"])
        if "record" in fields:
            self._save_record(adapter["record"], adapter["page"])
        elif "unchanged_page" in fields:
            self._touch_page(adapter["unchanged_page"])
        elif "attachment" in fields:
            self._save_attachment(adapter["attachment"], adapter.get("reading"))
        elif "error" in fields:
            self._save_error(adapter.asdict())
        if "page_hints" in fields and adapter["page_hints"]:
            # What the site's sitemaps and feeds said of the pages fetched: the next run
            # compares with it (see archive/page_hints.py).
            assert self.archive is not None
            self.archive.record_fetched_hints(adapter["page_hints"], self.crawl_id)

    def _save_attachment(self, fetch: dict[str, Any], reading: dict[str, Any] | None) -> None:
        """A fetched document (or why there is none), stored once per content."""
        assert self.archive is not None
        saved = self.archive.attachment_store.save(fetch, reading, self.crawl_id)
        self.stats.inc_value(f"{STAT_PREFIX}attachments_{saved.status}")

    def _add_sightings(self, sightings: list[Any]) -> None:
        self.pending_sightings += [ItemAdapter(s).asdict() for s in sightings]
        if len(self.pending_sightings) >= SIGHTING_BATCH:
            self._flush_sightings()

    def _save_record(self, record: dict[str, Any], page: dict[str, Any]) -> None:
        assert self.archive is not None
        if not record.get("is_article"):
            self.stats.inc_value(STAT_PREFIX + "pages_not_article")
            logger.debug("not an article: %s", page["url"])
            return
        self._flush_sightings()
        result = self.archive.save_item(record, page, self.crawl_id)
        self._count(result.item_id, result.status, page["url"])

    def _touch_page(self, page: dict[str, Any]) -> None:
        """A page that did not change: only its fetch time and its item's ``last_seen`` move."""
        assert self.archive is not None
        item_id = self.archive.touch_page(page, self.crawl_id)
        if item_id is not None:
            self._count(item_id, "unchanged", page["url"])

    def _count(self, item_id: int, status: str, url: str) -> None:
        if item_id in self.saved_items:
            self.stats.inc_value(STAT_PREFIX + "urls_merged")
            return
        self.saved_items.add(item_id)
        self.stats.inc_value(f"{STAT_PREFIX}items_{status}")
        self.stats.inc_value(site_stat(url, f"items_{status}"))

    def _save_error(self, error: dict[str, Any]) -> None:
        assert self.archive is not None
        self.archive.record_error(self.crawl_id, error["url"], error["status"], error["error"])
        self.stats.inc_value(f"{STAT_PREFIX}{error.get('stage', 'fetch')}_errors")
        self.stats.inc_value(site_stat(error["url"], "errors"))

    def _flush_sightings(self) -> None:
        if self.pending_sightings and self.archive is not None:
            self.archive.add_sightings(self.pending_sightings, self.crawl_id)
            self.stats.inc_value(STAT_PREFIX + "sightings", len(self.pending_sightings))
            self.pending_sightings = []

    def spider_closed(self, reason: str) -> None:
        """Close the crawl's record once Scrapy knows why it finished."""
        if self.archive is None or self.crawl_id is None:
            return
        try:
            if self.write_error is None:
                self._close_run(reason)
        except ArchiveError as error:
            # The run stays "interrupted" in the archive; the stats say why.
            self.write_error = self.write_error or str(error)
            self.stats.set_value(ARCHIVE_ERROR_STAT, self.write_error)
            logger.error("%s; the run could not be closed in the archive", error)
        finally:
            self.archive.close()
            self.archive = None

    def _close_run(self, reason: str) -> None:
        assert self.archive is not None and self.crawl_id is not None
        self._flush_sightings()
        if reason == "finished":
            self.archive.record_listings(self.scope.walked_listings(), self.crawl_id)
        counts = crawl_counts(self.stats.get_stats())
        self.archive.finish_crawl(
            self.crawl_id, finish_reason=reason, counts=counts, stats=jsonable_stats(self.stats)
        )


def crawl_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The counts the ``crawls`` table keeps for a run, from Scrapy's stats."""

    def stat(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    statuses = {
        int(key.rsplit("/", 1)[1]): int(value)
        for key, value in stats.items()
        if key.startswith("downloader/response_status_count/")
    }
    return {
        "requests": stat("downloader/request_count"),
        "pages_ok": sum(v for code, v in statuses.items() if 200 <= code < 300),
        "pages_not_modified": statuses.get(304, 0),
        "errors": stat(STAT_PREFIX + "fetch_errors") + stat(STAT_PREFIX + "extraction_errors"),
        "items_new": stat(STAT_PREFIX + "items_inserted"),
        "items_updated": stat(STAT_PREFIX + "items_updated"),
        "items_unchanged": stat(STAT_PREFIX + "items_unchanged"),
    }


def jsonable_stats(stats_collector: Any) -> dict[str, Any]:
    """Scrapy's stats with datetimes as ISO strings, ready for a JSON column."""
    return {
        key: value.isoformat() if hasattr(value, "isoformat") else value
        for key, value in stats_collector.get_stats().items()
    }
