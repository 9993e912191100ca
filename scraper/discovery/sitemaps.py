"""robots.txt ``Sitemap:`` lines and sitemaps (``urlset`` and sitemap indexes, gzipped or not).

Only URLs of the crawled site are kept (a sitemap may name any host; the crawl never leaves
its sites), each once, with their ``<lastmod>`` normalised by :func:`.hint_dates.normalize_hint`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scrapy.utils.sitemap import sitemap_urls_from_robots

from regarchive.pipelines.extraction.urls import normalize_url, site_of
from regarchive.scraper.discovery.hint_dates import normalize_hint
from regarchive.scraper.discovery.xml_reader import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_RECORDS,
    BadXml,
    read_records,
)

# A robots.txt naming more sitemaps than this is not describing one site.
MAX_ROBOTS_SITEMAPS = 50
_RECORDS = frozenset({"url", "sitemap"})


@dataclass(frozen=True)
class SitemapEntry:
    """A page a sitemap lists, with its ``<lastmod>`` (normalised), if any."""

    url: str
    lastmod: str | None


@dataclass
class Sitemap:
    """What one sitemap file says: pages (a ``urlset``) or further sitemaps (an index)."""

    url: str
    entries: list[SitemapEntry] = field(default_factory=list)
    sitemaps: list[SitemapEntry] = field(default_factory=list)
    # One line each: what was refused or ignored, for the crawl's log.
    warnings: list[str] = field(default_factory=list)

    @property
    def is_index(self) -> bool:
        return bool(self.sitemaps)


def default_sitemap_url(site_url: str) -> str:
    """Where a sitemap is when robots.txt names none: ``/sitemap.xml`` at the site's root."""
    parts = urlsplit(site_url)
    return f"{parts.scheme}://{parts.netloc}/sitemap.xml"


def sitemaps_from_robots(robots_body: bytes, robots_url: str) -> list[str]:
    """The sitemap URLs robots.txt names (``Sitemap:`` lines), on its own site, each once."""
    site = site_of(robots_url)
    urls: list[str] = []
    for raw in sitemap_urls_from_robots(robots_body, base_url=robots_url):
        url = normalize_url(raw)
        if url and site_of(url) == site and url not in urls:
            urls.append(url)
        if len(urls) >= MAX_ROBOTS_SITEMAPS:
            break
    return urls


def read_sitemap(
    body: bytes,
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_urls: int = DEFAULT_MAX_RECORDS,
) -> Sitemap:
    """Read one sitemap file fetched from ``url``; never raises on bad content.

    A document that is not a sitemap, is refused (entities, size) or breaks off gives its
    reason in :attr:`Sitemap.warnings`, with whatever was read before the fault.
    """
    sitemap = Sitemap(url)
    try:
        document = read_records(body, _RECORDS, max_bytes=max_bytes, max_records=max_urls)
    except BadXml as error:
        sitemap.warnings.append(f"sitemap {url}: {error}")
        return sitemap
    if document.root not in ("urlset", "sitemapindex"):
        sitemap.warnings.append(f"sitemap {url}: not a sitemap (root element <{document.root}>)")
        return sitemap
    site = site_of(url)
    off_site = 0
    seen: set[str] = set()
    for record in document.records:
        loc = record.first("loc")
        target = _on_site(loc.text if loc else "", url, site)
        if target is None:
            off_site += bool(loc and loc.text)
            continue
        if target in seen:
            continue
        seen.add(target)
        lastmod = record.first("lastmod")
        entry = SitemapEntry(target, normalize_hint(lastmod.text if lastmod else None))
        # An index lists <sitemap>s, a urlset <url>s; a mixed file is read for what it holds.
        (sitemap.sitemaps if record.name == "sitemap" else sitemap.entries).append(entry)
    if off_site:
        sitemap.warnings.append(f"sitemap {url}: {off_site} URLs not on this site ignored")
    if document.truncated:
        sitemap.warnings.append(f"sitemap {url}: more than {max_urls} URLs; the first kept")
    if document.problem:
        sitemap.warnings.append(f"sitemap {url}: {document.problem}; what came before is kept")
    return sitemap


def _on_site(text: str, base: str, site: str) -> str | None:
    """``text`` as a normalised URL of ``site``, or None (empty, malformed, elsewhere)."""
    if not text:
        return None
    url = normalize_url(text, base)
    if not url or urlsplit(url).scheme not in ("http", "https") or site_of(url) != site:
        return None
    return url


def page_urls(sitemaps: Iterable[Sitemap]) -> dict[str, str | None]:
    """URL → lastmod over several sitemaps; a URL listed twice keeps its latest lastmod."""
    found: dict[str, str | None] = {}
    for sitemap in sitemaps:
        for entry in sitemap.entries:
            previous = found.get(entry.url)
            if previous is None or (entry.lastmod is not None and entry.lastmod > previous):
                found[entry.url] = entry.lastmod
    return found
