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

This module holds the :class:`Archive` facade: opening the file, transactions, and saving items
and sightings. Its other methods come from two mixins: :mod:`regarchive.archive.crawl_state` (runs,
fetched
pages, listings: the crawl's own bookkeeping) and :mod:`regarchive.archive.item_reads` (records,
search,
filtered queries, exports). The raw SQL of the write path is in :mod:`regarchive.archive.writes`.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import urlsplit

from regarchive.archive import schema
from regarchive.archive.browse_reads import BrowseReadsMixin
from regarchive.archive.crawl_state import CrawlStateMixin
from regarchive.archive.errors import (
    ArchiveBusyError,
    ArchiveError,
    NotAnArchiveError,
    SchemaTooNewError,
)
from regarchive.archive.file_checks import check_file
from regarchive.archive.item_reads import RECORD_SELECT, ItemReadsMixin, record_from_row
from regarchive.archive.writes import (
    UPSERT_SIGHTING,
    apply_sighting,
    clean_list,
    distinct,
    fetched_urls,
    fill_from_sightings,
    has_changed,
    insert_item,
    item_fields,
    keep_version,
    link_rubrics,
    link_urls,
    merge_related,
    page_urls,
    release_url,
    same_article,
    sighting_row,
    to_json,
    touch_item,
    update_item,
    upsert_page,
)

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


class Archive(CrawlStateMixin, ItemReadsMixin, BrowseReadsMixin):
    """A regarchive SQLite archive, opened (and created or migrated) on construction.

    ``create=False`` refuses to create a missing file (for commands that only read).
    ``read_only=True`` opens an existing archive that nothing can be written through (SQLite's
    ``mode=ro`` and ``query_only``): for serving it; an archive that needs a migration is then
    refused rather than migrated.
    ``clock`` returns the current time; tests inject a fixed one.

    Crawl bookkeeping comes from :class:`~archive.crawl_state.CrawlStateMixin`, reading items
    back from :class:`~archive.item_reads.ItemReadsMixin`, the reads of a web view from
    :class:`~archive.browse_reads.BrowseReadsMixin`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        clock: Clock | None = None,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path).expanduser()
        self._clock: Clock = clock or utc_now
        self.read_only = read_only
        schema.require_sqlite_utils()
        check_file(self.path, create=create and not read_only)
        self._conn = _connect(self.path, create=create, read_only=read_only)
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
            detail = "" if "not a database" in str(exc) else f" ({exc})"
            raise NotAnArchiveError(
                f"{self.path} is not an SQLite file{detail}; left untouched, "
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
        if self.read_only:
            # Belt and braces over mode=ro: even a statement SQLite would let through on a
            # read-only file (a temporary table…) is refused. The journal mode is the writer's.
            conn.execute("PRAGMA query_only = ON")
            return
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")

    def _migrate(self) -> None:
        if self.read_only:
            version = schema.user_version(self._conn)
            if version == 0:
                raise ArchiveError(
                    f"{self.path} is an empty database, not an archive yet; crawl into it first",
                    self.path,
                )
            if version < schema.SCHEMA_VERSION:
                raise ArchiveError(
                    f"{self.path} has archive schema version {version}, older than this "
                    f"regarchive's ({schema.SCHEMA_VERSION}) and is opened read-only; update it "
                    f"once with a command that writes (regarchive status --db {self.path})",
                    self.path,
                )
            return
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
        fields = item_fields(record)
        record_urls = distinct([fields["url"], *(record.get("urls") or [])])
        urls = distinct([*record_urls, *page_urls(page)])
        now = self._now()
        with self._transaction() as conn:
            urls = self._settle_canonical_claim(conn, urls, record_urls, fields, page_urls(page))
            existing = self._find_item(conn, urls, fields)
            if existing is None:
                item_id = insert_item(conn, fields, now)
                status: SaveStatus = "inserted"
            elif has_changed(existing, fields):
                item_id = existing["id"]
                keep_version(conn, item_id)
                update_item(conn, item_id, fields, now)
                status = "updated"
            else:
                item_id = existing["id"]
                touch_item(conn, item_id, fields, now)
                status = "unchanged"
            link_urls(conn, item_id, urls)
            link_rubrics(conn, item_id, clean_list(record.get("rubrics")))
            merge_related(conn, item_id, record.get("related") or [])
            fill_from_sightings(conn, item_id)
            if page is not None:
                upsert_page(conn, page, item_id, crawl_id, now)
        return SaveResult(status, item_id)

    def _settle_canonical_claim(
        self,
        conn: sqlite3.Connection,
        urls: list[str],
        record_urls: list[str],
        fields: dict[str, Any],
        fetched: list[str],
    ) -> list[str]:
        """Keep a canonical link from merging two different articles; return the URLs to
        save the record under.

        A page's canonical URL is trusted to join it to the item known there, unless that item
        was fetched elsewhere and holds another article (different words): then the page that
        claims a URL it was not fetched at loses the claim, whether it comes first (the
        earlier item gives the URL back) or second (the record keeps its own URL). Either way
        the item concerned gets a warning.
        """
        owner = _item_id_by_url(conn, urls)
        if owner is None or not fetched:
            return urls
        theirs = fetched_urls(conn, owner)
        if not theirs or theirs & set(fetched) or same_article(conn, owner, fields):
            return urls
        canonical = fields["url"]
        if canonical not in fetched:
            # The record's URLs are the canonical, then where it was requested and where it
            # landed (normalised): the last of them is the page's own.
            fields["url"] = next(
                (url for url in reversed(record_urls) if url != canonical), fetched[-1]
            )
            fields["site"] = urlsplit(fields["url"]).netloc
            warning = f"canonical URL {canonical} ignored: another archived article is there"
            fields["warnings"] = to_json([*json.loads(fields["warnings"]), warning])
            return [url for url in urls if url != canonical]
        for url in sorted(set(urls) - theirs):
            release_url(
                conn, owner, url, f"canonical URL {url} ignored: another archived article is there"
            )
        return urls

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
                row = sighting_row(sighting, crawl_id, now)
                conn.execute(UPSERT_SIGHTING, row)
                item_id = _item_id_by_url(conn, [url])
                if item_id is not None:
                    apply_sighting(conn, item_id, row["rubric"], row["category"])
                count += 1
        return count

    # -- reading the whole archive --------------------------------------------------------------
    # Here, not in archive/item_reads.py: tests/test_faults_security.py reviews by file the names
    # formatted into SQL text (``where`` and ``column`` below, ``marks`` in _item_id_by_url).

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
            for row in self._db.query(RECORD_SELECT + " WHERE " + where):
                yield record_from_row(row)

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


# -- opening helpers ----------------------------------------------------------------------------


def _connect(path: Path, *, create: bool, read_only: bool = False) -> sqlite3.Connection:
    """Connect in autocommit mode: transactions are explicit (see ``_transaction``)."""
    mode = "ro" if read_only else "rwc" if create else "rw"
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


# -- item lookup --------------------------------------------------------------------------------


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
