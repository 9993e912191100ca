"""The item pipeline of a frontier crawler: what the storage pipeline would write, pushed to the
Redis stream for ``regarchive ingest`` (this process never opens the archive).

The push is synchronous (one ``XADD`` on loopback or the LAN, a fraction of a millisecond): an
item is in Redis before Scrapy lets go of the request it came from, which is what lets a killed
crawler's requests be given back without losing or doubling anything (see
:mod:`regarchive.scraper.frontier.member`).
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro

from regarchive.pipelines.storage_pipeline import STAT_PREFIX, CrawlScope, jsonable_stats
from regarchive.scraper.frontier import entries
from regarchive.scraper.frontier.member import FrontierMember
from regarchive.scraper.state import CrawlState

logger = logging.getLogger(__name__)

FRONTIER_ERROR_STAT = STAT_PREFIX + "frontier_error"


class StreamPipeline:
    """Push records, sightings and errors to the frontier's stream."""

    def __init__(self, crawler: Crawler, scope: CrawlScope, member: FrontierMember) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.scope = scope
        self.member = member
        self.client = member.frontier.client
        self.stream = member.frontier.keys.stream
        self.pushed = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StreamPipeline:
        state = CrawlState.of(crawler)
        if state.frontier is None:
            raise RuntimeError("StreamPipeline needs REGARCHIVE_FRONTIER")
        pipeline = cls(crawler, state, state.frontier)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def _push(self, kind: str, data: dict[str, Any], body: bytes | None = None) -> None:
        fields = entries.encode(kind, self.member.id, data, body)
        self.client.xadd(self.stream, fields)  # type: ignore[arg-type]
        self.pushed += 1
        self.stats.inc_value(STAT_PREFIX + "frontier_entries")

    def open_spider(self) -> None:
        settings = self.crawler.settings
        args = {
            "user_agent": settings.get("USER_AGENT"),
            "robotstxt_obey": settings.getbool("ROBOTSTXT_OBEY"),
            "frontier_crawler": self.member.id,
            "frontier_run": self.member.run,
        }
        self._push(entries.START, {"start_urls": self.scope.start_urls, "args": args})

    def process_item(self, item: Any) -> Any:
        if self.member.broken:
            return item
        try:
            self._process(item)
        except redis.RedisError as error:
            self._stop(error)
        return item

    def _stop(self, error: redis.RedisError) -> None:
        """Redis failed under us: stop, and keep every claim (see ``FrontierMember.broken``)."""
        self.member.broken = True
        message = f"the frontier failed: {error}"
        logger.error("%s; stopping the crawl (its claimed pages go back to the queue)", message)
        self.stats.set_value(FRONTIER_ERROR_STAT, message)
        engine = self.crawler.engine
        if engine is not None:
            closing = deferred_from_coro(engine.close_spider_async(reason="frontier_error"))
            closing.addErrback(lambda failure: logger.debug("close: %s", failure.value))

    def _process(self, item: Any) -> None:
        adapter = ItemAdapter(item)
        fields = set(adapter.field_names())
        if "sightings" in fields and adapter["sightings"]:
            sightings = [ItemAdapter(s).asdict() for s in adapter["sightings"]]
            self._push(entries.SIGHTINGS, {"sightings": sightings})
            self.stats.inc_value(STAT_PREFIX + "sightings", len(sightings))
        if "record" in fields:
            record, page = adapter["record"], dict(adapter["page"])
            if not record.get("is_article"):
                self.stats.inc_value(STAT_PREFIX + "pages_not_article")
                return
            body = page.pop("body", None) or b""
            self._push(entries.RECORD, {"record": record, "page": page}, body)
        elif "unchanged_page" in fields:
            page = dict(adapter["unchanged_page"])
            page.pop("body", None)
            self._push(entries.UNCHANGED, {"page": page})
        elif "attachment" in fields:
            fetch = dict(adapter["attachment"])
            body = fetch.pop("body", None)
            self._push(
                entries.ATTACHMENT, {"fetch": fetch, "reading": adapter.get("reading")}, body
            )
        elif "error" in fields:
            error = adapter.asdict()
            self._push(entries.ERROR, error)
            self.stats.inc_value(f"{STAT_PREFIX}{error.get('stage', 'fetch')}_errors")
        if "page_hints" in fields and adapter["page_hints"]:
            hints = [list(hint) for hint in adapter["page_hints"]]
            self._push(entries.HINTS, {"hints": hints})

    def spider_closed(self, reason: str) -> None:
        """The run's listings and its end, the last entries this crawler pushes."""
        if self.member.broken:
            return
        try:
            if reason == "finished":
                self._push(entries.LISTINGS, {"listings": self.scope.walked_listings()})
            self.stats.set_value("finish_reason", reason)
            self._push(entries.END, {"reason": reason, "stats": jsonable_stats(self.stats)})
        except redis.RedisError as error:
            # The run stays "interrupted" in the archive; what was pushed before is there.
            self.stats.set_value(FRONTIER_ERROR_STAT, str(error))
            logger.error("could not close the run in the frontier: %s", error)
