"""The sitemap and feed dates of each article page as they were when it was last fetched.

A crawl reads a site's sitemaps and feeds before deciding what to fetch again: a known article
whose ``<lastmod>`` (or feed date) differs from the one recorded at the fetch that last got it
has changed on the site. Comparing with what was recorded then, rather than with the clock,
holds whatever the site's clock, time zone or precision (many give a day without a time).
"""

from __future__ import annotations

from collections.abc import Iterable

from regarchive.archive.connection import ArchiveConnection

# Where a hint comes from: a sitemap's <lastmod>, a feed's item date.
HINT_SOURCES = frozenset({"sitemap", "feed"})


class PageHints:
    """The ``page_hints`` table (see :mod:`regarchive.archive.schema`, version 8)."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection

    def at_fetch(self, urls: Iterable[str]) -> dict[str, dict[str, str]]:
        """URL → {source: hint} recorded at the last fetch of each of ``urls`` that has any."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, dict[str, str]] = {}
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit is 999+
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            # Raw: an IN lookup on the primary key, per batch of a sitemap's URLs.
            rows = self._connection.conn.execute(
                f"SELECT url, source, hint FROM page_hints WHERE url IN ({marks})", chunk
            )
            for url, source, hint in rows:
                found.setdefault(url, {})[source] = hint
        return found

    def record(self, hints: Iterable[tuple[str, str, str | None]], crawl_id: int | None) -> None:
        """Record (url, source, hint) as what the sitemaps and feeds said when the page at
        ``url`` was fetched by the crawl ``crawl_id``; an empty hint means "listed without a
        date", None "not listed" (nothing recorded)."""
        rows = [
            {"url": url, "source": source, "hint": hint, "crawl_id": crawl_id}
            for url, source, hint in hints
            if source in HINT_SOURCES and hint is not None
        ]
        if not rows:
            return
        with self._connection.transaction():
            self._connection.db["page_hints"].upsert_all(rows, pk=("url", "source"))
