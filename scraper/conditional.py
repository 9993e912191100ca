"""Conditional requests: what the archive already holds decides what a rerun fetches.

Article requests for known pages (see :mod:`regarchive.scraper.incremental`):

- are skipped when the revisit policy says the article is not due (old articles are re-checked
  every few days, recent ones every run), or, for an article its site's sitemap or feeds list,
  when they date it as at its last fetch (see :mod:`regarchive.scraper.announcements`), unless
  the article links documents that were never fetched;
- otherwise carry ``If-None-Match`` / ``If-Modified-Since``, so an unchanged page costs a 304;
- carry the previous body hash, so a server that ignores validators but sends the same bytes
  costs no extraction and no write beyond ``last_seen``.

Listing pages are always fetched in full: they are how new articles are found.
"""

from __future__ import annotations

from datetime import datetime, timezone

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from regarchive.scraper.discovery.changes import changed_since_fetch
from regarchive.scraper.incremental import KnownPage
from regarchive.scraper.state import CrawlState


class ConditionalRequestsMiddleware:
    """Downloader middleware applying the revisit policy and conditional headers."""

    def __init__(self, crawler: Crawler, state: CrawlState) -> None:
        self.crawler = crawler
        self.state = state
        self.now = datetime.now(timezone.utc)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestsMiddleware:
        return cls(crawler, CrawlState.of(crawler))

    def process_request(self, request: Request) -> None:
        if request.meta.get("role") != "article":
            return
        archive = self.state.archive
        known = archive.known_page(request.url)
        if known is None:
            return
        # A redirect target is fetched whatever the policy: its source URL was due. So is a
        # page whose last fetch failed, and one the spider found due already (its site's
        # sitemap or feed dates it otherwise than at its last fetch).
        # Not counted here: the spider counts the articles it does not revisit, once each,
        # and this only drops the links to them that listings show again.
        if (
            not request.meta.get("redirect_times")
            and not request.meta.get("due")
            and request.url not in archive.failed
            and not self._due(request.url, known)
            and not self.state.documents_missing(request.url, known)
        ):
            raise IgnoreRequest(f"not due for a revisit: {request.url}")
        if known.etag:
            request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1"))
        if known.last_modified:
            request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1"))
        request.meta["previous_body_hash"] = known.body_hash
        # Asked for by the spider if the page turns out unchanged (no second lookup then).
        request.meta["missing_attachments"] = known.missing_attachments
        if known.warc_file is not None:
            # What a 304's revisit record refers to (regarchive.scraper.warc).
            request.meta["previous_warc"] = (known.warc_file, known.warc_offset)

    def _due(self, url: str, known: KnownPage) -> bool:
        """The revisit policy; for an article its site announces (once it is all read), the
        announcement: a related link to an unchanged neighbour is no reason to fetch it."""
        policy = self.state.policy_for(url)
        announced = self.state.discovery.listed(url)
        if url not in announced:
            return policy.due(known, self.now)
        recorded = self.state.archive.fetched_hints([url]).get(url)
        changed = changed_since_fetch(announced[url].hints, recorded)
        return policy.due_by_announcement(known, changed, self.now)
