"""The Scrapy scheduler of a frontier crawler: scrapy-redis' scheduler, with one queue per site.

scrapy-redis gives the duplicate filter shared by every crawler (``RFPDupeFilter``, one Redis
set per run) and the encoding of requests in Redis. Its queue is one list for every site, from
which any crawler takes any request: politeness would then hold per process, not per site. Here
each site has its queue, and a crawler takes requests only from the sites it holds the lease of
(:class:`~regarchive.scraper.frontier.member.FrontierMember`), taking another site when those
have nothing waiting, up to ``REGARCHIVE_FRONTIER_SITES`` at once. A site stays with the
crawler that took it until that crawler leaves or dies (what a site's sitemaps and feeds
announced is followed in the process that read them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request, Spider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueue
from scrapy_redis.scheduler import Scheduler

from regarchive.pipelines.extraction.urls import site_of
from regarchive.scraper.frontier.member import FrontierMember
from regarchive.scraper.state import CrawlState

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class RequestCodec(RedisQueue):
    """scrapy-redis' encoding of requests (callbacks by name, meta pickled), without its queue."""

    def __init__(self, spider: Spider) -> None:
        super().__init__(server=None, spider=spider, key="%(spider)s")

    def encode(self, request: Request) -> bytes:
        return self._encode_request(request)

    def decode(self, data: bytes) -> Request:
        return self._decode_request(data)


class FrontierScheduler(Scheduler):
    """Requests go to their site's queue in Redis; they come from the sites this crawler
    holds."""

    member: FrontierMember
    codec: RequestCodec

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        member = CrawlState.of(crawler).frontier
        if member is None:
            raise RuntimeError("FrontierScheduler needs REGARCHIVE_FRONTIER")
        scheduler = cls(server=member.frontier.client, persist=True)
        scheduler.stats = crawler.stats
        scheduler.member = member
        scheduler.debug = crawler.settings.getbool("DUPEFILTER_DEBUG")
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.codec = RequestCodec(spider)
        keys = self.member.frontier.keys
        self.df = RFPDupeFilter(self.server, key=keys.dupefilter(self.member.run), debug=self.debug)

    def close(self, reason: str) -> None:
        """Nothing is flushed: the queues and the duplicate filter are the other crawlers' too
        (the next run starts with new ones, see :mod:`.frontier`)."""

    def __len__(self) -> int:
        return self.member.frontier.queued(self.member.held)

    def enqueue_request(self, request: Request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.member.frontier.push(
            site_of(request.url), -request.priority, self.codec.encode(request)
        )
        self._count("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        member = self.member
        member.flush()
        for site in member.rotation():
            request = member.claim(site, self.codec.decode)
            if request is not None:
                self._count("scheduler/dequeued/redis")
                return request
            if not member.busy_with(site):
                member.park(site)  # nothing waiting, nothing in flight: room for another site
        site = member.take_site()
        if site is None:
            return None
        request = member.claim(site, self.codec.decode)
        if request is not None:
            self._count("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        member = self.member
        mine = [*member.held, *member.parked]
        if mine and member.frontier.queued(mine):
            return True
        return len(member.held) < member.max_sites and any(
            member.frontier.holder(site) in (None, member.id)
            for site in member.frontier.waiting_sites(8)
        )

    def _count(self, key: str, *args: Any) -> None:
        # Without scrapy-redis' spider= argument, which Scrapy 2.19 deprecates.
        if self.stats is not None:
            self.stats.inc_value(key)
