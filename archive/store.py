"""The archive: one SQLite file holding items, their URLs, rubrics, versions, pages and crawls.

:class:`Archive` opens the file (creating or migrating it) and is the only writer of it. It owns
one :class:`~regarchive.archive.connection.ArchiveConnection` and a small object per concern over
it, the way sqlite-utils' ``Database`` hands out ``Table`` objects:

- ``items`` (:class:`~regarchive.archive.items.Items`): saving records and sightings;
- ``pages`` (:class:`~regarchive.archive.pages.Pages`): fetched pages, what a rerun asks of them;
- ``crawl_log`` (:class:`~regarchive.archive.crawl_log.CrawlLog`): runs, errors, listings;
- ``item_reads`` (:class:`~regarchive.archive.item_reads.ItemReads`): records, search, queries;
- ``export_log`` (:class:`~regarchive.archive.export_log.ExportLog`): change marks, exports;
- ``attachment_store`` (:class:`~regarchive.archive.attachments.AttachmentStore`): the documents
  items link, stored once per content;
- ``reextraction`` (:class:`~regarchive.archive.reextraction.Reextraction`): the items an older
  extractor made, and writing back what today's makes of their pages;
- ``page_hints`` (:class:`~regarchive.archive.page_hints.PageHints`): what sitemaps and feeds
  said of each page at its last fetch;
- ``ingest_log`` (:class:`~regarchive.archive.ingest_log.IngestLog`): what ``regarchive ingest``
  committed of a frontier's stream.

Its methods (``save_item``, ``search``…) hand each call to the object concerned. Every public
write is one ``BEGIN IMMEDIATE`` transaction (:meth:`Archive.transaction`; an outer one groups
several), so a crash or a kill leaves the archive as it was before the call, and a reader
(``sqlite-utils``, ``datasette``, an export) never sees half an item.

Reads and the per-crawl writes go through sqlite-utils (``Database`` over the same connection:
``query``, ``rows_where``, ``count``, ``insert``, ``update``). The per-article write path
(``save_item``, ``add_sightings``, ``save_page``, ``touch_page``) stays raw SQL on the connection,
all of it in :mod:`regarchive.archive.writes`: most of its statements merge rather than
overwrite (``COALESCE``, ``MAX(last_seen)``, ``INSERT … SELECT``, an upsert on the sightings
expression index), which ``insert``/``upsert`` (``SET col = excluded.col``) cannot say; and the
plain inserts among them cost too much through ``Table.insert``/``insert_all``, which look the
table up in ``sqlite_master`` and open a savepoint on every call: routing just the items,
item_urls and item_rubrics inserts through them cut ``save_item`` throughput by 35-45 %
(measured).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType
from typing import Any

from regarchive.archive import queries, schema
from regarchive.archive.attachments import AttachmentStore
from regarchive.archive.browse_reads import BrowseReads, SelectResult
from regarchive.archive.clock import Clock, utc_now
from regarchive.archive.connection import ArchiveConnection, is_busy
from regarchive.archive.crawl_log import CrawlLog
from regarchive.archive.errors import (
    ArchiveBusyError,
    ArchiveError,
    NotAnArchiveError,
    SchemaTooNewError,
)
from regarchive.archive.export_log import ExportLog
from regarchive.archive.file_checks import check_file
from regarchive.archive.ingest_log import IngestLog
from regarchive.archive.item_reads import ItemReads
from regarchive.archive.items import Items, SaveResult
from regarchive.archive.page_hints import PageHints
from regarchive.archive.pages import Pages
from regarchive.archive.reextraction import ItemChange, Reextraction

__all__ = ["Archive", "SaveResult", "SelectResult"]

# How long a write waits for another process's lock before giving up (milliseconds).
BUSY_TIMEOUT_MS = 30_000


class Archive:
    """A regarchive SQLite archive, opened (and created or migrated) on construction.

    ``create=False`` refuses to create a missing file (for commands that only read).
    ``read_only=True`` opens an existing archive that nothing can be written through (SQLite's
    ``mode=ro`` and ``query_only``): for serving it; an archive that needs a migration is then
    refused rather than migrated.
    ``clock`` returns the current time; tests inject a fixed one.
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
        self.read_only = read_only
        schema.require_sqlite_utils()
        check_file(self.path, create=create and not read_only)
        self._conn = _connect(self.path, create=create, read_only=read_only)
        try:
            self._db = schema.database(self._conn)
            self._check_identity()
            self._configure()
            self._migrate()
            self._connection = ArchiveConnection(
                self.path,
                self._conn,
                self._db,
                clock=clock or utc_now,
                busy_timeout_ms=BUSY_TIMEOUT_MS,
            )
            self.items = Items(self._connection)
            self.pages = Pages(self._connection)
            self.crawl_log = CrawlLog(self._connection)
            self.item_reads = ItemReads(self._connection)
            self.browse_reads = BrowseReads(self._connection)
            self.export_log = ExportLog(self._connection)
            self.attachment_store = AttachmentStore(self._connection)
            self.reextraction = Reextraction(self._connection)
            self.page_hints = PageHints(self._connection)
            self.ingest_log = IngestLog(self._connection)
        except sqlite3.Error as exc:
            self._conn.close()
            raise self._open_error(exc) from exc
        except BaseException:
            self._conn.close()
            raise

    # -- opening --------------------------------------------------------------------------------

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
        _enter_wal(conn)
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
        if is_busy(exc):
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

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``); the archive's writes made inside it
        join it, and commit or roll back together."""
        return self._connection.transaction()

    def snapshot(self) -> AbstractContextManager[None]:
        """Reads inside see the archive as it was at their first read, whatever a crawl
        writes meanwhile (WAL): an export and its change mark then agree exactly."""
        return self._connection.snapshot()

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

    # -- items: handed to Items (archive/items.py) ----------------------------------------------

    def save_item(
        self,
        record: Mapping[str, Any],
        page: Mapping[str, Any] | None,
        crawl_id: int | None,
        *,
        provenance: str = schema.PROVENANCE_CRAWL,
    ) -> SaveResult:
        return self.items.save(record, page, crawl_id, provenance)

    def add_sightings(self, sightings: Iterable[Mapping[str, Any]], crawl_id: int | None) -> int:
        return self.items.add_sightings(sightings, crawl_id)

    def item_id(self, url: str) -> int | None:
        """The item known at ``url`` (any of its URLs), if any."""
        return self.items.id_at(url)

    def known_item_urls(self, urls: Iterable[str]) -> set[str]:
        """Those of ``urls`` an archived article was seen at."""
        return self.items.known_urls(urls)

    def item_count(self) -> int:
        return self.items.count()

    # -- pages: handed to Pages (archive/pages.py) ----------------------------------------------

    def save_page(
        self, page: Mapping[str, Any], crawl_id: int | None, item_id: int | None = None
    ) -> None:
        self.pages.save(page, crawl_id, item_id)

    def touch_page(self, page: Mapping[str, Any], crawl_id: int | None) -> int | None:
        return self.pages.touch(page, crawl_id)

    def page_info(self, url: str) -> dict[str, Any] | None:
        return self.pages.info(url)

    def page_html(self, url: str) -> bytes | None:
        return self.pages.html(url)

    def known_page(self, url: str) -> dict[str, Any] | None:
        return self.pages.known(url)

    def revisit_pages(self, after: str = "", limit: int = 1000) -> list[dict[str, Any]]:
        return self.pages.to_revisit(after, limit)

    def fetched_hints(self, urls: Iterable[str]) -> dict[str, dict[str, str]]:
        return self.page_hints.at_fetch(urls)

    def record_fetched_hints(
        self, hints: Iterable[tuple[str, str, str | None]], crawl_id: int | None
    ) -> None:
        self.page_hints.record(hints, crawl_id)

    def known_pages(self, after: str = "", limit: int = 1000) -> list[dict[str, Any]]:
        return self.pages.known_after(after, limit)

    def known_pages_at(self, urls: Iterable[str]) -> list[dict[str, Any]]:
        return self.pages.known_at(urls)

    def item_urls(self, after: str = "", limit: int = 1000) -> list[str]:
        return self.items.urls_after(after, limit)

    def urls_of_items_at(self, urls: Iterable[str]) -> list[str]:
        return self.items.urls_of_items_at(urls)

    # -- crawls and listings: handed to CrawlLog (archive/crawl_log.py) -------------------------

    def start_crawl(self, start_urls: Sequence[str], args: Mapping[str, Any]) -> int:
        return self.crawl_log.start(start_urls, args)

    def finish_crawl(
        self,
        crawl_id: int,
        *,
        finish_reason: str,
        counts: Mapping[str, int],
        stats: Mapping[str, Any] | None = None,
    ) -> None:
        self.crawl_log.finish(crawl_id, finish_reason=finish_reason, counts=counts, stats=stats)

    def record_error(self, crawl_id: int | None, url: str, status: int | None, error: str) -> None:
        self.crawl_log.record_error(crawl_id, url, status, error)

    def crawl(self, crawl_id: int) -> dict[str, Any]:
        return self.crawl_log.get(crawl_id)

    def last_crawl(self) -> dict[str, Any] | None:
        return self.crawl_log.last()

    def crawls(self, limit: int = 10) -> list[dict[str, Any]]:
        return self.crawl_log.latest(limit)

    def crawl_errors(self, crawl_id: int, limit: int | None = None) -> list[dict[str, Any]]:
        return self.crawl_log.errors(crawl_id, limit)

    def failed_urls(self) -> list[str]:
        return self.crawl_log.failed_urls()

    def walked_listings(self) -> set[str]:
        return self.crawl_log.walked_listings()

    def record_listings(self, listings: Mapping[str, str | None], crawl_id: int | None) -> None:
        self.crawl_log.record_listings(listings, crawl_id)

    def listings(self) -> list[dict[str, Any]]:
        return self.crawl_log.listings()

    # -- ingesting a frontier's stream: handed to IngestLog (archive/ingest_log.py) ----------

    def ingested_up_to(self, stream: str) -> str | None:
        return self.ingest_log.last_id(stream)

    def mark_ingested(self, stream: str, last_id: str) -> None:
        self.ingest_log.mark(stream, last_id)

    def crawl_of_crawler(self, crawler: str) -> tuple[int, dict[str, Any]] | None:
        return self.ingest_log.crawl_of(crawler)

    def link_crawler(self, crawler: str, crawl_id: int) -> None:
        self.ingest_log.link_crawler(crawler, crawl_id)

    def save_crawler_tally(self, crawler: str, tally: Mapping[str, int]) -> None:
        self.ingest_log.save_tally(crawler, tally)

    # -- reading items: handed to ItemReads (archive/item_reads.py) -----------------------------

    def record(self, item: int | str) -> dict[str, Any] | None:
        return self.item_reads.record(item)

    def versions(self, item_id: int) -> list[dict[str, Any]]:
        return self.item_reads.versions(item_id)

    def search(self, query: str, *, limit: int = 20, raw: bool = False) -> list[dict[str, Any]]:
        return self.item_reads.search(query, limit=limit, raw=raw)

    def find_items(
        self,
        filters: queries.Filters,
        *,
        sort: queries.Sort = "relevance",
        limit: int | None = 20,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        return self.item_reads.find_items(filters, sort=sort, limit=limit, offset=offset)

    def count_items(self, filters: queries.Filters) -> int:
        return self.item_reads.count_items(filters)

    def iter_export(
        self, filters: queries.Filters, *, attachment_text: bool = False
    ) -> Iterator[dict[str, Any]]:
        return self.item_reads.iter_export(filters, attachment_text=attachment_text)

    def iter_records(self) -> Iterator[dict[str, Any]]:
        return self.item_reads.iter_records()

    def facets(self, filters: queries.Filters) -> dict[str, Any]:
        return self.item_reads.facets(filters)

    def related_items(self, item_id: int) -> list[dict[str, Any]]:
        return self.item_reads.related_items(item_id)

    def summary(self) -> dict[str, Any]:
        return self.item_reads.summary()

    # -- browsing: handed to BrowseReads (archive/browse_reads.py) ----------------------------

    def item_columns(self, item_id: int) -> dict[str, Any] | None:
        return self.browse_reads.item_columns(item_id)

    def item_pages(self, item_id: int) -> list[dict[str, Any]]:
        return self.browse_reads.item_pages(item_id)

    def attachments(self, item_id: int) -> list[dict[str, Any]]:
        return self.browse_reads.attachments(item_id)

    def run_select(
        self, sql: str, *, max_rows: int = 1000, time_limit: float = 5.0
    ) -> SelectResult:
        return self.browse_reads.run_select(sql, max_rows=max_rows, time_limit=time_limit)

    def provenance(self, item_id: int) -> dict[str, Any] | None:
        return self.item_reads.provenance(item_id)

    # -- re-extraction: handed to Reextraction (archive/reextraction.py) ------------------------

    def reextraction_batch(
        self,
        *,
        version: int,
        after: int,
        limit: int,
        filters: queries.Filters | None = None,
        everything: bool = False,
    ) -> list[dict[str, Any]]:
        return self.reextraction.batch(
            version=version, after=after, limit=limit, filters=filters, everything=everything
        )

    def reextraction_counts(
        self, *, version: int, filters: queries.Filters | None = None, everything: bool = False
    ) -> dict[str, int]:
        return self.reextraction.counts(version=version, filters=filters, everything=everything)

    def apply_reextraction(
        self,
        results: Sequence[tuple[int, Mapping[str, Any] | None]],
        *,
        version: int,
        dry_run: bool = False,
    ) -> list[ItemChange]:
        return self.reextraction.apply(results, version=version, dry_run=dry_run)

    # -- exports: handed to ExportLog (archive/export_log.py) -----------------------------------

    def change_mark(self) -> int:
        return self.export_log.change_mark()

    def last_export(self, name: str) -> dict[str, Any] | None:
        return self.export_log.last(name)

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
        return self.export_log.record(
            name, mark=mark, items=items, fmt=fmt, output=output, filters=filters
        )


# -- opening helpers ----------------------------------------------------------------------------


def _connect(path: Path, *, create: bool, read_only: bool = False) -> sqlite3.Connection:
    """Connect in autocommit mode: transactions are explicit (see ``transaction``)."""
    mode = "ro" if read_only else "rwc" if create else "rw"
    uri = f"{path.resolve().as_uri()}?mode={mode}"
    conn = _sqlite_connect(path, uri)
    if read_only and not _readable(conn) and not Path(f"{path}-wal").exists():
        # A WAL archive is read through its -shm file, which a reader that may not write the
        # folder cannot create when no connection has it open. No -wal file means no writer
        # has the archive open and every commit is in the file itself: read it as immutable
        # (no locks, no -shm; it is never written). While a crawl runs, its -shm exists and
        # mode=ro reads through it, committed items included.
        conn.close()
        conn = _sqlite_connect(path, f"{path.resolve().as_uri()}?mode=ro&immutable=1")
    conn.row_factory = sqlite3.Row
    return conn


def _sqlite_connect(path: Path, uri: str) -> sqlite3.Connection:
    try:
        return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error as exc:
        raise ArchiveError(
            f"cannot open archive {path}: {exc}; check that the file and its directory "
            "are writable",
            path,
        ) from exc


def _readable(conn: sqlite3.Connection) -> bool:
    """Whether a read-only connection can read (a WAL archive without a -shm file it can use
    fails with SQLITE_READONLY on the first read)."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as exc:
        # Any other error (not a database, locked…) is _check_identity's to report.
        return getattr(exc, "sqlite_errorcode", 0) & 0xFF != sqlite3.SQLITE_READONLY
    return True


def _enter_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting while other processes open it at the same moment.

    WAL is recorded in the file, so this only changes anything on a new archive. The switch
    needs the file to itself, and SQLite answers "database is locked" at once, without calling
    the busy handler, while another connection reads it (several crawls or readers starting
    together on a new archive): try again until the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if not is_busy(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
