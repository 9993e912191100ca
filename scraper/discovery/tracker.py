"""Where a crawl is in reading each site's announcements, and what to ask for next.

For each site with discovery on, :class:`Discovery` is told what came back (robots.txt, each
sitemap, each rubric's first listing page with the feeds it announces, each feed) and answers
with the URLs to request next; it knows when a site is *complete*: robots.txt answered (or not
to be waited for), every sitemap and feed asked for answered or failed, and the first page of
every start URL of the site read or failed. Only then is what the site announced known
(:meth:`Discovery.listed`), and can known articles be judged changed or not.

No I/O and no Scrapy here: the spider does the requests, this keeps the books.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from regarchive.pipelines.extraction.urls import normalize_url, query_params, site_of
from regarchive.scraper.discovery.changes import Listed, collect
from regarchive.scraper.discovery.feeds import Feed, read_feed
from regarchive.scraper.discovery.links import FeedLink
from regarchive.scraper.discovery.sitemaps import (
    Sitemap,
    default_sitemap_url,
    read_sitemap,
    sitemaps_from_robots,
)

# Sitemaps read per site (robots.txt's and those of indexes): a site with more is not
# describing itself, it is a trap.
MAX_SITEMAPS_PER_SITE = 50
# Feeds read per site: one per rubric crawled, and the site's own.
MAX_FEEDS_PER_SITE = 50


@dataclass
class SiteDiscovery:
    """The books of one site."""

    site: str
    roots: set[str]
    # Start URLs whose first listing page has not been read (nor failed) yet.
    unread_roots: set[str] = field(default_factory=set)
    robots_done: bool = False
    # Discovery URLs asked for and not answered yet, and every one ever asked for.
    pending: set[str] = field(default_factory=set)
    asked: set[str] = field(default_factory=set)
    sitemaps: list[Sitemap] = field(default_factory=list)
    feeds: list[tuple[Feed, str | None]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Whether one sitemap at least could be read: then a known article it does not list is
    # judged by the revisit policy, one it lists by its lastmod.
    sitemap_read: bool = False
    sitemap_count: int = 0
    feed_count: int = 0
    _listed: dict[str, Listed] | None = None

    @property
    def complete(self) -> bool:
        return self.robots_done and not self.pending and not self.unread_roots


class Discovery:
    """The discovery of every site of a crawl that has it on."""

    def __init__(self, start_urls: Iterable[str], sites: Iterable[str]) -> None:
        self.sites: dict[str, SiteDiscovery] = {}
        wanted = set(sites)
        for url in start_urls:
            site = site_of(url)
            if site in wanted:
                books = self.sites.setdefault(site, SiteDiscovery(site, set()))
                books.roots.add(url)
                books.unread_roots.add(url)

    def of(self, url: str) -> SiteDiscovery | None:
        return self.sites.get(site_of(url))

    def complete(self, url: str) -> bool:
        """True when the site of ``url`` has nothing left to read (or no discovery)."""
        books = self.of(url)
        return books is None or books.complete

    def listed(self, url: str) -> dict[str, Listed]:
        """What the site of ``url`` announced (empty until it is complete)."""
        books = self.of(url)
        if books is None or not books.complete:
            return {}
        if books._listed is None:
            books._listed = collect(books.sitemaps, books.feeds)
        return books._listed

    # -- what came back ---------------------------------------------------------------------

    def robots(self, robots_url: str, body: bytes | None) -> list[str]:
        """robots.txt of a site came back (``body`` None: it could not be read). Returns the
        sitemaps to ask for: its ``Sitemap:`` lines, else ``/sitemap.xml``."""
        books = self.of(robots_url)
        if books is None or books.robots_done:
            return []
        books.robots_done = True
        urls = sitemaps_from_robots(body, robots_url) if body else []
        return self._ask(books, urls or [default_sitemap_url(robots_url)], "sitemap")

    def sitemap(self, url: str, body: bytes | None, *, max_urls: int | None = None) -> list[str]:
        """A sitemap came back (``body`` None: it failed). Returns the sitemaps of an index."""
        books = self.of(url)
        if books is None:
            return []
        books.pending.discard(url)
        if body is None:
            return []
        sitemap = (
            read_sitemap(body, url)
            if max_urls is None
            else read_sitemap(body, url, max_urls=max_urls)
        )
        books.warnings += sitemap.warnings
        if sitemap.entries:
            books.sitemaps.append(sitemap)
            books.sitemap_read = True
        return self._ask(books, [entry.url for entry in sitemap.sitemaps], "sitemap")

    def listing_read(self, root: str, feeds: Iterable[FeedLink]) -> list[str]:
        """The first page of the listing ``root`` was read, announcing ``feeds``. Returns the
        feeds to ask for (each once per site)."""
        books = self.of(root)
        if books is None:
            return []
        books.unread_roots.discard(root)
        return self._ask(books, [link.url for link in feeds], "feed")

    def listing_failed(self, root: str) -> None:
        books = self.of(root)
        if books is not None:
            books.unread_roots.discard(root)

    def feed(self, url: str, body: bytes | None, rubric: str | None) -> None:
        """A feed came back (``body`` None: it failed); ``rubric`` is the rubric it is the feed
        of, when it is one rubric's (SPIP's ``id_rubrique=N``)."""
        books = self.of(url)
        if books is None:
            return
        books.pending.discard(url)
        if body is None:
            return
        feed = read_feed(body, url)
        books.warnings += feed.warnings
        books.feeds.append((feed, rubric))

    def give_up(self, sites: Iterable[str] | None = None) -> list[str]:
        """Mark every site (or those of ``sites``) complete (the crawl has nothing else to do),
        returning them."""
        done = []
        wanted = None if sites is None else set(sites)
        for books in self.sites.values():
            if wanted is not None and books.site not in wanted:
                continue
            if not books.complete:
                books.robots_done = True
                books.pending.clear()
                books.unread_roots.clear()
                done.append(books.site)
        return done

    def _ask(self, books: SiteDiscovery, urls: list[str], kind: str) -> list[str]:
        fresh = []
        for raw in urls:
            url = normalize_url(raw)
            if not url or url in books.asked or site_of(url) != books.site:
                continue
            if kind == "sitemap":
                if books.sitemap_count >= MAX_SITEMAPS_PER_SITE:
                    books.warnings.append(
                        f"{books.site}: more than {MAX_SITEMAPS_PER_SITE} sitemaps; the rest "
                        "are not read"
                    )
                    break
                books.sitemap_count += 1
            else:
                if books.feed_count >= MAX_FEEDS_PER_SITE:
                    break
                books.feed_count += 1
            books.asked.add(url)
            books.pending.add(url)
            fresh.append(url)
        return fresh


def rubric_of_feed(feed_url: str, root_rubric: str | None) -> str | None:
    """The rubric a feed announced on a listing page is the feed of: that listing's, when the
    feed is one rubric's (``id_rubrique=N``, SPIP's per-rubric backend), else none."""
    return root_rubric if "id_rubrique" in query_params(feed_url) else None
