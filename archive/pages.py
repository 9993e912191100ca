"""The fetched pages of an archive: the last fetch of each URL, and what a rerun asks of them.

:class:`Pages` stores a page on its own (a 304, a page that is not an article: an article's page
is stored with its item, by :class:`regarchive.archive.items.Items`), and reads back what the
next crawl needs to fetch only what changed: validators, body hashes, the pages to revisit.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from regarchive.archive import writes
from regarchive.archive.connection import ArchiveConnection

# The validators and dates of a known article page (see
# ``regarchive.scraper.incremental.KnownPage``).
# The documents the page's item links that were never fetched (a crawl stopped between the
# article and its documents): a rerun that finds the page unchanged asks for them then.
_MISSING_ATTACHMENTS = (
    "(SELECT json_group_array(a.url) FROM item_attachments a WHERE a.item_id = i.id "
    "AND NOT EXISTS (SELECT 1 FROM attachments f WHERE f.url = a.url)) AS missing_attachments"
)
_KNOWN_PAGE = (
    "SELECT p.url, p.etag, p.last_modified, p.body_hash, p.fetched_at, i.published, "
    f"i.first_seen, p.warc_file, p.warc_offset, {_MISSING_ATTACHMENTS} "
    "FROM pages p JOIN items i ON i.id = p.item_id"
)
# The page a rerun re-checks for an item: the one at its canonical URL, else its first.
_ITEM_PAGE = (
    "p.url = COALESCE((SELECT q.url FROM pages q WHERE q.item_id = i.id AND q.url = i.url), "
    "(SELECT min(q.url) FROM pages q WHERE q.item_id = i.id))"
)

_KNOWN_PAGE_REVISIT = (
    "SELECT p.url, p.etag, p.last_modified, p.body_hash, p.fetched_at, i.published, "
    f"i.first_seen, {_MISSING_ATTACHMENTS}, ({_ITEM_PAGE}) AS revisit "
    "FROM pages p JOIN items i ON i.id = p.item_id"
)


class Pages:
    """The ``pages`` table: one row per fetched URL, its raw body compressed."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection

    def save(
        self, page: Mapping[str, Any], crawl_id: int | None, item_id: int | None = None
    ) -> None:
        """Store a fetched page on its own (e.g. a 304 or a page that is not an article)."""
        with self._connection.transaction() as conn:
            writes.upsert_page(conn, page, item_id, crawl_id, self._connection.now())

    def touch(self, page: Mapping[str, Any], crawl_id: int | None) -> int | None:
        """A page fetched again unchanged (a 304, or the same bytes): move its fetch time and
        validators and its item's ``last_seen``, nothing else. Returns the item's id, or None
        when the URL holds no item."""
        row = {
            "url": page["url"],
            "etag": page.get("etag"),
            "last_modified": page.get("last_modified"),
            "fetched_at": page.get("fetched_at") or self._connection.now(),
            "crawl_id": crawl_id,
            # The same bytes fetched again into a WARC: the newer record holds them too. A 304
            # has no body, so its page keeps the record it had.
            "warc_file": page.get("warc_file"),
            "warc_offset": page.get("warc_offset"),
        }
        with self._connection.transaction() as conn:
            return writes.touch_page(conn, row, self._connection.now())

    def info(self, url: str) -> dict[str, Any] | None:
        """The stored fetch of ``url`` without its body: validators for conditional requests."""
        rows = self._connection.db.table("pages").rows_where(
            "url = ?",
            [url],
            select="url, final_url, status, content_type, etag, last_modified, fetched_at, "
            "body_hash, item_id, crawl_id",
        )
        return next(rows, None)

    def html(self, url: str) -> bytes | None:
        """The raw body last fetched at ``url`` (requested or final URL), decompressed."""
        row = self._connection.query_one(
            "SELECT html FROM pages WHERE url = ? AND html IS NOT NULL "
            "UNION ALL SELECT html FROM pages WHERE final_url = ? AND html IS NOT NULL LIMIT 1",
            (url, url),
        )
        if row is None:
            return None
        return zlib.decompress(row["html"])

    def known(self, url: str) -> dict[str, Any] | None:
        """What a rerun needs of the article page fetched at ``url``: validators, body hash,
        when it was fetched, the item's dates; None when no article page is known there."""
        # Raw: one indexed lookup per article request of a crawl, without sqlite-utils' savepoint.
        row = self._connection.conn.execute(_KNOWN_PAGE + " WHERE p.url = ?", (url,)).fetchone()
        return dict(row) if row is not None else None

    def known_after(self, after: str = "", limit: int = 1000) -> list[dict[str, Any]]:
        """Every known article page (as :meth:`known` has it) after ``after`` by URL, with
        ``revisit``: whether it is the page a rerun re-checks for its item (see
        :meth:`to_revisit`). For publishing the archive's state to a frontier."""
        # Raw: the same correlated choice as to_revisit, as a column.
        rows = self._connection.conn.execute(
            f"{_KNOWN_PAGE_REVISIT} WHERE p.url > ? ORDER BY p.url LIMIT ?", (after, limit)
        )
        return [dict(row) for row in rows]

    def known_at(self, urls: Iterable[str]) -> list[dict[str, Any]]:
        """:meth:`known_after`'s rows for the pages of the items seen at ``urls`` (after a write
        that touched them: the item's page a rerun re-checks may have changed)."""
        wanted = list(dict.fromkeys(urls))
        rows: list[dict[str, Any]] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            # Raw: see known_after.
            rows += [
                dict(row)
                for row in self._connection.conn.execute(
                    f"{_KNOWN_PAGE_REVISIT} WHERE p.item_id IN "
                    f"(SELECT item_id FROM item_urls WHERE url IN ({marks}))",
                    chunk,
                )
            ]
        return rows

    def to_revisit(self, after: str = "", limit: int = 1000) -> list[dict[str, Any]]:
        """One known article page per item (its canonical URL when fetched there), ordered by
        URL, from the first URL after ``after``: a crawl walks them in batches, so neither it
        nor a long-open read holds the whole archive."""
        # Raw: a correlated choice of one page per item, which sqlite-utils cannot express.
        rows = self._connection.conn.execute(
            f"{_KNOWN_PAGE} WHERE p.url > ? AND {_ITEM_PAGE} ORDER BY p.url LIMIT ?",
            (after, limit),
        )
        return [dict(row) for row in rows]
