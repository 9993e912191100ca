"""Item pipeline: turn each raw article page into an extracted record.

Pipelines work on any item class through :class:`ItemAdapter`; a raw page is recognised by its
``body`` field. Other items (sightings, fetch errors) pass through untouched.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

from regarchive.pipelines.pool import ExtractionPool, default_workers

logger = logging.getLogger(__name__)


def is_raw_page(adapter: ItemAdapter) -> bool:
    return "body" in adapter.field_names()


def is_unchanged(page: dict[str, Any]) -> bool:
    """A 304, or the very bytes the archive already holds: nothing to extract."""
    if page.get("status") == 304:
        return True
    previous = page.get("previous_body_hash")
    return bool(previous) and hashlib.sha256(page["body"]).hexdigest() == previous


class ExtractionPipeline:
    """Extract every fetched article page, in a pool of worker processes.

    ``REGARCHIVE_EXTRACT_WORKERS`` sets the pool's size (default: one per core but one, at
    least one; 0 extracts in the crawling process). The items of every response in flight are
    processed at once, so the workers stay busy while downloads go on. The "même rubrique"
    links a worker finds go back to the spider (``follow_related``): the crawling process never
    parses an article page.
    """

    def __init__(self, crawler: Crawler, workers: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.pool = ExtractionPool(workers)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        workers = crawler.settings.get("REGARCHIVE_EXTRACT_WORKERS")
        return cls(crawler, default_workers() if workers in (None, "") else int(workers))

    def close_spider(self) -> None:
        self.pool.close()

    async def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if not is_raw_page(adapter):
            return item
        page = adapter.asdict()
        if is_unchanged(page):
            self.stats.inc_value("regarchive/pages_unchanged")
            return {"unchanged_page": page}
        try:
            record = await self.pool.extract(page)
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
        return {"record": record, "page": page, "sightings": self._follow_related(page, record)}

    def _follow_related(self, page: dict[str, Any], record: dict[str, Any]) -> list[Any]:
        """Hand the page's "même rubrique" links back to the spider, which follows them; the
        sightings it returns are archived with the record."""
        follow = getattr(self.crawler.spider, "follow_related", None)
        if follow is None or not record.get("related"):
            return []
        return follow(page["final_url"], page.get("depth") or 0, record["related"])
