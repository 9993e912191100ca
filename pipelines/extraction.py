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

from pipelines.extract import extract_record

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
    """Run :func:`pipelines.extract.extract_record` on every fetched article page."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if not is_raw_page(adapter):
            return item
        page = adapter.asdict()
        if is_unchanged(page):
            self.stats.inc_value("regarchive/pages_unchanged")
            return {"unchanged_page": page}
        try:
            record = extract_record(
                page["body"],
                page["url"],
                content_type=page.get("content_type"),
                final_url=page.get("final_url"),
            )
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
