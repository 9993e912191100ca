"""The generic rubric spider: from rubric listing URLs to raw article pages.

Listing pages (the start URLs and their pagination) are read for article links; every link seen
is reported as a :class:`Sighting` (rubric, label, category hint) so that an article listed in
two rubrics belongs to both even though it is fetched once. Article pages are extracted in
worker processes (:class:`PageExtractor`); the "Dans la même rubrique" links of the record are
followed as further articles, through Scrapy's spider middlewares like any other link.

What the crawl shares with its middlewares and pipelines (sites, archive, what was requested
and reported) is the :class:`CrawlState`. What each site announces (robots.txt's sitemaps,
sitemaps, rubric feeds) is read by :class:`Announcements`, which decides which known articles
are fetched again and finds articles the listings walked did not show.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from regarchive.archive.clock import utc_timestamp
from regarchive.pipelines.extraction.urls import (
    excluded_reason,
    is_pagination_of,
    looks_like_listing,
    normalize_url,
    site_of,
)
from regarchive.pipelines.extractor import PageExtractor
from regarchive.scraper import listing
from regarchive.scraper.announcements import Announcements
from regarchive.scraper.articles import article_page, is_html, related_sightings
from regarchive.scraper.attachments import (
    attachment_fetch,
    attachment_request,
    failed_attachment,
)
from regarchive.scraper.failures import describe_failure
from regarchive.scraper.items import FailedFetch, Sighting, Sightings
from regarchive.scraper.state import CrawlState

ARTICLE_PRIORITY = 10


def _split_start_urls(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    return [normalize_url(url) for url in value if url.strip()]


class RubricSpider(scrapy.Spider):
    """Crawl rubric listings (``-a start_urls=URL[,URL…]``) and the articles they list."""

    name = "rubric"
    extractor: PageExtractor

    def __init__(self, start_urls: str | list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = _split_start_urls(start_urls)
        if not self.start_urls:
            raise ValueError("no start URL given: pass -a start_urls=URL[,URL…]")
        # OffsiteMiddleware matches host names only; the port check is SiteBoundaryMiddleware's.
        self.allowed_domains = sorted({site_of(url).split(":")[0] for url in self.start_urls})
        # Documents requested in this run (before Scrapy schedules them: several articles of
        # one listing page link the same annex).
        self._attachments_asked: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> RubricSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.response_received, signal=signals.response_received)
        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def spider_opened(self) -> None:
        # Not in from_crawler: Scrapy creates the spider before the crawl's stats.
        self.extractor = PageExtractor.from_crawler(self.crawler)

    @cached_property
    def state(self) -> CrawlState:
        """The crawl's shared state (built by Scrapy after the spider, as an extension)."""
        return CrawlState.of(self.crawler)

    @cached_property
    def announcements(self) -> Announcements:
        return Announcements(self)

    # Callbacks of the announcements' requests are the spider's: a request waiting in a shared
    # frontier (``--frontier``) is stored with its callback's name, which must be the spider's.
    def parse_sitemap(self, response: Response) -> list[Any]:
        return self.announcements.parse_sitemap(response)

    def parse_feed(self, response: Response) -> list[Any]:
        return self.announcements.parse_feed(response)

    def announcement_failed(self, failure: Failure) -> list[Any]:
        return self.announcements.failed(failure)

    def response_received(self, response: Response, request: scrapy.Request) -> None:
        """robots.txt (fetched by Scrapy's RobotsTxtMiddleware) names the sitemaps."""
        self.announcements.robots_received(response, request)

    def spider_idle(self) -> None:
        """Before closing: what is left of the sites' announcements (the pages only a sitemap
        lists, a site whose robots.txt never came)."""
        outputs = self.announcements.idle()
        for output in outputs:
            if isinstance(output, scrapy.Request):
                self.schedule(output)
            else:  # a sighting or hints, from a site whose discovery ends here
                scraper = self.crawler.engine.scraper
                deferred_from_coro(scraper.start_itemproc_async(output, response=None))
        if outputs:
            raise DontCloseSpider

    def schedule(self, request: scrapy.Request) -> None:
        """A request made outside a callback (robots.txt is caught from a signal)."""
        self.crawler.engine.crawl(request)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        requested = self.state.requested
        self.crawler.stats.set_value("regarchive/start_urls", len(self.start_urls))
        for url in self.start_urls:
            requested.add(url)
            yield self._listing_request(url, url)
        # Pages that failed in the last runs are tried again, with the role they had, and
        # before the revisits: they are due whatever the revisit policy says.
        for url in self.state.archive.failed_urls:
            for request in self._retry_requests(url):
                self.crawler.stats.inc_value("regarchive/failed_retried")
                yield request
        # Known articles are re-checked because the archive holds them, not because a listing
        # still shows them: corrections to old circulars happen long after they leave page 1.
        # Those the revisit policy does not find due are not requested at all (a listing that
        # shows them again is answered by ConditionalRequestsMiddleware): a nightly rerun of a
        # large archive schedules almost nothing.
        # Those of a site that reads its announcements are judged once they are read.
        now = datetime.now(timezone.utc)
        for url, known in self.state.archive.revisits():
            if url in requested or not self.state.on_site(url):
                continue  # already fetched in this run (revisits are read as the crawl goes)
            if self.announcements.on(url):
                continue
            if self.state.policy_for(url).due(known, now):
                for request in self._article_request_once(url):
                    yield request
            else:
                self.crawler.stats.inc_value("regarchive/skipped_not_due")

    def closed(self, reason: str) -> None:
        self.extractor.close()

    def _retry_requests(self, url: str) -> Iterator[scrapy.Request]:
        """A request for a page that failed in an earlier run: a listing page of one of the
        start URLs, or an article of their sites (nothing else)."""
        for root in self.start_urls:
            if self._same_listing(url, root):
                if url not in self.state.requested:
                    self.state.requested.add(url)
                    yield self._listing_request(url, root)
                return
        if self._may_be_article(url):
            yield from self._article_request_once(url)

    # -- listings -------------------------------------------------------------------------

    def _listing_request(self, url: str, root: str, rubric: str | None = None) -> scrapy.Request:
        # Every listing page is at depth 0: DEPTH_LIMIT bounds chains of article links, and
        # REGARCHIVE_MAX_PAGES_PER_RUBRIC bounds paging.
        meta: dict[str, Any] = {"listing_root": root, "role": "listing", "depth_reset": True}
        if rubric:
            meta["rubric"] = rubric
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error, meta=meta)

    def parse_listing(self, response: Response) -> Iterator[Any]:
        """Read one listing page: its article links (as sightings) and its next pages."""
        root = response.meta["listing_root"]
        first_page = normalize_url(response.meta.get("redirect_urls", [response.url])[0]) == root
        if not is_html(response):
            yield self._error(response.url, response.status, "start URL is not an HTML page")
            if first_page:
                yield from self.announcements.listing_failed(root)
            return
        tree = response.selector.root
        rubric = response.meta.get("rubric") or listing.rubric_name(tree)
        self.state.rubric_names.setdefault(root, rubric)
        self.state.listing_pages[root] += 1
        self.crawler.stats.inc_value("regarchive/listing_pages")
        links = self._capped(self.article_links(response), response.url)
        if first_page:
            if not links:
                yield self._lists_nothing(root, response.status)
                yield from self.announcements.listing_failed(root)
                return
            self.crawler.stats.inc_value("regarchive/start_urls_listing")
        found_on = normalize_url(response.url)
        sightings = self.state.first_sightings(
            Sighting(link.url, rubric, link.label, link.category, found_on) for link in links
        )
        if sightings:
            yield Sightings(found_on=found_on, sightings=sightings)
        if first_page:  # the first page announces the rubric's feeds
            yield from self.announcements.listing_read(root, response, rubric)
        urls = [link.url for link in links]
        for url in self.announcements.park_known(urls):
            yield from self._article_request_once(url)
        if self._nothing_new_beyond(root, urls):
            self.crawler.stats.inc_value("regarchive/paging_stopped_early")
            self.state.stopped_early.add(root)
            return
        yield from self._pagination_requests(response, root, rubric)

    def article_links(self, response: Response) -> list[listing.ListingLink]:
        """The links of a listing page that may be articles of the crawl's sites (read by
        :mod:`regarchive.scraper.listing`; also what ``import-warc`` reads of a listing)."""
        return [
            link
            for link in listing.article_links(response.selector.root, response.url)
            if self._may_be_article(link.url)
        ]

    def _lists_nothing(self, root: str, status: int) -> FailedFetch:
        """A start URL whose page has no article link: a rubric that moved and whose URL now
        answers a "page not found" page with status 200, or a page that is no listing. Recorded
        like a page that failed, and not counted as walked."""
        message = "lists no article (a page not found, or not a rubric listing?)"
        self.logger.warning("start URL %s %s", root, message)
        self.state.incomplete_listings.add(root)
        self.crawler.stats.inc_value("regarchive/start_urls_without_articles")
        return FailedFetch(url=root, status=status, error=message, at=utc_timestamp())

    def _capped(self, links: list[listing.ListingLink], page_url: str) -> list[listing.ListingLink]:
        """The first REGARCHIVE_MAX_LINKS_PER_PAGE links of a listing page."""
        limit = self.settings.getint("REGARCHIVE_MAX_LINKS_PER_PAGE")
        if len(links) <= limit:
            return links
        self.logger.warning(
            "%s lists %d article links; only the first %d are followed "
            "(REGARCHIVE_MAX_LINKS_PER_PAGE)",
            page_url,
            len(links),
            limit,
        )
        self.crawler.stats.inc_value("regarchive/links_limit_reached")
        return links[:limit]

    def _nothing_new_beyond(self, root: str, links: list[str]) -> bool:
        """True when this listing page only lists archived articles, so later pages (older
        articles) need not be read again. Only for listings a past crawl walked to the end:
        after an interrupted first crawl, the older pages may still hold unseen articles."""
        archive = self.state.archive
        if self.state.full or root not in archive.walked_listings or not links:
            return False
        return archive.all_known(links)

    def _pagination_requests(
        self, response: Response, root: str, rubric: str | None
    ) -> Iterator[scrapy.Request]:
        limit = self.state.max_pages(root, self.settings.getint("REGARCHIVE_MAX_PAGES_PER_RUBRIC"))
        if self.state.listing_pages[root] >= limit:
            self.state.incomplete_listings.add(root)
            self.logger.warning("stopped paging %s after %d listing pages", root, limit)
            self.crawler.stats.inc_value("regarchive/pagination_limit_reached")
            return
        # Each listing page links a score of its siblings: request each once, here, rather
        # than hand Scrapy's duplicate filter twenty requests per page to fingerprint and drop.
        requested = self.state.requested
        for url in self._pagination_links(response, root):
            if url not in requested:
                requested.add(url)
                yield self._listing_request(url, root, rubric)

    @staticmethod
    def _pagination_links(response: Response, root: str) -> Iterator[str]:
        return listing.next_pages(response.selector.root, response.url, root)

    @staticmethod
    def _same_listing(url: str, root: str) -> bool:
        return listing.same_listing(url, root)

    # -- articles -------------------------------------------------------------------------

    def article_request_once(self, url: str) -> Iterator[scrapy.Request]:
        """A request for the article at ``url``, unless one was made in this run."""
        return self._article_request_once(url)

    def _article_request_once(self, url: str) -> Iterator[scrapy.Request]:
        """A request for an article link, unless one was made already: every article page
        links its ten neighbours, and Scrapy's duplicate filter is a costlier place to drop
        them."""
        if url not in self.state.requested:
            self.state.requested.add(url)
            yield self._article_request(url)

    def _article_request(self, url: str) -> scrapy.Request:
        # Articles go before further listing pages: the queue then holds one listing page's
        # links at a time instead of a whole rubric's (memory stays flat on large sites), and
        # what was found is archived before more is looked for.
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            priority=ARTICLE_PRIORITY,
            meta={"role": "article", "handle_httpstatus_list": [304]},
        )

    async def parse_article(self, response: Response) -> list[Any]:
        """The page's item to archive (extracted in a worker process: this process never parses
        an article page), then requests for the articles of its "même rubrique" block. Those
        pass through Scrapy's spider middlewares like any link: DepthMiddleware applies
        ``DEPTH_LIMIT``, UrlLengthMiddleware ``URLLENGTH_LIMIT``, RefererMiddleware the
        ``Referer`` header.

        A coroutine returning a list rather than an async generator: Scrapy then passes the
        output through the spider middlewares' synchronous path, as for the other callbacks
        (an async generator cost some 4,000 more asyncio callbacks per 500 pages).
        """
        if response.status != 304 and not is_html(response):
            self.crawler.stats.inc_value("regarchive/skipped_not_html")
            return []
        page = article_page(response)
        item = await self.extractor.extract(dict(vars(page)))
        if "error" not in item:
            item = self.announcements.after_fetch(page.url, item, response.meta)
        if "unchanged_page" in item:
            missing = response.meta.get("missing_attachments") or ()
            return [item, *self._missing_attachment_requests(page.final_url, missing)]
        if "record" not in item:
            return [item]
        related = related_sightings(page.final_url, item["record"]["related"], self._new_article)
        item["sightings"] = self.state.first_sightings(related)
        # Not marked as requested here: the spider middlewares may drop a link that a shorter
        # path reaches later; CrawlState marks what Scrapy schedules.
        requested = self.state.requested
        urls = dict.fromkeys(link.url for link in related if link.url not in requested)
        documents = self._attachment_requests(page.final_url, item["record"])
        return [item, *(self._article_request(url) for url in urls), *documents]

    # -- attachments ----------------------------------------------------------------------

    def _attachment_requests(
        self, found_on: str, record: Mapping[str, Any]
    ) -> list[scrapy.Request]:
        """Requests for the documents an extracted article links, those allowed and not
        requested in this run yet (see :mod:`regarchive.scraper.attachments`)."""
        if not self.settings.getbool("REGARCHIVE_ATTACHMENTS") or not record.get("is_article"):
            return []
        state = self.state
        requests = []
        for link in record.get("attachments") or []:
            url = link["url"]
            if url in state.requested or url in self._attachments_asked:
                continue
            request = attachment_request(
                url,
                found_on=found_on,
                known=state.archive.known_attachment(url),
                maxsize=self.settings.getint("REGARCHIVE_ATTACHMENT_MAXSIZE"),
                callback=self.parse_attachment,
                errback=self.on_error,
            )
            if not state.may_fetch(request):
                self.crawler.stats.inc_value("regarchive/attachments_other_host")
                continue
            self._attachments_asked.add(url)
            requests.append(request)
        return requests

    def _missing_attachment_requests(
        self, url: str, missing: Iterable[str]
    ) -> list[scrapy.Request]:
        """For an unchanged article page: its documents that were never fetched (``missing``,
        from what the archive knew of the page when it was asked for: a crawl stopped between
        the article and its documents). The others are re-checked only when the article
        changes."""
        archive = self.state.archive
        links = [{"url": link} for link in missing if archive.known_attachment(link) is None]
        return self._attachment_requests(url, {"is_article": True, "attachments": links})

    async def parse_attachment(self, response: Response) -> list[Any]:
        """A fetched document, read in a worker (text, pages, metadata) and handed on to be
        archived; a 304 only confirms the content the archive holds."""
        fetch = attachment_fetch(response)
        reading = await self.extractor.read_document(fetch)
        return [{"attachment": fetch, "reading": reading}]

    def _new_article(self, sighting: Sighting) -> bool:
        """A related link worth a sighting or a request: not both requested and reported in
        this run already (most of them: every article links its ten neighbours), and a
        possible article of the crawl's sites."""
        state = self.state
        if sighting.url in state.requested and state.sighting_key(sighting) in state.reported:
            return False
        return self._may_be_article(sighting.url)

    # -- shared ---------------------------------------------------------------------------

    def may_be_article(self, url: str) -> bool:
        """True when ``url`` may be an article of the crawl's sites (not a listing, a feed…)."""
        return self._may_be_article(url)

    def _may_be_article(self, url: str) -> bool:
        return (
            self.state.on_site(url)
            and excluded_reason(url) is None
            and not looks_like_listing(url)
            and not is_pagination_of(url)
        )

    def on_error(self, failure: Failure) -> Iterator[FailedFetch | dict[str, Any]]:
        """Record a page that could not be fetched; the crawl goes on.

        The URL recorded is the one requested (the first of a redirect chain), so that the next
        run, which tries failed pages again, asks for it with the role it had.
        """
        request = failure.request  # type: ignore[attr-defined]
        if request.meta.get("role") == "listing":
            root = request.meta["listing_root"]
            self.state.incomplete_listings.add(root)
            if normalize_url(request.url) == root:
                yield from self.announcements.listing_failed(root)
        problem = describe_failure(failure, self.settings)
        url = request.meta.get("redirect_urls", [request.url])[0]
        if problem is None and request.meta.get("role") == "attachment":
            # Dropped on purpose (robots.txt…): noted on the document ("not fetched: …" on its
            # items), or it would stay "never fetched" and its article be asked for again
            # every night for it.
            reason = str(failure.value)
            if "robots.txt" in reason:
                reason = "robots.txt forbids it"
            yield failed_attachment(url, None, reason)
            return
        if problem is None:
            return  # dropped on purpose (robots.txt, off-site link, not due): Scrapy counts them
        if request.meta.get("role") == "attachment":
            # Noted on the document (and so on the items linking it), not as a failed page:
            # it is asked for again when an article linking it changes.
            message = problem.message
            if problem.kind == "size_limit":
                limit = self.settings.getint("REGARCHIVE_ATTACHMENT_MAXSIZE")
                message = f"larger than {limit // 1024 // 1024} MB (REGARCHIVE_ATTACHMENT_MAXSIZE)"
            self.logger.warning("could not fetch the document %s: %s", url, message)
            self.crawler.stats.inc_value("regarchive/attachment_errors")
            yield failed_attachment(url, problem.status, message)
            return
        self.crawler.stats.inc_value(f"regarchive/errors/{problem.kind}")
        yield self._error(url, problem.status, problem.message)

    def _error(self, url: str, status: int | None, message: str) -> FailedFetch:
        self.logger.warning("could not fetch %s: %s", url, message)
        return FailedFetch(url=normalize_url(url), status=status, error=message, at=utc_timestamp())
