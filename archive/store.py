"""The archive: one SQLite file holding items, their URLs, rubrics, versions, pages and crawls.

:class:`Archive` is the only writer of the file. Every public write method is one
``BEGIN IMMEDIATE`` transaction, so a crash or a kill leaves the archive as it was before the call,
and a reader (``sqlite-utils``, ``datasette``, an export) never sees half an item.

Reads and the per-crawl writes go through sqlite-utils (``Database`` over the same connection:
``query``, ``rows_where``, ``count``, ``insert``, ``update``). The per-article write path
(:meth:`Archive.save_item`, :meth:`Archive.add_sightings`, :meth:`Archive.save_page`) stays raw
SQL on the connection: most of its statements merge rather than overwrite (``COALESCE``,
``MAX(last_seen)``, ``INSERT … SELECT``, an upsert on the sightings expression index), which
``insert``/``upsert`` (``SET col = excluded.col``) cannot say; and the plain inserts among them
cost too much through ``Table.insert``/``insert_all``, which look the table up in
``sqlite_master`` and open a savepoint on every call: routing just the items, item_urls and
item_rubrics inserts through them cut ``save_item`` throughput by 35-45 % (measured).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlite_utils.db import NotFoundError

from archive import queries, schema
from archive.errors import (
    ArchiveBusyError,
    ArchiveError,
    ArchiveMissingError,
    NotAnArchiveError,
    SchemaTooNewError,
)
from archive.records import EXPORT_FIELDS, RELATED_FIELDS

SQLITE_HEADER = b"SQLite format 3\x00"

# Texts shorter than this are not trusted for content-hash dedup: two pages with an empty or
# boilerplate-only body would otherwise become one item.
MIN_HASH_DEDUP_CHARS = 200

# How long a write waits for another process's lock before giving up (milliseconds).
BUSY_TIMEOUT_MS = 30_000

SaveStatus = Literal["inserted", "updated", "unchanged"]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SaveResult:
    """What :meth:`Archive.save_item` did with a record."""

    status: SaveStatus
    item_id: int


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with a ``Z``, to the second; naive datetimes are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Archive:
    """A regarchive SQLite archive, opened (and created or migrated) on construction.

    ``create=False`` refuses to create a missing file (for commands that only read).
    ``clock`` returns the current time; tests inject a fixed one.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        clock: Clock | None = None,
    ) -> None:
        self.path = Path(path).expanduser()
        self._clock: Clock = clock or utc_now
        schema.require_sqlite_utils()
        _check_file(self.path, create=create)
        self._conn = _connect(self.path, create=create)
        try:
            self._db = schema.database(self._conn)
            self._check_identity()
            self._configure()
            self._migrate()
        except sqlite3.Error as exc:
            self._conn.close()
            raise self._open_error(exc) from exc
        except BaseException:
            self._conn.close()
            raise

    # -- opening -------------------------------------------------------------------------------

    def _check_identity(self) -> None:
        """Refuse SQLite files that are not ours, or are from a newer schema, before any write.

        Every archive gets ``application_id`` in the transaction of its first migration, so a
        database without it is either brand new (no schema at all) or someone else's.
        """
        # Raw on purpose: a bare read of a file that may not be ours (db.query() would open a
        # savepoint on it first), whose DatabaseError must become NotAnArchiveError.
        try:
            objects = self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            app_id = schema.application_id(self._conn)
            version = schema.user_version(self._conn)
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError):
                raise
            raise NotAnArchiveError(
                f"{self.path} is not a readable SQLite database ({exc}); left untouched, "
                "choose another archive file",
                self.path,
            ) from exc
        fresh = app_id == 0 and objects == 0 and version == 0
        if app_id != schema.APPLICATION_ID and not fresh:
            raise NotAnArchiveError(
                f"{self.path} is an SQLite database of another application, not a regarchive "
                "archive; left untouched, choose another archive file",
                self.path,
            )
        if version > schema.SCHEMA_VERSION:
            raise SchemaTooNewError(
                f"{self.path} has archive schema version {version}, newer than this regarchive "
                f"supports ({schema.SCHEMA_VERSION}); upgrade regarchive to open it",
                self.path,
            )

    def _configure(self) -> None:
        # Raw: sqlite-utils has no API for these PRAGMAs (its enable_wal() is journal_mode only).
        conn = self._conn
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")

    def _migrate(self) -> None:
        schema.migrate(self._conn)

    def _open_error(self, exc: sqlite3.Error) -> ArchiveError:
        if _is_busy(exc):
            return ArchiveBusyError(
                f"archive {self.path} is locked by another process; try again when it is done",
                self.path,
            )
        return ArchiveError(
            f"cannot open archive {self.path}: {exc}; check that the file and its directory "
            "are writable",
            self.path,
        )

    # -- lifecycle ------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection; calling it twice is harmless."""
        self._conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r})"

    @property
    def schema_version(self) -> int:
        return schema.user_version(self._conn)

    def _now(self) -> str:
        return format_timestamp(self._clock())

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front (no deadlock on upgrade).

        Raw ``BEGIN IMMEDIATE``: ``db.atomic()`` opens a deferred ``BEGIN``. sqlite-utils calls
        made inside join this transaction through savepoints.
        """
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            raise self._write_error(exc) from exc

    def _write_error(self, exc: sqlite3.OperationalError) -> ArchiveError:
        if _is_busy(exc):
            return ArchiveBusyError(
                f"archive {self.path} stayed locked by another process for "
                f"{BUSY_TIMEOUT_MS // 1000}s; try again when it is done",
                self.path,
            )
        return ArchiveError(f"cannot write to archive {self.path}: {exc}", self.path)

    # -- crawls ---------------------------------------------------------------------------------

    def start_crawl(self, start_urls: Sequence[str], args: Mapping[str, Any]) -> int:
        """Record the start of a run and return its id."""
        row = {
            "started": self._now(),
            "start_urls": _json(list(start_urls)),
            "args": _json(dict(args)),
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
            "stats": _json({**(stats or {}), **extra}),
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

    def _query_one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        return next(self._db.query(sql, params), None)

    # -- items ----------------------------------------------------------------------------------

    def save_item(
        self,
        record: Mapping[str, Any],
        page: Mapping[str, Any] | None,
        crawl_id: int | None,
    ) -> SaveResult:
        """Insert, update or confirm an item from an extracted record, in one transaction.

        The existing item is found by any of the record's URLs, else by the same text on the
        same site (long texts only). A changed title or text moves the previous state to
        ``versions``; otherwise only ``last_seen`` moves and new URLs, rubrics and related
        links are merged in. The page (raw body compressed) is stored alongside.
        """
        fields = _item_fields(record)
        urls = _distinct([fields["url"], *(record.get("urls") or []), *_page_urls(page)])
        now = self._now()
        with self._transaction() as conn:
            existing = self._find_item(conn, urls, fields)
            if existing is None:
                item_id = _insert_item(conn, fields, now)
                status: SaveStatus = "inserted"
            elif _has_changed(existing, fields):
                item_id = existing["id"]
                _keep_version(conn, item_id)
                _update_item(conn, item_id, fields, now)
                status = "updated"
            else:
                item_id = existing["id"]
                _touch_item(conn, item_id, fields, now)
                status = "unchanged"
            _link_urls(conn, item_id, urls)
            _link_rubrics(conn, item_id, _clean_list(record.get("rubrics")))
            _merge_related(conn, item_id, record.get("related") or [])
            _fill_from_sightings(conn, item_id)
            if page is not None:
                _upsert_page(conn, page, item_id, crawl_id, now)
        return SaveResult(status, item_id)

    def _find_item(
        self, conn: sqlite3.Connection, urls: Sequence[str], fields: Mapping[str, Any]
    ) -> sqlite3.Row | None:
        # Raw lookups on the per-article path: db.query() wraps each in a savepoint.
        item_id = _item_id_by_url(conn, urls)
        if item_id is None and len(fields["text"].strip()) >= MIN_HASH_DEDUP_CHARS:
            row = conn.execute(
                "SELECT id FROM items WHERE content_hash = ? AND site = ? ORDER BY id LIMIT 1",
                (fields["content_hash"], fields["site"]),
            ).fetchone()
            item_id = row["id"] if row is not None else None
        if item_id is None:
            return None
        return conn.execute(
            "SELECT id, title, category, content_hash FROM items WHERE id = ?", (item_id,)
        ).fetchone()

    def item_id(self, url: str) -> int | None:
        """The item known at ``url`` (any of its URLs), if any."""
        return _item_id_by_url(self._conn, [url])

    def item_count(self) -> int:
        return self._db.table("items").count

    # -- sightings ------------------------------------------------------------------------------

    def add_sightings(self, sightings: Iterable[Mapping[str, Any]], crawl_id: int | None) -> int:
        """Store links seen on listing pages, in one transaction; return how many were kept.

        A sighting of a URL the archive already knows adds its rubric to that item and gives
        it a category when it has none; sightings of URLs not fetched yet are applied when the
        item is saved.
        """
        now = self._now()
        count = 0
        with self._transaction() as conn:
            for sighting in sightings:
                url = sighting.get("url")
                if not url:
                    continue
                row = _sighting_row(sighting, crawl_id, now)
                conn.execute(_UPSERT_SIGHTING, row)
                item_id = _item_id_by_url(conn, [url])
                if item_id is not None:
                    _apply_sighting(conn, item_id, row["rubric"], row["category"])
                count += 1
        return count

    # -- pages ----------------------------------------------------------------------------------

    def save_page(
        self, page: Mapping[str, Any], crawl_id: int | None, item_id: int | None = None
    ) -> None:
        """Store a fetched page on its own (e.g. a 304 or a page that is not an article)."""
        with self._transaction() as conn:
            _upsert_page(conn, page, item_id, crawl_id, self._now())

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

    def known_pages(self) -> Iterator[dict[str, Any]]:
        """Fetched article pages with what a rerun needs: validators, body hash, the item's
        dates, and whether the URL is the item's canonical one."""
        return self._db.query(
            "SELECT p.url, p.item_id, p.url = i.url AS is_item_url, p.etag, p.last_modified, "
            "p.body_hash, p.fetched_at, i.published, i.first_seen "
            "FROM pages p JOIN items i ON i.id = p.item_id"
        )

    def known_item_urls(self) -> set[str]:
        """Every URL an archived article was seen at."""
        return {row[0] for row in self._conn.execute("SELECT url FROM item_urls")}

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

    # -- reading --------------------------------------------------------------------------------

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Every item as an export record, ordered by ``published`` (undated last) then ``id``.

        Streams from a cursor; each row carries its URLs, rubrics and related links through
        JSON subqueries, so there is one query per ordering, not one per item. The two
        queries (dated, then undated) each follow the ``items_published`` index: no sort.
        """
        for where in (
            "i.published IS NOT NULL ORDER BY i.published, i.id",
            "i.published IS NULL ORDER BY i.id",
        ):
            for row in self._db.query(_RECORD_SELECT + " WHERE " + where):
                yield _record(row)

    def record(self, item: int | str) -> dict[str, Any] | None:
        """One export record, by item id or by any of its URLs."""
        item_id = item if isinstance(item, int) else self.item_id(item)
        if item_id is None:
            return None
        row = self._query_one(_RECORD_SELECT + " WHERE i.id = ?", (item_id,))
        return _record(row) if row is not None else None

    def versions(self, item_id: int) -> list[dict[str, Any]]:
        """Earlier states of an item, oldest first."""
        rows = self._db.table("versions").rows_where(
            "item_id = ?",
            [item_id],
            select="id, seen_at, title, text, content_hash, updated, published",
            order_by="seen_at, id",
        )
        return list(rows)

    def search(self, query: str, *, limit: int = 20, raw: bool = False) -> list[dict[str, Any]]:
        """Full-text search on titles and texts, best matches first, accents ignored.

        Each word of ``query`` must appear; ``raw=True`` passes FTS5 query syntax through
        (``"exact phrase"``, ``OR``, ``NOT``, ``prefix*``).
        """
        match = query if raw else _fts_terms(query)
        if not match:
            return []
        try:
            return list(self._db.query(_SEARCH_SELECT, (match, limit)))
        except sqlite3.OperationalError as exc:
            raise ArchiveError(f"invalid search query {query!r}: {exc}", self.path) from exc

    def summary(self) -> dict[str, Any]:
        """Counts for a ``stats`` command: items by category and site, and table sizes."""
        db = self._db

        def count(table: str) -> int:
            return db.table(table).count

        def grouped(column: str) -> dict[str, int]:
            rows = db.query(
                f"SELECT {column} AS key, count(*) AS n FROM items GROUP BY {column} "
                "ORDER BY n DESC, key"
            )
            return {(row["key"] if row["key"] is not None else ""): row["n"] for row in rows}

        span = next(db.query("SELECT min(published) AS first, max(published) AS last FROM items"))
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "items": count("items"),
            "urls": count("item_urls"),
            "versions": count("versions"),
            "pages": count("pages"),
            "sightings": count("sightings"),
            "crawls": count("crawls"),
            "by_category": grouped("category"),
            "by_site": grouped("site"),
            "published_from": span["first"],
            "published_to": span["last"],
        }

    # -- queries and exports --------------------------------------------------------------------

    def find_items(
        self,
        filters: queries.Filters,
        *,
        sort: queries.Sort = "relevance",
        limit: int | None = 20,
    ) -> list[dict[str, Any]]:
        """Summaries of the items matching ``filters``: best matches or newest first.

        Each has ``id``, ``url``, ``site``, ``title``, ``category``, ``rubrics`` (sorted),
        ``source``, ``published``, ``updated`` and, when ``filters`` has a query, ``snippet``:
        a passage of the text with matched words between :data:`queries.MATCH_START` and
        :data:`queries.MATCH_END`. ``limit`` None lists them all. A malformed query raises
        :class:`queries.QueryError`.
        """
        sql = queries.search_sql(filters, sort=sort, limit=limit)
        return [self._summary(row) for row in self._read(sql, filters)]

    def count_items(self, filters: queries.Filters) -> int:
        """How many items match ``filters``."""
        row = next(self._read(queries.count_sql(filters), filters))
        return int(row["n"])

    def iter_export(self, filters: queries.Filters) -> Iterator[dict[str, Any]]:
        """The export records (see :meth:`iter_records`) of the items matching ``filters``.

        Same order as :meth:`iter_records`, streamed from a cursor: memory stays constant.
        """
        for sql in queries.export_sql(filters, _RECORD_SELECT):
            for row in self._read(sql, filters):
                yield _record(row)

    def facets(self, filters: queries.Filters) -> dict[str, Any]:
        """Counts for ``stats``: items, first and last publication dates, and items per
        category, rubric, source, site and month (``YYYY-MM``), most frequent first (months in
        order). The key None counts items without that value (no category, undated…)."""
        span = next(self._read(queries.span_sql(filters), filters))
        counts: dict[str, Any] = {
            "items": span["items"],
            "published_from": span["first"],
            "published_to": span["last"],
        }
        for facet in queries.FACETS:
            rows = self._read(queries.facet_sql(filters, facet), filters)
            counts[f"by_{facet}"] = {row["key"]: row["n"] for row in rows}
        return counts

    def related_items(self, item_id: int) -> list[dict[str, Any]]:
        """The item's "Dans la même rubrique" entries, each with ``item_id``: the archived item
        at that URL, or None when it is not in the archive."""
        rows = self._db.query(
            "SELECT x.url, x.label, x.category, x.rubric, x.title, u.item_id "
            "FROM related AS x LEFT JOIN item_urls AS u ON u.url = x.url "
            "WHERE x.item_id = ? ORDER BY x.url",
            (item_id,),
        )
        return list(rows)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see the archive as it was at their first read, whatever a crawl
        writes meanwhile (WAL): an export and its change mark then agree exactly."""
        # Raw: a deferred read transaction; sqlite-utils has no API for one.
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            if self._conn.in_transaction:
                self._conn.execute("COMMIT")

    def change_mark(self) -> int:
        """The number of the archive's latest item change (0 for an empty archive).

        Items changed later get higher numbers (see ``item_changes`` in :mod:`archive.schema`).
        """
        row = self._query_one("SELECT coalesce(max(seq), 0) AS mark FROM item_changes")
        return int(row["mark"]) if row is not None else 0

    def last_export(self, name: str) -> dict[str, Any] | None:
        """The latest export recorded under ``name``, or None: ``id``, ``name``,
        ``exported_at``, ``mark``, ``items``, ``format``, ``output``, ``filters`` (decoded)."""
        row = self._query_one(
            "SELECT * FROM exports WHERE name = ? ORDER BY id DESC LIMIT 1", (name,)
        )
        if row is None:
            return None
        return {**row, "filters": json.loads(row["filters"])}

    def record_export(
        self,
        name: str,
        *,
        mark: int,
        items: int,
        fmt: str,
        output: str | None,
        filters: Mapping[str, Any],
    ) -> int:
        """Remember that export ``name`` has written everything up to change ``mark``."""
        row = {
            "name": name,
            "exported_at": self._now(),
            "mark": int(mark),
            "items": int(items),
            "format": fmt,
            "output": output,
            "filters": _json(dict(filters)),
        }
        with self._transaction():
            exports = self._db.table("exports").insert(row)
        return int(exports.last_pk)

    @staticmethod
    def _is_fts_error(exc: sqlite3.OperationalError) -> bool:
        """Whether FTS5 refused the MATCH expression (its messages are not all prefixed)."""
        message = str(exc).lower()
        return any(
            part in message for part in ("fts5", "unterminated string", "no such column", "match")
        )

    @staticmethod
    def _summary(row: Mapping[str, Any]) -> dict[str, Any]:
        """A search or listing result from a :data:`queries.SUMMARY_COLUMNS` row."""
        summary = {key: row[key] for key in ("id", "url", "site", "title", "category")}
        summary["rubrics"] = _sorted_rubrics(json.loads(row["rubrics_json"]))
        summary.update({key: row[key] for key in ("source", "published", "updated")})
        if "snippet" in row:
            summary["snippet"] = row["snippet"]
        return summary

    def _read(self, sql: queries.Sql, filters: queries.Filters) -> Iterator[dict[str, Any]]:
        """Rows of a statement built by :mod:`archive.queries`, with FTS5 errors made readable."""
        # The folding function the filters' SQL calls, registered once: SQLite refuses to
        # redefine a function while another statement (a streaming export) is running.
        if not getattr(self, "_fold_registered", False):
            self._conn.create_function(queries.FOLD_FUNCTION, 1, queries.fold, deterministic=True)
            self._fold_registered = True
        try:
            yield from self._db.query(sql.text, sql.params)
        except sqlite3.OperationalError as exc:
            if filters.query is not None and self._is_fts_error(exc):
                reason = str(exc).replace("fts5: ", "")
                raise queries.QueryError(
                    f"invalid search query {filters.query!r}: {reason}"
                ) from exc
            raise ArchiveError(f"cannot read archive {self.path}: {exc}", self.path) from exc

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


# -- opening helpers ----------------------------------------------------------------------------


def _check_file(path: Path, *, create: bool) -> None:
    """Look at the file with plain I/O before SQLite touches it."""
    if path.is_dir():
        raise ArchiveError(f"{path} is a directory, not an archive file; give a file path", path)
    if path.exists():
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise ArchiveError(
                f"cannot read archive {path}: {exc.strerror}; check its permissions", path
            ) from exc
        # An empty file is what mkstemp or `touch` leave: SQLite treats it as a new database.
        if header and header != SQLITE_HEADER:
            raise NotAnArchiveError(
                f"{path} is not an SQLite file; left untouched, choose another archive file", path
            )
        return
    if not create:
        raise ArchiveMissingError(
            f"no archive at {path}; check the path (--db / REGARCHIVE_DB) or run a crawl first",
            path,
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(
            f"cannot create archive {path}: {exc.strerror}; choose a writable directory", path
        ) from exc
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ArchiveError(
            f"cannot create archive {path}: directory {path.parent} is not writable; "
            "choose a writable directory",
            path,
        )


def _connect(path: Path, *, create: bool) -> sqlite3.Connection:
    """Connect in autocommit mode: transactions are explicit (see ``_transaction``)."""
    mode = "rwc" if create else "rw"
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    try:
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise ArchiveError(
            f"cannot open archive {path}: {exc}; check that the file and its directory "
            "are writable",
            path,
        ) from exc
    conn.row_factory = sqlite3.Row
    return conn


def _is_busy(exc: sqlite3.Error) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


# -- record helpers -----------------------------------------------------------------------------


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default, sort_keys=True)


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def _clean(value: Any) -> str | None:
    """Strip a text value; empty becomes None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _clean_list(values: Iterable[Any] | None) -> list[str]:
    return _distinct(_clean(v) for v in values or ())


def _distinct(values: Iterable[str | None]) -> list[str]:
    """Non-empty values, first occurrence kept, order preserved."""
    return list(dict.fromkeys(v for v in values if v))


def _page_urls(page: Mapping[str, Any] | None) -> list[str]:
    if page is None:
        return []
    return [u for u in (page.get("url"), page.get("final_url")) if u]


def _item_fields(record: Mapping[str, Any]) -> dict[str, Any]:
    """The ``items`` columns taken from a record (see docs/CONTRACTS.md)."""
    url = _clean(record.get("url"))
    if url is None:
        raise ValueError("record has no url")
    text = record.get("text") or ""
    return {
        "url": url,
        "site": _clean(record.get("site")) or urlsplit(url).netloc,
        "title": _clean(record.get("title")),
        "category": _clean(record.get("category")),
        "source": _clean(record.get("source")),
        "published": _clean(record.get("published")),
        "updated": _clean(record.get("updated")),
        "text": text,
        "lang": _clean(record.get("lang")),
        # The extractor always sets it; the fallback only keeps the NOT NULL column honest.
        "content_hash": record.get("content_hash")
        or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "warnings": _json(list(record.get("warnings") or [])),
    }


def _item_id_by_url(conn: sqlite3.Connection, urls: Sequence[str]) -> int | None:
    """The item mapped to the first of ``urls`` that is known (canonical URL comes first)."""
    if not urls:
        return None
    # Raw: on the per-article path, where db.query() would add a savepoint per lookup.
    marks = ", ".join("?" for _ in urls)
    known = {
        row["url"]: row["item_id"]
        for row in conn.execute(
            f"SELECT url, item_id FROM item_urls WHERE url IN ({marks})", tuple(urls)
        )
    }
    for url in urls:
        if url in known:
            return int(known[url])
    row = conn.execute(
        f"SELECT id FROM items WHERE url IN ({marks}) ORDER BY id LIMIT 1", tuple(urls)
    ).fetchone()
    return int(row["id"]) if row is not None else None


def _has_changed(existing: sqlite3.Row, fields: Mapping[str, Any]) -> bool:
    if existing["content_hash"] != fields["content_hash"]:
        return True
    return fields["title"] is not None and fields["title"] != existing["title"]


def _insert_item(conn: sqlite3.Connection, fields: Mapping[str, Any], now: str) -> int:
    # Raw: Table.insert() would cost ~+100 µs per article (schema lookups, savepoint).
    cursor = conn.execute(
        "INSERT INTO items (url, site, title, category, source, published, updated, text, "
        "lang, content_hash, warnings, first_seen, last_seen) VALUES (:url, :site, :title, "
        ":category, :source, :published, :updated, :text, :lang, :content_hash, :warnings, "
        ":now, :now)",
        {**fields, "now": now},
    )
    return int(cursor.lastrowid or 0)


def _keep_version(conn: sqlite3.Connection, item_id: int) -> None:
    """Copy the item's current state to ``versions``, dated by when it was last seen."""
    # Raw: INSERT … SELECT copies the row inside SQLite; sqlite-utils inserts Python values.
    conn.execute(
        "INSERT INTO versions (item_id, seen_at, title, text, content_hash, updated, published) "
        "SELECT id, last_seen, title, text, content_hash, updated, published FROM items "
        "WHERE id = ?",
        (item_id,),
    )


def _update_item(
    conn: sqlite3.Connection, item_id: int, fields: Mapping[str, Any], now: str
) -> None:
    """Take the record's state; url and first_seen stay, metadata the record lacks stays."""
    # Raw: COALESCE/MAX merges; Table.update() can only assign values.
    conn.execute(
        "UPDATE items SET title = COALESCE(:title, title), "
        "category = COALESCE(:category, category), source = COALESCE(:source, source), "
        "published = COALESCE(:published, published), updated = COALESCE(:updated, updated), "
        "text = :text, lang = COALESCE(:lang, lang), content_hash = :content_hash, "
        "warnings = :warnings, last_seen = MAX(last_seen, :now) WHERE id = :id",
        {**fields, "now": now, "id": item_id},
    )


def _touch_item(
    conn: sqlite3.Connection, item_id: int, fields: Mapping[str, Any], now: str
) -> None:
    """Same content seen again: bump last_seen and only fill metadata that was missing.

    Title and text are not in the SET clause, so the full-text triggers do not fire.
    """
    # Raw: COALESCE/MAX merges; Table.update() can only assign values.
    conn.execute(
        "UPDATE items SET last_seen = MAX(last_seen, :now), "
        "category = COALESCE(category, :category), source = COALESCE(source, :source), "
        "published = COALESCE(published, :published), updated = COALESCE(updated, :updated), "
        "lang = COALESCE(lang, :lang) WHERE id = :id",
        {**fields, "now": now, "id": item_id},
    )


def _link_urls(conn: sqlite3.Connection, item_id: int, urls: Iterable[str]) -> None:
    """Map URLs to the item; a URL already mapped to another item stays with it."""
    # Raw: insert_all(ignore=True) says the same at ~8x the cost, on every article.
    conn.executemany(
        "INSERT OR IGNORE INTO item_urls (url, item_id) VALUES (?, ?)",
        [(url, item_id) for url in urls],
    )


def _link_rubrics(conn: sqlite3.Connection, item_id: int, rubrics: Iterable[str]) -> None:
    # Raw: insert_all(ignore=True) says the same at ~8x the cost, on every article.
    conn.executemany(
        "INSERT OR IGNORE INTO item_rubrics (item_id, rubric) VALUES (?, ?)",
        [(item_id, rubric) for rubric in rubrics],
    )


def _merge_related(
    conn: sqlite3.Connection, item_id: int, related: Iterable[Mapping[str, Any]]
) -> None:
    rows = [
        {"item_id": item_id, **{key: _clean(entry.get(key)) for key in RELATED_FIELDS}}
        for entry in related
        if _clean(entry.get("url"))
    ]
    # Raw: a COALESCE-merging upsert; upsert_all() overwrites with NULLs (col = excluded.col).
    conn.executemany(
        "INSERT INTO related (item_id, url, label, category, rubric, title) "
        "VALUES (:item_id, :url, :label, :category, :rubric, :title) "
        "ON CONFLICT (item_id, url) DO UPDATE SET label = COALESCE(excluded.label, label), "
        "category = COALESCE(excluded.category, category), "
        "rubric = COALESCE(excluded.rubric, rubric), title = COALESCE(excluded.title, title)",
        rows,
    )


def _fill_from_sightings(conn: sqlite3.Connection, item_id: int) -> None:
    """Rubrics of every sighting of the item's URLs; its category when it has none.

    The category hint is the most frequent one among those sightings (latest on a tie).
    """
    # Raw: INSERT … SELECT and a correlated UPDATE, which sqlite-utils has no API for.
    conn.execute(
        "INSERT OR IGNORE INTO item_rubrics (item_id, rubric) "
        "SELECT u.item_id, s.rubric FROM item_urls AS u JOIN sightings AS s ON s.url = u.url "
        "WHERE u.item_id = ? AND s.rubric IS NOT NULL",
        (item_id,),
    )
    conn.execute(
        "UPDATE items SET category = ("
        " SELECT s.category FROM item_urls AS u JOIN sightings AS s ON s.url = u.url"
        " WHERE u.item_id = items.id AND s.category IS NOT NULL"
        " GROUP BY s.category ORDER BY count(*) DESC, max(s.last_seen) DESC LIMIT 1"
        ") WHERE id = ? AND category IS NULL",
        (item_id,),
    )


def _upsert_page(
    conn: sqlite3.Connection,
    page: Mapping[str, Any],
    item_id: int | None,
    crawl_id: int | None,
    now: str,
) -> None:
    """Store the last fetch of a URL; a bodiless 304 keeps the body and status stored before."""
    body = page.get("body") or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    row = {
        "url": page["url"],
        "final_url": page.get("final_url") or page["url"],
        "status": page.get("status"),
        "content_type": page.get("content_type"),
        "etag": page.get("etag"),
        "last_modified": page.get("last_modified"),
        "fetched_at": page.get("fetched_at") or now,
        "body_hash": hashlib.sha256(body).hexdigest() if body else None,
        "html": zlib.compress(body) if body else None,
        "item_id": item_id,
        "crawl_id": crawl_id,
    }
    not_modified = row["status"] == 304 and not body
    # Raw: upserts with COALESCE merges (and a 304 keeping the stored body); upsert() would
    # overwrite every column, and costs ~+200 µs per call.
    conn.execute(_UPSERT_PAGE_NOT_MODIFIED if not_modified else _UPSERT_PAGE, row)


_PAGE_INSERT = (
    "INSERT INTO pages (url, final_url, status, content_type, etag, last_modified, fetched_at, "
    "body_hash, html, item_id, crawl_id) VALUES (:url, :final_url, :status, :content_type, "
    ":etag, :last_modified, :fetched_at, :body_hash, :html, :item_id, :crawl_id) "
    "ON CONFLICT (url) DO UPDATE SET "
)
_UPSERT_PAGE = _PAGE_INSERT + (
    "final_url = excluded.final_url, status = excluded.status, "
    "content_type = excluded.content_type, etag = excluded.etag, "
    "last_modified = excluded.last_modified, fetched_at = excluded.fetched_at, "
    "body_hash = excluded.body_hash, html = excluded.html, "
    "item_id = COALESCE(excluded.item_id, item_id), crawl_id = excluded.crawl_id"
)
_UPSERT_PAGE_NOT_MODIFIED = _PAGE_INSERT + (
    "etag = COALESCE(excluded.etag, etag), "
    "last_modified = COALESCE(excluded.last_modified, last_modified), "
    "fetched_at = excluded.fetched_at, item_id = COALESCE(excluded.item_id, item_id), "
    "crawl_id = excluded.crawl_id"
)


# -- sighting helpers ---------------------------------------------------------------------------

# Raw: the conflict target is the COALESCE expression index and the update merges (MAX,
# COALESCE); upsert_all() can only target primary-key columns and overwrite them.
_UPSERT_SIGHTING = (
    "INSERT INTO sightings (url, rubric, label, category, found_on, crawl_id, first_seen, "
    "last_seen) VALUES (:url, :rubric, :label, :category, :found_on, :crawl_id, :now, :now) "
    "ON CONFLICT (url, COALESCE(rubric, ''), COALESCE(label, '')) DO UPDATE SET "
    "last_seen = MAX(last_seen, excluded.last_seen), "
    "category = COALESCE(excluded.category, category), "
    "found_on = COALESCE(excluded.found_on, found_on), "
    "crawl_id = COALESCE(excluded.crawl_id, crawl_id)"
)


def _sighting_row(sighting: Mapping[str, Any], crawl_id: int | None, now: str) -> dict[str, Any]:
    return {
        "url": sighting["url"],
        "rubric": _clean(sighting.get("rubric")),
        "label": _clean(sighting.get("label")),
        "category": _clean(sighting.get("category")),
        "found_on": _clean(sighting.get("found_on")),
        "crawl_id": crawl_id,
        "now": now,
    }


def _apply_sighting(
    conn: sqlite3.Connection, item_id: int, rubric: str | None, category: str | None
) -> None:
    if rubric is not None:
        _link_rubrics(conn, item_id, [rubric])
    if category is not None:
        # Raw: a conditional UPDATE (only when no category yet); Table.update() has no WHERE.
        conn.execute(
            "UPDATE items SET category = ? WHERE id = ? AND category IS NULL", (category, item_id)
        )


# -- reading helpers ----------------------------------------------------------------------------

_RECORD_SELECT = """
SELECT i.id, i.url, i.site, i.title, i.category, i.source, i.published, i.updated, i.lang,
    i.text, i.first_seen, i.last_seen, i.warnings,
    (SELECT json_group_array(u.url) FROM item_urls AS u WHERE u.item_id = i.id) AS urls_json,
    (SELECT json_group_array(r.rubric) FROM item_rubrics AS r WHERE r.item_id = i.id)
        AS rubrics_json,
    (SELECT json_group_array(json_object('url', x.url, 'label', x.label,
            'category', x.category, 'rubric', x.rubric, 'title', x.title))
        FROM related AS x WHERE x.item_id = i.id) AS related_json
FROM items AS i"""

_CRAWL_SELECT = """
SELECT c.*, (SELECT count(*) FROM crawl_errors AS e WHERE e.crawl_id = c.id) AS error_rows
FROM crawls AS c"""

_SEARCH_SELECT = """
SELECT i.id, i.url, i.title, i.category, i.published,
    snippet(items_fts, 1, '[', ']', '…', 16) AS snippet
FROM items_fts JOIN items AS i ON i.id = items_fts.rowid
WHERE items_fts MATCH ? ORDER BY rank LIMIT ?"""


def _record(row: Mapping[str, Any]) -> dict[str, Any]:
    """An export record (see :mod:`archive.records`) from a ``_RECORD_SELECT`` row."""
    values = {
        **dict(row),
        "urls": sorted(json.loads(row["urls_json"])),
        "rubrics": _sorted_rubrics(json.loads(row["rubrics_json"])),
        "related": sorted(json.loads(row["related_json"]), key=lambda entry: entry["url"]),
        "warnings": json.loads(row["warnings"] or "[]"),
    }
    return {field: values.get(field) for field in EXPORT_FIELDS}


def _sorted_rubrics(rubrics: Iterable[str]) -> list[str]:
    """Sorted case-insensitively; spellings differing only in case are listed once."""
    unique: dict[str, str] = {}
    for rubric in sorted(rubrics):
        unique.setdefault(rubric.casefold(), rubric)
    return [unique[key] for key in sorted(unique)]


def _crawl_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    crawl = dict(row)
    for key in ("start_urls", "args", "stats"):
        crawl[key] = json.loads(crawl[key]) if crawl[key] else None
    return crawl


def _fts_terms(query: str) -> str:
    """Each word as a quoted FTS5 string, so punctuation (l'Europe, Île-de-France) is safe."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
