"""The crawl's own bookkeeping in the archive: runs, their failed URLs, the listings walked.

:class:`CrawlLog` records the runs (``crawls``, ``crawl_errors``) and the listings walked to the
end (``listings``), and reads back what the next crawl needs: the listings it may stop paging
early on, and the URLs that failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils.db import NotFoundError

from regarchive.archive import schema
from regarchive.archive.connection import ArchiveConnection
from regarchive.archive.errors import ArchiveError
from regarchive.archive.writes import to_json


class CrawlLog:
    """The runs of an archive, their errors, and the listings they walked."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection

    # -- crawls ---------------------------------------------------------------------------------

    def start(self, start_urls: Sequence[str], args: Mapping[str, Any]) -> int:
        """Record the start of a run and return its id."""
        row = {
            "started": self._connection.now(),
            "start_urls": to_json(list(start_urls)),
            "args": to_json(dict(args)),
        }
        with self._connection.transaction():
            crawls = self._connection.db.table("crawls").insert(row)
        return int(crawls.last_pk)

    def finish(
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
            "finished": self._connection.now(),
            "finish_reason": finish_reason,
            "stats": to_json({**(stats or {}), **extra}),
            **columns,
        }
        with self._connection.transaction():
            try:
                self._connection.db.table("crawls").update(crawl_id, updates)
            except NotFoundError:
                raise self._no_crawl(crawl_id) from None

    def record_error(self, crawl_id: int | None, url: str, status: int | None, error: str) -> None:
        """Keep a failed fetch or extraction (``status`` None for network errors)."""
        row = {
            "crawl_id": crawl_id,
            "url": url,
            "status": status,
            "error": error,
            "at": self._connection.now(),
        }
        with self._connection.transaction():
            self._connection.db.table("crawl_errors").insert(row)

    def get(self, crawl_id: int) -> dict[str, Any]:
        """A run's row, with ``start_urls``, ``args`` and ``stats`` decoded and its error count."""
        row = self._connection.query_one(_CRAWL_SELECT + " WHERE c.id = ?", (crawl_id,))
        if row is None:
            raise self._no_crawl(crawl_id)
        return _crawl_dict(row)

    def last(self) -> dict[str, Any] | None:
        row = self._connection.query_one(_CRAWL_SELECT + " ORDER BY c.id DESC LIMIT 1")
        return _crawl_dict(row) if row is not None else None

    def latest(self, limit: int = 10) -> list[dict[str, Any]]:
        """The latest runs, newest first (see :meth:`get`)."""
        rows = self._connection.db.query(
            _CRAWL_SELECT + " ORDER BY c.id DESC LIMIT ?", (int(limit),)
        )
        return [_crawl_dict(row) for row in rows]

    def errors(self, crawl_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        rows = self._connection.db.table("crawl_errors").rows_where(
            "crawl_id = ?",
            [crawl_id],
            select="id, url, status, error, at",
            order_by="id",
            limit=None if limit is None else int(limit),
        )
        return list(rows)

    # -- listings -------------------------------------------------------------------------------

    def walked_listings(self) -> set[str]:
        """Listings a finished crawl has walked to the end at least once."""
        rows = self._connection.db.query("SELECT url FROM listings WHERE last_walked IS NOT NULL")
        return {row["url"] for row in rows}

    def record_listings(self, listings: Mapping[str, str | None], crawl_id: int | None) -> None:
        """Mark listings (URL → rubric name) as walked to the end by a finished crawl."""
        now = self._connection.now()
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
        with self._connection.transaction() as conn:
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
            self._connection.db.query(
                "SELECT l.url, l.site, l.rubric, l.last_walked, "
                "(SELECT count(*) FROM item_rubrics r JOIN items i ON i.id = r.item_id "
                " WHERE r.rubric = l.rubric AND i.site = l.site) AS items "
                "FROM listings l ORDER BY l.site, l.rubric"
            )
        )

    # -- reliability ----------------------------------------------------------------------------

    def failed_urls(self) -> list[str]:
        """URLs a run could not get and that no later fetch got either: the next crawl tries
        them again.

        Taken from the runs since the last one that finished (that one included), so a page
        that keeps failing stays on the list while a run that got it drops it; an article
        fetched after its error is left out. Errors and pages both key on the URL first
        requested (before redirects), so the lookup is on the ``pages`` primary key.
        """
        rows = self._connection.db.query(
            "SELECT DISTINCT e.url FROM crawl_errors AS e "
            "WHERE e.crawl_id >= (SELECT coalesce(max(id), 0) FROM crawls "
            "                     WHERE finish_reason = 'finished') "
            "AND NOT EXISTS (SELECT 1 FROM pages AS p "
            "                WHERE p.url = e.url AND p.fetched_at >= e.at) "
            "ORDER BY e.url"
        )
        return [row["url"] for row in rows]

    def _no_crawl(self, crawl_id: int) -> ArchiveError:
        return self._connection.error(f"no crawl #{crawl_id} in archive {self._connection.path}")


# -- crawl helpers ------------------------------------------------------------------------------

_CRAWL_SELECT = """
SELECT c.*, (SELECT count(*) FROM crawl_errors AS e WHERE e.crawl_id = c.id) AS error_rows
FROM crawls AS c"""


def _crawl_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    crawl = dict(row)
    for key in ("start_urls", "args", "stats"):
        crawl[key] = json.loads(crawl[key]) if crawl[key] else None
    return crawl
