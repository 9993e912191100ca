"""The crawl side of discovery: what each site announces decides what a rerun fetches.

For a site with discovery on (``REGARCHIVE_DISCOVERY``, or its sites-file table):

1. robots.txt, which Scrapy fetches before anything else of the site (its response is caught
   from the ``response_received`` signal: no second request), names the sitemaps, else
   ``/sitemap.xml`` is asked; sitemap indexes are followed;
2. the first page of each start URL announces its feeds (``<link rel="alternate">``); SPIP's
   per-rubric feed (``id_rubrique=N``) belongs to that rubric;
3. meanwhile, listings' links to articles the archive holds are parked, and known articles are
   not revisited yet: once everything the site announced is read, each is judged by what it
   says of it, compared with what it said at the article's last fetch: changed, the article is
   fetched again (a conditional request) whatever the revisit policy; unchanged, not (a safety
   net re-checks it every ``revisit_old_every_days``); not announced at all, the revisit policy
   decides as before;
4. once every listing is walked and every related link followed, pages a rubric feed lists,
   or a sitemap lists with a date when a listing of the site stopped paging early, that nothing
   fetched in the run linked are fetched (at most ``REGARCHIVE_DISCOVERY_MAX_NEW`` per run and
   site): each is archived if its breadcrumb names a rubric the crawl follows, else only
   remembered (its hints), so that it is not fetched again until its date changes, and not
   counted in the crawl's health;
5. what the sitemaps and feeds said of each page fetched is recorded with the fetch
   (``page_hints``); a feed's publication date fills in ``published`` (``published_source``
   ``feed``) for an article whose page shows none.

A sitemap or feed that cannot be read is a warning in the log; the crawl goes on from the
listings, with the revisit policy for what was not announced.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from regarchive.pipelines.extraction.dates import parse_french_date
from regarchive.pipelines.extraction.urls import normalize_url, site_of
from regarchive.scraper.discovery.changes import Listed, changed_since_fetch
from regarchive.scraper.discovery.links import feed_links
from regarchive.scraper.discovery.tracker import rubric_of_feed
from regarchive.scraper.incremental import KnownPage
from regarchive.scraper.items import PageHints

if TYPE_CHECKING:
    from regarchive.scraper.spiders.rubric import RubricSpider

logger = logging.getLogger(__name__)

# Before articles (10) and listings (0): what a site announces decides what else to fetch.
DISCOVERY_PRIORITY = 20
# Responses to sitemap and feed requests: not pages, so not in the crawl's health ratio.
DISCOVERY_RESPONSES = "regarchive/discovery/responses"
NO_DATE_WARNING = "no publication date found"
FEED_DATE_WARNING = "publication date from the site's feed (the page shows none)"


class Announcements:
    """What the spider asks of each site's robots.txt, sitemaps and feeds, and what it does
    with what they say. Every method returns what the spider should yield or schedule."""

    def __init__(self, spider: RubricSpider) -> None:
        self.spider = spider
        self.state = spider.state
        self.discovery = spider.state.discovery
        self.stats = spider.crawler.stats
        # Sites whose announcements were judged, and whose sitemap-only pages were looked at.
        self.judged: set[str] = set()
        self.looked_beyond: set[str] = set()

    def on(self, url: str) -> bool:
        """True when the site of ``url`` reads its announcements."""
        return self.discovery.of(url) is not None

    # -- requests -------------------------------------------------------------------------

    def _request(self, url: str, role: str, **meta: Any) -> scrapy.Request:
        spider = self.spider
        callback = spider.parse_sitemap if role == "sitemap" else spider.parse_feed
        self.stats.inc_value(f"regarchive/discovery/{role}s")
        return scrapy.Request(
            url,
            callback=callback,
            errback=spider.announcement_failed,
            priority=DISCOVERY_PRIORITY,
            meta={"role": role, **meta},
        )

    # -- what comes back --------------------------------------------------------------------

    def robots_received(self, response: Response, request: scrapy.Request) -> None:
        """Scrapy's ``response_received`` signal: robots.txt of a site that reads its
        announcements names its sitemaps (else ``/sitemap.xml`` is asked)."""
        if urlsplit(request.url).path != "/robots.txt" or not self.on(request.url):
            return
        body = response.body if response.status == 200 else None
        for url in self.discovery.robots(normalize_url(request.url), body):
            self.spider.schedule(self._request(url, "sitemap"))

    def parse_sitemap(self, response: Response) -> list[Any]:
        url = normalize_url(response.request.url)
        children = self.discovery.sitemap(url, response.body)
        self.stats.inc_value("regarchive/discovery/sitemaps_read")
        self.stats.inc_value(DISCOVERY_RESPONSES)
        return [*(self._request(child, "sitemap") for child in children), *self._progress(url)]

    def parse_feed(self, response: Response) -> list[Any]:
        url = normalize_url(response.request.url)
        self.discovery.feed(url, response.body, response.meta.get("feed_rubric"))
        self.stats.inc_value("regarchive/discovery/feeds_read")
        self.stats.inc_value(DISCOVERY_RESPONSES)
        return self._progress(url)

    def failed(self, failure: Failure) -> list[Any]:
        """A sitemap or feed that could not be fetched: a warning, never a failed page (it is
        not retried as one), and the site's discovery goes on without it."""
        request = failure.request  # type: ignore[attr-defined]
        url = normalize_url(request.url)
        reason = getattr(failure.value, "response", None)
        status = f"HTTP {reason.status}" if reason is not None else failure.getErrorMessage()
        if reason is not None:
            self.stats.inc_value(DISCOVERY_RESPONSES)
        logger.warning("could not read the %s %s (%s)", request.meta["role"], url, status)
        self.stats.inc_value("regarchive/discovery/unreadable")
        if request.meta["role"] == "sitemap":
            self.discovery.sitemap(url, None)
        else:
            self.discovery.feed(url, None, None)
        return self._progress(url)

    def listing_read(self, root: str, response: Response, rubric: str | None) -> list[Any]:
        """The first page of the listing ``root``: the feeds it announces."""
        if not self.on(root):
            return []
        links = feed_links(response.selector.root, response.url)
        feeds = self.discovery.listing_read(root, links)
        requests = [
            self._request(url, "feed", feed_rubric=rubric_of_feed(url, rubric)) for url in feeds
        ]
        return [*requests, *self._progress(root)]

    def listing_failed(self, root: str) -> list[Any]:
        if not self.on(root):
            return []
        self.discovery.listing_failed(root)
        return self._progress(root)

    # -- known articles -----------------------------------------------------------------------

    def park_known(self, urls: list[str]) -> list[str]:
        """Of the article links of a listing page, those to request now: all of them, except
        links to archived articles of a site whose announcements are still being read, which
        are judged once they are."""
        waiting = [url for url in urls if self.on(url) and not self.discovery.complete(url)]
        if not waiting:
            return urls
        known = self.state.archive.known_urls(waiting)
        for url in known:
            self.state.parked.setdefault(site_of(url), {})[url] = None
        return [url for url in urls if url not in known]

    def _progress(self, url: str) -> list[Any]:
        """Once everything the site of ``url`` announced is read: judge its known articles,
        request what its feeds list that the listings did not, record the hints of the pages
        fetched meanwhile."""
        site = site_of(url)
        if site in self.judged or not self.discovery.complete(url):
            return []
        self.judged.add(site)
        books = self.discovery.of(url)
        assert books is not None
        for warning in books.warnings:
            logger.warning("%s", warning)
        if books.warnings:
            self.stats.inc_value("regarchive/discovery/warnings", len(books.warnings))
        listed = self.discovery.listed(url)
        self.stats.set_value(f"regarchive/discovery/listed/{site}", len(listed))
        outputs: list[Any] = []
        early = list(self.state.fetched_early.pop(site, {}))
        hints = [hint for page in early for hint in self._hints(page, listed)]
        if hints:
            outputs.append(PageHints(hints))
        outputs += self._judge_known(site, listed)
        return outputs

    def _judge_known(self, site: str, listed: dict[str, Listed]) -> list[Any]:
        parked = self.state.parked.pop(site, {})
        archive = self.state.archive
        known: dict[str, KnownPage] = {}
        for url in parked:
            page = archive.known_page(url)
            if page is not None:
                known[url] = page
        for url, page in archive.revisits():
            if site_of(url) == site:
                known.setdefault(url, page)
        requested = self.state.requested
        candidates = {url: page for url, page in known.items() if url not in requested}
        recorded = archive.fetched_hints([url for url in candidates if url in listed])
        now = datetime.now(timezone.utc)
        requests = []
        for url, page in candidates.items():
            policy = self.state.policy_for(url)
            if url in listed:
                changed = changed_since_fetch(listed[url].hints, recorded.get(url))
                due = policy.due_by_announcement(page, changed, now)
                if changed:
                    self.stats.inc_value("regarchive/discovery/changed")
            else:
                due = policy.due(page, now)
            if not due and not self.state.documents_missing(url, page):
                unchanged = url in listed
                self.stats.inc_value(
                    "regarchive/discovery/unchanged" if unchanged else "regarchive/skipped_not_due"
                )
                continue
            for request in self.spider.article_request_once(url):
                request.meta["due"] = True
                requests.append(request)
        return requests

    # -- when the crawl has nothing else to do --------------------------------------------------

    def idle(self) -> list[Any]:
        """What to do before the crawl may close: ask the sitemaps of sites whose robots.txt
        never came (it failed); then, with every listing walked and every related link
        followed, the pages only the feeds or sitemaps list."""
        requests: list[scrapy.Request] = []
        sites = [
            books for books in self.discovery.sites.values() if self.state.works_on(books.site)
        ]
        for books in sites:
            if not books.robots_done:
                robots_url = f"{urlsplit(next(iter(books.roots))).scheme}://{books.site}/robots.txt"
                for url in self.discovery.robots(robots_url, None):
                    requests.append(self._request(url, "sitemap"))
        if requests:
            return requests
        for site in self.discovery.give_up(books.site for books in sites):
            logger.warning("%s: announcements not all read; the crawl goes on without", site)
        outputs: list[Any] = []
        for books in sites:
            root = next(iter(books.roots))
            outputs += self._progress(root)
            if books.site not in self.looked_beyond:
                self.looked_beyond.add(books.site)
                outputs += self._beyond_listings(books.site, self.discovery.listed(root))
        return outputs

    def _beyond_listings(self, site: str, listed: dict[str, Listed]) -> list[scrapy.Request]:
        """Pages a rubric feed, or a sitemap with a date, lists that nothing this run fetched
        linked: each fetched once (again when its date changes) to see whether its breadcrumb
        names a rubric the crawl follows; a rubric feed's first (SPIP's list the sub-rubrics'
        articles too), at most ``REGARCHIVE_DISCOVERY_MAX_NEW``. A sitemap's only when a listing
        of the site stopped paging early: walked to its end, a listing leaves none of its
        articles beyond it, and the sitemap's others are of rubrics the crawl does not follow."""
        limit = self.spider.settings.getint("REGARCHIVE_DISCOVERY_MAX_NEW")
        books = self.discovery.sites[site]
        paged_all = not (books.roots & self.state.stopped_early)
        # A page a sitemap lists without a date is an old one (SPIP dates only those modified
        # in the last day): on a rerun, most likely of a rubric the crawl does not follow.
        urls = sorted(
            (
                url
                for url, entry in listed.items()
                if (entry.rubric or (not paged_all and any(entry.hints.values())))
                and url not in self.state.requested
                and self.spider.may_be_article(url)
            ),
            key=lambda url: listed[url].rubric is None,
        )
        if not urls or limit <= 0:
            return []
        known = self.state.archive.known_urls(urls)
        recorded = self.state.archive.fetched_hints(urls)
        requests = []
        for url in urls:
            if url in known or (
                url in recorded and not changed_since_fetch(listed[url].hints, recorded[url])
            ):
                continue
            if len(requests) >= limit:
                self.stats.inc_value("regarchive/discovery/beyond_limit_reached")
                break
            for request in self.spider.article_request_once(url):
                request.meta["check_rubric"] = True
                requests.append(request)
        self.stats.inc_value("regarchive/discovery/beyond_listings", len(requests))
        return requests

    # -- an article page fetched --------------------------------------------------------------

    def after_fetch(self, url: str, item: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
        """The item of an article page fetched, with what the site announced of it: the hints
        to record, a feed's publication date when the page shows none; a page only a sitemap
        listed, of no rubric the crawl follows, is not archived (only its hints are kept, so
        that it is not fetched again until it changes)."""
        if not self.on(url):
            return item
        if not self.discovery.complete(url):
            self.state.fetched_early.setdefault(site_of(url), {})[url] = None
            return item
        listed = self.discovery.listed(url)
        hints = list(self._hints(url, listed))
        record = item.get("record")
        if record is not None and meta.get("check_rubric") and not self._in_crawled_rubric(record):
            self.stats.inc_value("regarchive/discovery/other_rubrics")
            # Not one of the crawl's pages: its answer is not in the crawl's health ratio.
            self.stats.inc_value(DISCOVERY_RESPONSES)
            return {"page_hints": hints}
        if record is not None and url in listed:
            _feed_date(record, listed[url])
        if hints:
            item["page_hints"] = hints
        return item

    def _in_crawled_rubric(self, record: dict[str, Any]) -> bool:
        crawled = {name.casefold() for name in self.state.rubric_names.values() if name}
        return any(rubric.casefold() in crawled for rubric in record.get("rubrics") or [])

    @staticmethod
    def _hints(url: str, listed: dict[str, Listed]) -> Iterable[tuple[str, str, str]]:
        entry = listed.get(url)
        if entry is not None:
            yield from ((url, source, hint) for source, hint in entry.hints.items())


def _feed_date(record: dict[str, Any], entry: Listed) -> None:
    """A feed's publication date for an article whose page shows none, said so."""
    if record.get("published") or not entry.published:
        return
    day = parse_french_date(entry.published).value
    if day is None:
        return
    record["published"] = day
    record["published_source"] = "feed"
    warnings = [w for w in record.get("warnings") or [] if w != NO_DATE_WARNING]
    record["warnings"] = [*warnings, FEED_DATE_WARNING]
