"""What a site's sitemaps and feeds say changed since the archive last fetched each page.

Each page gets one hint per source (``sitemap``: its ``<lastmod>``; ``feed``: its item's date,
see :attr:`.feeds.FeedEntry.date_hint`), normalised by :mod:`.hint_dates`. A page *changed* when
a source gives a hint that differs from the one recorded when the page was last fetched. A hint
that was recorded but is absent now is no change: SPIP's sitemap gives ``<lastmod>`` only for
articles modified in the last day, and a feed only lists the latest articles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from regarchive.scraper.discovery.feeds import Feed
from regarchive.scraper.discovery.sitemaps import Sitemap

SITEMAP = "sitemap"
FEED = "feed"
# Recorded for a page a source lists without a date: listed, nothing to compare.
UNDATED = ""

# URL → source → hint
Hints = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Listed:
    """A page a sitemap or feed lists, with what they say of it."""

    url: str
    hints: Mapping[str, str]
    # From a feed: its rubric (SPIP's rel="directory", or the rubric whose feed it is).
    rubric: str | None = None
    categories: tuple[str, ...] = ()
    # A feed's publication date, a fallback for a page that shows none.
    published: str | None = None
    # The feed's title for it, and the feed (where it was seen), when a feed lists it.
    title: str = ""
    feed: str | None = None


def collect(
    sitemaps: Iterable[Sitemap], feeds: Iterable[tuple[Feed, str | None]]
) -> dict[str, Listed]:
    """Every page the ``sitemaps`` and ``feeds`` (each with the rubric it is the feed of, if
    any) list, once, with a hint per source. A page listed twice by one source keeps the
    greatest hint (the latest, for ISO dates)."""
    hints: Hints = {}
    rubric: dict[str, str] = {}
    categories: dict[str, tuple[str, ...]] = {}
    published: dict[str, str] = {}
    titles: dict[str, tuple[str, str]] = {}
    for sitemap in sitemaps:
        for entry in sitemap.entries:
            _keep(hints, entry.url, SITEMAP, entry.lastmod)
    for feed, feed_rubric in feeds:
        for item in feed.entries:
            _keep(hints, item.url, FEED, item.date_hint)
            name = item.rubric_name or feed_rubric
            if name:
                rubric.setdefault(item.url, name)
            if item.categories:
                categories.setdefault(item.url, item.categories)
            if item.published:
                published.setdefault(item.url, item.published)
            titles.setdefault(item.url, (item.title, feed.url))
    return {
        url: Listed(
            url,
            by_source,
            rubric.get(url),
            categories.get(url, ()),
            published.get(url),
            *titles.get(url, ("", None)),
        )
        for url, by_source in hints.items()
    }


def _keep(hints: Hints, url: str, source: str, hint: str | None) -> None:
    by_source = hints.setdefault(url, {})
    value = hint or UNDATED
    if source not in by_source or value > by_source[source]:
        by_source[source] = value


def changed_since_fetch(now: Mapping[str, str], at_fetch: Mapping[str, str] | None) -> bool:
    """True when a source dates the page now and its date differs from the one recorded at the
    page's last fetch (or none was recorded: the page is listed with a date for the first
    time, as SPIP's sitemap does for an article modified in the last day)."""
    recorded = at_fetch or {}
    return any(hint != UNDATED and hint != recorded.get(source) for source, hint in now.items())
