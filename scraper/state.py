"""What the parts of one crawl share, in one public object.

The spider, the downloader middlewares (site boundary, conditional requests) and the storage
pipeline all need the crawl's sites, what the archive already holds, and what this run has
requested and reported. :class:`CrawlState` holds it. It is a Scrapy extension: Scrapy builds it
once per crawl, after the spider and before the engine with its middlewares and pipelines, and
each part takes it in ``from_crawler`` with :meth:`CrawlState.of`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals

from regarchive.pipelines.extraction.urls import site_of
from regarchive.pipelines.storage_pipeline import CrawlScope
from regarchive.scraper.discovery.tracker import Discovery
from regarchive.scraper.host_patterns import HostPatterns
from regarchive.scraper.incremental import ArchiveState, KnownPage, RevisitPolicy
from regarchive.scraper.items import Sighting

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from regarchive.scraper.frontier.member import FrontierMember
    from regarchive.scraper.incremental import ArchiveView

SightingKey = tuple[str, str | None, str]


class CrawlState(CrawlScope):
    """The sites, the archive as the crawl sees it, and this run's bookkeeping."""

    def __init__(
        self,
        start_urls: Iterable[str] = (),
        archive: ArchiveView | None = None,
        policy: RevisitPolicy | None = None,
        attachment_hosts: HostPatterns | None = None,
        *,
        site_tables: Iterable[Mapping[str, Any]] = (),
        site_policies: Mapping[str, RevisitPolicy] | None = None,
        fetch_attachments: bool = True,
        discovery: bool = False,
    ) -> None:
        self.start_urls = list(start_urls)
        # host:port of the start URLs: nothing else is requested.
        self.sites = frozenset(site_of(url) for url in self.start_urls)
        self.archive: ArchiveView = archive or ArchiveState()
        self.policy = policy or RevisitPolicy()
        # Other hosts the documents articles link may be fetched from: for every site, and for
        # the articles of a site whose table in a sites file names its own.
        self.attachment_hosts = attachment_hosts or HostPatterns()
        self.fetch_attachments = fetch_attachments
        # A sites file's tables by site, and the revisit policy of each site that sets its own.
        self.site_tables = {site_of(table["start_urls"][0]): table for table in site_tables}
        self.site_attachment_hosts = {
            site: HostPatterns.parse(table.get("attachment_hosts"))
            for site, table in self.site_tables.items()
            if table.get("attachment_hosts")
        }
        self.site_policies = dict(site_policies or {})
        # robots.txt's sitemaps, sitemaps and rubric feeds, read for the sites that want it
        # (``discovery``: the crawl's default; a sites file's table may say otherwise).
        self.discovery = Discovery(
            self.start_urls,
            [
                site
                for site in self.sites
                if self.site_tables.get(site, {}).get("discovery", discovery)
            ],
        )
        # Known articles listings linked while their site's announcements were still being
        # read, and article pages fetched meanwhile: judged, and their hints recorded, then.
        self.parked: dict[str, dict[str, None]] = {}
        self.fetched_early: dict[str, dict[str, None]] = {}
        # URLs scheduled in this run (every request, as Scrapy schedules it): a link to one of
        # them is not requested again.
        self.requested: set[str] = set()
        # (url, rubric, label) of the sightings handed over in this run.
        self.reported: set[SightingKey] = set()
        # Listing pages read per start URL, and the rubric name each start URL showed.
        self.listing_pages: Counter[str] = Counter()
        self.rubric_names: dict[str, str | None] = {}
        # Listings whose walk was cut short (page limit, a page that failed): not "fully walked".
        self.incomplete_listings: set[str] = set()
        # Listings whose paging stopped at a page of known articles: older pages were not read.
        self.stopped_early: set[str] = set()
        # This process's place in a shared frontier (``--frontier``), None for a crawl alone.
        self.frontier: FrontierMember | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlState:
        """The state of the crawl of ``crawler.spider`` (its ``start_urls``) into the archive
        named by ``REGARCHIVE_DB``; the archive stays open for lookups until the spider
        closes. With ``REGARCHIVE_FRONTIER``, the archive is what the ingester published in
        Redis, and the listing counters are the run's, shared by every crawler."""
        settings = crawler.settings
        start_urls = crawler.spider.start_urls if crawler.spider is not None else []
        if settings.get("REGARCHIVE_FRONTIER"):
            from regarchive.scraper.frontier.crawl import frontier_crawl_state

            state = frontier_crawl_state(crawler, start_urls)
            crawler.signals.connect(state.request_scheduled, signal=signals.request_scheduled)
            return state
        state = cls.configured(
            settings, start_urls, ArchiveState.load(settings.get("REGARCHIVE_DB"))
        )
        crawler.signals.connect(state.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(state.close, signal=signals.spider_closed)
        return state

    @classmethod
    def configured(
        cls, settings: Any, start_urls: Iterable[str], archive: ArchiveView
    ) -> CrawlState:
        """The state of a crawl of ``start_urls`` as ``settings`` (and a sites file's tables,
        ``REGARCHIVE_SITES``) say, over ``archive``."""
        tables = settings.getlist("REGARCHIVE_SITES")
        return cls(
            start_urls,
            archive,
            RevisitPolicy.from_settings(settings),
            attachment_hosts=HostPatterns.parse(settings.get("REGARCHIVE_ATTACHMENT_HOSTS")),
            site_tables=tables,
            site_policies={
                site_of(table["start_urls"][0]): RevisitPolicy.from_settings(settings, table)
                for table in tables
            },
            discovery=settings.getbool("REGARCHIVE_DISCOVERY"),
            fetch_attachments=settings.getbool("REGARCHIVE_ATTACHMENTS"),
        )

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlState:
        """The state of the crawl ``crawler`` runs (the extension Scrapy built)."""
        state = crawler.get_extension(cls)
        if state is None:
            raise RuntimeError(f"{cls.__module__}.{cls.__qualname__} is missing from EXTENSIONS")
        return state

    @property
    def full(self) -> bool:
        """Re-check every known article and walk every listing to its end."""
        return self.policy.full

    def policy_for(self, url: str) -> RevisitPolicy:
        """The revisit policy of the site of ``url`` (its table's, else the crawl's)."""
        return self.site_policies.get(site_of(url), self.policy)

    def max_pages(self, root: str, default: int) -> int:
        """Listing pages walked from ``root``: its site table's ``max_pages_per_rubric``, else
        ``default`` (``REGARCHIVE_MAX_PAGES_PER_RUBRIC``)."""
        value = self.site_tables.get(site_of(root), {}).get("max_pages_per_rubric")
        return default if value is None else int(value)

    def works_on(self, site: str) -> bool:
        """Whether this process crawls ``site`` (host:port): every site of a crawl alone; in a
        shared frontier, the sites this crawler has held (each site is one crawler's at a
        time, and its announcements are followed by whoever read them)."""
        return self.frontier is None or site in self.frontier.ever_held

    def on_site(self, url: str) -> bool:
        """True when ``url`` is on one of the crawl's sites (host and port); a crawl without
        start URLs has no boundary."""
        return not self.sites or site_of(url) in self.sites

    def may_fetch(self, request: Request) -> bool:
        """Whether ``request`` may be sent: to the crawl's sites, or a document to a host the
        attachment patterns allow (the crawl's, or those of the linking article's site)."""
        if self.on_site(request.url):
            return True
        if request.meta.get("role") != "attachment":
            return False
        return self._document_host_allowed(request.url, request.meta.get("found_on"))

    def _document_host_allowed(self, url: str, found_on: str | None) -> bool:
        if self.on_site(url) or self.attachment_hosts.match(url):
            return True
        own = self.site_attachment_hosts.get(site_of(found_on)) if found_on else None
        return own is not None and own.match(url)

    def documents_missing(self, page_url: str, known: KnownPage) -> bool:
        """Whether the archived article at ``page_url`` links documents this crawl would fetch
        that were never fetched (a crawl stopped between the article and its documents, or ran
        without documents): the article is then due, so that they are asked for."""
        return self.fetch_attachments and any(
            self._document_host_allowed(url, page_url)
            # What the archive says of the document now: the page's entry may predate it.
            and self.archive.known_attachment(url) is None
            for url in known.missing_attachments
        )

    def request_scheduled(self, request: Request) -> None:
        """Scrapy's ``request_scheduled`` signal: what passed the spider middlewares (depth, URL
        length) and reached the scheduler is requested; what they dropped may come again
        through a shorter path."""
        self.requested.add(request.url)

    def first_sightings(self, sightings: Iterable[Sighting]) -> list[Sighting]:
        """The sightings not reported yet in this run. Each article sits in the "même
        rubrique" block of its ten neighbours under the same label: archiving that ten times
        in one run would say nothing more."""
        fresh = []
        for sighting in sightings:
            key = self.sighting_key(sighting)
            if key not in self.reported:
                self.reported.add(key)
                fresh.append(sighting)
        return fresh

    @staticmethod
    def sighting_key(sighting: Sighting) -> SightingKey:
        """What makes a sighting new: the same link under the same label is said once."""
        return (sighting.url, sighting.rubric, sighting.label)

    def walked_listings(self) -> dict[str, str | None]:
        """Start URLs whose pagination was followed to its end (or to known articles), with
        their rubric names."""
        return {
            root: self.rubric_names.get(root)
            for root in self.start_urls
            if self.listing_pages[root] and root not in self.incomplete_listings
        }

    def close(self) -> None:
        self.archive.close()
