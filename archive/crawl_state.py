"""The crawl's own bookkeeping in the archive: runs, fetched pages, listings, failed URLs.

:class:`CrawlStateMixin` is part of :class:`regarchive.archive.store.Archive`. It records the runs
(``crawls``, ``crawl_errors``), the last fetch of each URL (``pages``) and the listings walked to
the end, and reads back what the next crawl needs to fetch only what changed: known pages and
URLs, walked listings, URLs that failed; plus the integrity check a crawl makes before it writes.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils.db import NotFoundError

from regarchive.archive import schema
from regarchive.archive.errors import ArchiveError
from regarchive.archive.mixin_base import ArchiveMixin
from regarchive.archive.writes import to_json, upsert_page

# The validators and dates of a known article page (see
# ``regarchive.scraper.incremental.KnownPage``).
_KNOWN_PAGE = (
    "SELECT p.url, p.etag, p.last_modified, p.body_hash, p.fetched_at, i.published, "
    "i.first_seen FROM pages p JOIN items i ON i.id = p.item_id"
)
# The page a rerun re-checks for an item: the one at its canonical URL, else its first.
_ITEM_PAGE = (
    "p.url = COALESCE((SELECT q.url FROM pages q WHERE q.item_id = i.id AND q.url = i.url), "
    "(SELECT min(q.url) FROM pages q WHERE q.item_id = i.id))"
)


class CrawlStateMixin(ArchiveMixin):
    """The crawls, pages and listings side of :class:`regarchive.archive.store.Archive`."""

    # -- crawls ---------------------------------------------------------------------------------

    def start_crawl(self, start_urls: Sequence[str], args: Mapping[str, Any]) -> int:
        """Record the start of a run and return its id."""
        row = {
            "started": self._now(),
            "start_urls": to_json(list(start_urls)),
            "args": to_json(dict(args)),
        }
        with self._transaction():
            crawls = self._db.table("crawls").insert(row)
        return int(crawls.last_pk)

    def finish_crawl(
        self,
        crawl_id: int,
        *,
        finish_reason: str,
        counts: Mapping[str, int],
        stats: Mapping[str, Any] | None = None,
    ) -> None:
        """Close a run. Counts without a column of their own are kept in ``stats``."""
        columns = {k: int(v) for k, v in counts.items() if k in schema.CRAWL_COUNT_COLUMNS}
        extra = {k: v for k, v in counts.items() if k not in schema.CRAWL_COUNT_COLUMNS}
        updates = {
            "finished": self._now(),
            "finish_reason": finish_reason,
            "stats": to_json({**(stats or {}), **extra}),
            **columns,
        }
        with self._transaction():
            try:
                self._db.table("crawls").update(crawl_id, updates)
            except NotFoundError:
                raise ArchiveError(
                    f"no crawl #{crawl_id} in archive {self.path}", self.path
                ) from None

    def record_error(self, crawl_id: int | None, url: str, status: int | None, error: str) -> None:
        """Keep a failed fetch or extraction (``status`` None for network errors)."""
        row = {
            "crawl_id": crawl_id,
            "url": url,
            "status": status,
            "error": error,
            "at": self._now(),
        }
        with self._transaction():
            self._db.table("crawl_errors").insert(row)

    def crawl(self, crawl_id: int) -> dict[str, Any]:
        """A run's row, with ``start_urls``, ``args`` and ``stats`` decoded and its error count."""
        row = self._query_one(_CRAWL_SELECT + " WHERE c.id = ?", (crawl_id,))
        if row is None:
            raise ArchiveError(f"no crawl #{crawl_id} in archive {self.path}", self.path)
        return _crawl_dict(row)

    def last_crawl(self) -> dict[str, Any] | None:
        row = self._query_one(_CRAWL_SELECT + " ORDER BY c.id DESC LIMIT 1")
        return _crawl_dict(row) if row is not None else None

    def crawl_errors(self, crawl_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        rows = self._db.table("crawl_errors").rows_where(
            "crawl_id = ?",
            [crawl_id],
            select="id, url, status, error, at",
            order_by="id",
            limit=None if limit is None else int(limit),
        )
        return list(rows)

    # -- pages ----------------------------------------------------------------------------------

    def save_page(
        self, page: Mapping[str, Any], crawl_id: int | None, item_id: int | None = None
    ) -> None:
        """Store a fetched page on its own (e.g. a 304 or a page that is not an article)."""
        with self._transaction() as conn:
            upsert_page(conn, page, item_id, crawl_id, self._now())

    def page_info(self, url: str) -> dict[str, Any] | None:
        """The stored fetch of ``url`` without its body: validators for conditional requests."""
        rows = self._db.table("pages").rows_where(
            "url = ?",
            [url],
            select="url, final_url, status, content_type, etag, last_modified, fetched_at, "
            "body_hash, item_id, crawl_id",
        )
        return next(rows, None)

    def page_html(self, url: str) -> bytes | None:
        """The raw body last fetched at ``url`` (requested or final URL), decompressed."""
        row = self._query_one(
            "SELECT html FROM pages WHERE url = ? AND html IS NOT NULL "
            "UNION ALL SELECT html FROM pages WHERE final_url = ? AND html IS NOT NULL LIMIT 1",
            (url, url),
        )
        if row is None:
            return None
        return zlib.decompress(row["html"])

    def touch_page(self, page: Mapping[str, Any], crawl_id: int | None) -> int | None:
        """A page fetched again unchanged (a 304, or the same bytes): move its fetch time and
        validators and its item's ``last_seen``, nothing else. Returns the item's id, or None
        when the URL holds no item."""
        row = {
            "url": page["url"],
            "etag": page.get("etag"),
            "last_modified": page.get("last_modified"),
            "fetched_at": page.get("fetched_at") or self._now(),
            "crawl_id": crawl_id,
        }
        with self._transaction() as conn:
            # Raw: COALESCE keeps validators a 304 did not repeat; update() only assigns.
            conn.execute(
                "UPDATE pages SET etag = COALESCE(:etag, etag), "
                "last_modified = COALESCE(:last_modified, last_modified), "
                "fetched_at = :fetched_at, crawl_id = :crawl_id WHERE url = :url",
                row,
            )
            found = conn.execute(
                "SELECT item_id FROM pages WHERE url = ?", (row["url"],)
            ).fetchone()
            item_id = found[0] if found else None
            if item_id is not None:
                conn.execute(
                    "UPDATE items SET last_seen = MAX(last_seen, ?) WHERE id = ?",
                    (self._now(), item_id),
                )
        return item_id

    # -- incremental crawling -------------------------------------------------------------------

    def known_page(self, url: str) -> dict[str, Any] | None:
        """What a rerun needs of the article page fetched at ``url``: validators, body hash,
        when it was fetched, the item's dates; None when no article page is known there."""
        # Raw: one indexed lookup per article request of a crawl, without sqlite-utils' savepoint.
        row = self._conn.execute(_KNOWN_PAGE + " WHERE p.url = ?", (url,)).fetchone()
        return dict(row) if row is not None else None

    def revisit_pages(self, after: str = "", limit: int = 1000) -> list[dict[str, Any]]:
        """One known article page per item (its canonical URL when fetched there), ordered by
        URL, from the first URL after ``after``: a crawl walks them in batches, so neither it
        nor a long-open read holds the whole archive."""
        # Raw: a correlated choice of one page per item, which sqlite-utils cannot express.
        rows = self._conn.execute(
            f"{_KNOWN_PAGE} WHERE p.url > ? AND {_ITEM_PAGE} ORDER BY p.url LIMIT ?",
            (after, limit),
        )
        return [dict(row) for row in rows]

    def known_item_urls(self, urls: Iterable[str]) -> set[str]:
        """Those of ``urls`` an archived article was seen at."""
        wanted = list(dict.fromkeys(urls))
        known: set[str] = set()
        for start in range(0, len(wanted), 500):  # SQLite's bound-parameter limit is 999+
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            # Raw: an IN lookup on the primary key, per listing page.
            rows = self._conn.execute(f"SELECT url FROM item_urls WHERE url IN ({marks})", chunk)
            known.update(row[0] for row in rows)
        return known

    def walked_listings(self) -> set[str]:
        """Listings a finished crawl has walked to the end at least once."""
        rows = self._conn.execute("SELECT url FROM listings WHERE last_walked IS NOT NULL")
        return {row[0] for row in rows}

    def record_listings(self, listings: Mapping[str, str | None], crawl_id: int | None) -> None:
        """Mark listings (URL → rubric name) as walked to the end by a finished crawl."""
        now = self._now()
        rows = [
            {
                "url": url,
                "site": urlsplit(url).netloc,
                "rubric": rubric,
                "crawl_id": crawl_id,
                "now": now,
            }
            for url, rubric in listings.items()
        ]
        with self._transaction() as conn:
            # Raw: keeps first_crawl_id and an old rubric name on conflict; upsert() overwrites.
            conn.executemany(
                "INSERT INTO listings (url, site, rubric, first_crawl_id, last_crawl_id, "
                "last_walked) VALUES (:url, :site, :rubric, :crawl_id, :crawl_id, :now) "
                "ON CONFLICT (url) DO UPDATE SET rubric = COALESCE(excluded.rubric, rubric), "
                "last_crawl_id = excluded.last_crawl_id, last_walked = excluded.last_walked",
                rows,
            )

    def listings(self) -> list[dict[str, Any]]:
        """Each listing with its rubric, when it was last walked and how many items it has."""
        return list(
            self._db.query(
                "SELECT l.url, l.site, l.rubric, l.last_walked, "
                "(SELECT count(*) FROM item_rubrics r JOIN items i ON i.id = r.item_id "
                " WHERE r.rubric = l.rubric AND i.site = l.site) AS items "
                "FROM listings l ORDER BY l.site, l.rubric"
            )
        )

    def crawls(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest runs, newest first (see :meth:`crawl`)."""
        rows = self._db.query(_CRAWL_SELECT + " ORDER BY c.id DESC LIMIT ?", (int(limit),))
        return [_crawl_dict(row) for row in rows]

    # -- reliability ----------------------------------------------------------------------------

    def failed_urls(self) -> list[str]:
        """URLs a run could not get and that no later fetch got either: the next crawl tries
        them again.

        Taken from the runs since the last one that finished (that one included), so a page
        that keeps failing stays on the list while a run that got it drops it; an article
        fetched after its error is left out. Errors and pages both key on the URL first
        requested (before redirects), so the lookup is on the ``pages`` primary key.
        """
        rows = self._db.query(
            "SELECT DISTINCT e.url FROM crawl_errors AS e "
            "WHERE e.crawl_id >= (SELECT coalesce(max(id), 0) FROM crawls "
            "                     WHERE finish_reason = 'finished') "
            "AND NOT EXISTS (SELECT 1 FROM pages AS p "
            "                WHERE p.url = e.url AND p.fetched_at >= e.at) "
            "ORDER BY e.url"
        )
        return [row["url"] for row in rows]

    def integrity_problem(self) -> str | None:
        """None when SQLite's ``quick_check`` finds the file sound, else its first complaint.

        Reads every page of the file (about a second per GB): for the writer to call once
        before a crawl, so a damaged archive is reported instead of written to.
        """
        # Raw: a PRAGMA; a badly damaged file raises instead of answering.
        try:
            rows = self._conn.execute("PRAGMA quick_check(1)").fetchall()
        except sqlite3.DatabaseError as exc:
            return str(exc)
        answer = str(rows[0][0]) if rows else "no answer"
        if answer == "ok":
            return None
        # One line: the report starts "*** in database main ***" then names the page.
        return " ".join(answer.replace("*** in database main ***", "").split())


# -- crawl helpers ------------------------------------------------------------------------------

_CRAWL_SELECT = """
SELECT c.*, (SELECT count(*) FROM crawl_errors AS e WHERE e.crawl_id = c.id) AS error_rows
FROM crawls AS c"""


def _crawl_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    crawl = dict(row)
    for key in ("start_urls", "args", "stats"):
        crawl[key] = json.loads(crawl[key]) if crawl[key] else None
    return crawl
