"""Incremental crawling: what the archive already holds decides what a rerun fetches.

At the start of a crawl the archive's known pages are loaded once (URL → validators, body hash,
the item's dates). Article requests then:

- are skipped when the revisit policy says the article is not due (old articles are re-checked
  every few days, recent ones every run);
- otherwise carry ``If-None-Match`` / ``If-Modified-Since``, so an unchanged page costs a 304;
- carry the previous body hash, so a server that ignores validators but sends the same bytes
  costs no extraction and no write beyond ``last_seen``.

Listing pages are always fetched in full: they are how new articles are found.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from archive.errors import ArchiveMissingError
from archive.store import Archive


@dataclass(frozen=True)
class KnownPage:
    """What the archive remembers of one fetched URL."""

    etag: str | None
    last_modified: str | None
    body_hash: str | None
    fetched_at: str | None
    published: str | None
    first_seen: str | None


@dataclass(frozen=True)
class RevisitPolicy:
    """When a known article is fetched again.

    Articles younger than ``recent_days`` (by publication date, else by when the archive first
    saw them) are re-checked on every run: that is when corrections happen. Older ones are
    re-checked once every ``old_every_days``. ``full`` re-checks everything.
    """

    recent_days: int = 30
    old_every_days: int = 7
    full: bool = False

    def due(self, page: KnownPage, now: datetime) -> bool:
        if self.full or page.fetched_at is None:
            return True
        born = _as_date(page.published) or _as_date(page.first_seen)
        if born is None or (now.date() - born).days <= self.recent_days:
            return True
        fetched = _as_datetime(page.fetched_at)
        return fetched is None or now - fetched >= timedelta(days=self.old_every_days)

    @classmethod
    def from_settings(cls, settings: Any) -> RevisitPolicy:
        return cls(
            recent_days=settings.getint("REGARCHIVE_REVISIT_RECENT_DAYS"),
            old_every_days=settings.getint("REGARCHIVE_REVISIT_OLD_EVERY_DAYS"),
            full=settings.getbool("REGARCHIVE_FULL"),
        )


def _as_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _as_datetime(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass
class ArchiveState:
    """The archive as a crawl starts: known article pages (and one URL per item to revisit),
    known article URLs, fully walked listings, and the pages the last runs failed to get."""

    pages: dict[str, KnownPage] = field(default_factory=dict)
    revisit_urls: list[str] = field(default_factory=list)
    item_urls: set[str] = field(default_factory=set)
    walked_listings: set[str] = field(default_factory=set)
    failed_urls: list[str] = field(default_factory=list)
    failed: frozenset[str] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        self.failed = frozenset(self.failed_urls)

    @classmethod
    def load(cls, db_path: str) -> ArchiveState:
        try:
            archive = Archive(db_path, create=False)
        except ArchiveMissingError:
            return cls()
        with archive:
            state = cls(
                item_urls=archive.known_item_urls(),
                walked_listings=archive.walked_listings(),
                failed_urls=archive.failed_urls(),
            )
            revisit: dict[int, str] = {}
            for row in archive.known_pages():
                url, item_id, canonical = row.pop("url"), row.pop("item_id"), row.pop("is_item_url")
                state.pages[url] = KnownPage(**row)
                if canonical or item_id not in revisit:
                    revisit[item_id] = url
            state.revisit_urls = sorted(revisit.values())
            return state


class ConditionalRequestsMiddleware:
    """Downloader middleware applying the revisit policy and conditional headers."""

    def __init__(self, crawler: Crawler, policy: RevisitPolicy) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.policy = policy
        self.now = datetime.now(timezone.utc)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestsMiddleware:
        return cls(crawler, RevisitPolicy.from_settings(crawler.settings))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("role") != "article":
            return
        state: ArchiveState | None = getattr(self.crawler.spider, "archive_state", None)
        if state is None:
            return
        known = state.pages.get(request.url)
        if known is None:
            return
        # A redirect target is fetched whatever the policy: its source URL was due. So is a
        # page whose last fetch failed.
        if (
            not request.meta.get("redirect_times")
            and request.url not in state.failed
            and not self.policy.due(known, self.now)
        ):
            self.stats.inc_value("regarchive/skipped_not_due")
            raise IgnoreRequest(f"not due for a revisit: {request.url}")
        if known.etag:
            request.headers.setdefault(b"If-None-Match", known.etag.encode("latin-1"))
        if known.last_modified:
            request.headers.setdefault(b"If-Modified-Since", known.last_modified.encode("latin-1"))
        request.meta["previous_body_hash"] = known.body_hash
