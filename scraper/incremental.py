"""Incremental crawling: the archive as a rerun sees it, and when a known article is due.

Known pages (URL → validators, body hash, the item's dates) are looked up in the archive as
article requests go out (:class:`ArchiveState`); :class:`RevisitPolicy` says which are fetched
again; :mod:`regarchive.scraper.conditional` makes the requests conditional.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

from regarchive.archive.errors import ArchiveMissingError
from regarchive.archive.store import Archive


@dataclass(frozen=True)
class KnownPage:
    """What the archive remembers of one fetched URL."""

    etag: str | None
    last_modified: str | None
    body_hash: str | None
    fetched_at: str | None
    published: str | None
    first_seen: str | None
    # The WARC record holding the body, when the page was fetched into WARC files.
    warc_file: str | None = None
    warc_offset: int | None = None
    # URLs of documents the page's item links that were never fetched.
    missing_attachments: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> KnownPage:
        """From the archive's row (``missing_attachments`` as a JSON array, or a list)."""
        fields = {name: row[name] for name in cls.__dataclass_fields__ if name in row}
        missing = fields.get("missing_attachments")
        if isinstance(missing, str):
            missing = json.loads(missing)
        fields["missing_attachments"] = tuple(missing or ())
        return cls(**fields)


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

    def due_by_announcement(self, page: KnownPage, changed: bool, now: datetime) -> bool:
        """For an article the site's sitemap or feed lists: due when they date it otherwise than
        at its last fetch (``changed``), whatever its age; else only once every
        ``old_every_days``, a safety net for a site whose sitemap misses a change (SPIP's shows
        ``<lastmod>`` for a day only, and a night may be missed)."""
        if self.full or changed or page.fetched_at is None:
            return True
        fetched = _as_datetime(page.fetched_at)
        return fetched is None or now - fetched >= timedelta(days=self.old_every_days)

    @classmethod
    def from_settings(cls, settings: Any, site: Mapping[str, Any] | None = None) -> RevisitPolicy:
        """The policy of the settings, with a sites file's ``revisit_*`` keys for ``site``."""
        site = site or {}
        recent = site.get("revisit_recent_days")
        old = site.get("revisit_old_every_days")
        return cls(
            recent_days=settings.getint("REGARCHIVE_REVISIT_RECENT_DAYS")
            if recent is None
            else recent,
            old_every_days=settings.getint("REGARCHIVE_REVISIT_OLD_EVERY_DAYS")
            if old is None
            else old,
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


class ArchiveView(Protocol):
    """What a crawl asks of the archive: :class:`ArchiveState` answers from the file, and a
    frontier crawler's view (``regarchive.scraper.frontier.archive_view``) from what the
    ingester published in Redis."""

    walked_listings: set[str]
    failed_urls: list[str]
    failed: frozenset[str]

    def known_page(self, url: str) -> KnownPage | None: ...

    def known_attachment(self, url: str) -> dict[str, Any] | None: ...

    def revisits(self, batch: int = 1000) -> Iterator[tuple[str, KnownPage]]: ...

    def all_known(self, urls: list[str]) -> bool: ...

    def known_urls(self, urls: list[str]) -> set[str]: ...

    def fetched_hints(self, urls: list[str]) -> dict[str, dict[str, str]]: ...

    def close(self) -> None: ...


class ArchiveState:
    """The archive as a crawl sees it.

    The listings walked to the end and the pages that failed are few and loaded once; known
    pages and article URLs are looked up in the archive when needed (an indexed query each),
    so a crawl's memory does not grow with the archive: loading them all cost 0.6 kB per page,
    60 MB for 100,000.
    """

    def __init__(
        self,
        archive: Archive | None = None,
        walked_listings: set[str] | None = None,
        failed_urls: list[str] | None = None,
    ) -> None:
        self._archive = archive
        self.walked_listings = walked_listings or set()
        self.failed_urls = failed_urls or []
        self.failed = frozenset(self.failed_urls)

    @classmethod
    def load(cls, db_path: str) -> ArchiveState:
        """The state of the archive at ``db_path`` (empty when there is none yet); the archive
        stays open for lookups until :meth:`close`."""
        try:
            archive = Archive(db_path, create=False)
        except ArchiveMissingError:
            return cls()
        return cls(archive, archive.walked_listings(), archive.failed_urls())

    def known_attachment(self, url: str) -> dict[str, Any] | None:
        """What the archive holds of a document URL: ``sha256``, ``etag``, ``last_modified``…"""
        if self._archive is None:
            return None
        return self._archive.attachment_store.known(url)

    def known_page(self, url: str) -> KnownPage | None:
        if self._archive is None:
            return None
        row = self._archive.known_page(url)
        if row is None:
            return None
        return KnownPage.from_row(row)

    def revisits(self, batch: int = 1000) -> Iterator[tuple[str, KnownPage]]:
        """One known page per archived article, by URL, read from the archive in batches."""
        if self._archive is None:
            return
        after = ""
        while rows := self._archive.revisit_pages(after, batch):
            for row in rows:
                after = row["url"]
                yield after, KnownPage.from_row(row)

    def known_urls(self, urls: list[str]) -> set[str]:
        """Those of ``urls`` an archived article was seen at."""
        return self._archive.known_item_urls(urls) if self._archive is not None else set()

    def fetched_hints(self, urls: list[str]) -> dict[str, dict[str, str]]:
        """URL → {source: hint}: what sitemaps and feeds said at each page's last fetch."""
        return self._archive.fetched_hints(urls) if self._archive is not None else {}

    def all_known(self, urls: list[str]) -> bool:
        """True when every one of ``urls`` is the URL of an archived article."""
        if self._archive is None:
            return False
        return len(self._archive.known_item_urls(urls)) == len(set(urls))

    def close(self) -> None:
        if self._archive is not None:
            self._archive.close()
