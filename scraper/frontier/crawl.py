"""A crawl in a frontier: its settings, and its crawl state over Redis."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scrapy.settings import Settings

from regarchive.pipelines.extraction.urls import site_of
from regarchive.scraper.frontier.archive_view import (
    FrontierArchiveView,
    IncompleteListings,
    ListingPages,
    RubricNames,
    wait_for_state,
)
from regarchive.scraper.frontier.connection import FrontierError, connect
from regarchive.scraper.frontier.frontier import Frontier
from regarchive.scraper.frontier.keys import FrontierKeys
from regarchive.scraper.frontier.member import FrontierMember, new_crawler_id
from regarchive.scraper.state import CrawlState

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

FRONTIER_SCHEDULER = "regarchive.scraper.frontier.scheduler.FrontierScheduler"
PUSH_PIPELINE = "regarchive.scraper.frontier.push.StreamPipeline"


def use_frontier(settings: Settings, url: str) -> None:
    """Make ``settings`` those of a crawler of the frontier at ``url``: scrapy-redis' duplicate
    filter and our per-site queues, the stream instead of the archive."""
    settings.set("REGARCHIVE_FRONTIER", url, priority="cmdline")
    settings.set("SCHEDULER", FRONTIER_SCHEDULER, priority="cmdline")
    settings.set("ITEM_PIPELINES", {PUSH_PIPELINE: 800}, priority="cmdline")
    # scrapy-redis' blocking pop would hold the reactor thread; our pops never block.
    settings.set("SCHEDULER_IDLE_BEFORE_CLOSE", 0, priority="cmdline")


def register(settings: Settings) -> None:
    """Register this crawler in the frontier now, before Scrapy starts (a second or so), and
    wait for the archive's state: an ``ingest --until-idle`` started meanwhile sees a crawler
    alive and does not take the frontier for idle. Raises FrontierError (and leaves) when the
    state does not come."""
    client = connect(settings.get("REGARCHIVE_FRONTIER"))
    try:
        frontier = Frontier(client, FrontierKeys(), settings.getfloat("REGARCHIVE_FRONTIER_LEASE"))
        crawler_id = new_crawler_id()
        frontier.join(crawler_id)
        try:
            wait_for_state(
                client,
                frontier.keys,
                settings.getfloat("REGARCHIVE_FRONTIER_WAIT"),
                keep_alive=lambda: frontier.heartbeat(crawler_id),
            )
        except FrontierError:
            frontier.leave(crawler_id)
            raise
        settings.set("REGARCHIVE_FRONTIER_CRAWLER", crawler_id, priority="cmdline")
    finally:
        client.close()


def frontier_crawl_state(crawler: Crawler, start_urls: Iterable[str]) -> CrawlState:
    """The crawl state of a frontier crawler (see :meth:`CrawlState.from_crawler`)."""
    settings = crawler.settings
    start_urls = list(start_urls)
    client = connect(settings.get("REGARCHIVE_FRONTIER"))
    keys = FrontierKeys()
    wait_for_state(client, keys, settings.getfloat("REGARCHIVE_FRONTIER_WAIT"))
    frontier = Frontier(client, keys, settings.getfloat("REGARCHIVE_FRONTIER_LEASE"))
    member = FrontierMember(
        frontier,
        settings.getint("REGARCHIVE_FRONTIER_SITES"),
        settings.get("REGARCHIVE_FRONTIER_CRAWLER") or None,
    )
    member.connect(crawler)
    sites = {site_of(url) for url in start_urls}
    state = CrawlState.configured(settings, start_urls, FrontierArchiveView(client, keys, sites))
    state.frontier = member
    # The run's listing counters, shared by the crawlers (same operations as the local ones).
    state.listing_pages = ListingPages(client, keys.listing_pages(member.run))  # type: ignore[assignment]
    state.rubric_names = RubricNames(client, keys.rubric_names(member.run))  # type: ignore[assignment]
    state.incomplete_listings = IncompleteListings(  # type: ignore[assignment]
        client, keys.incomplete_listings(member.run)
    )
    crawler.stats.set_value("regarchive/frontier_crawler", member.id)
    crawler.stats.set_value("regarchive/frontier_run", member.run)
    return state
