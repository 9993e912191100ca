"""The one open connection that every part of an :class:`~regarchive.archive.store.Archive` shares.

:class:`ArchiveConnection` holds the raw ``sqlite3`` connection (for the per-article write path,
see :mod:`regarchive.archive.writes`), sqlite-utils' ``Database`` over that same connection (for
reads and per-crawl writes), the archive's path and its clock. Everything that writes does so
in its ``transaction()``: one ``BEGIN IMMEDIATE`` transaction, so that a crash or a kill leaves
the archive as it was before, and a reader never sees half of a change.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from regarchive.archive.clock import Clock, format_timestamp
from regarchive.archive.errors import ArchiveBusyError, ArchiveError


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for another process's lock."""
    message = str(exc).lower()
    return "locked" in message or "busy" in message


class ArchiveConnection:
    """An open archive file: its connection, sqlite-utils over it, its path and its clock.

    ``conn`` is in autocommit mode (``isolation_level=None``): transactions are explicit, through
    :meth:`transaction` for writes and :meth:`snapshot` for consistent reads.
    """

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        db: Database,
        *,
        clock: Clock,
        busy_timeout_ms: int,
    ) -> None:
        self.path = path
        self.conn = conn
        self.db = db
        self._clock = clock
        self._busy_timeout_ms = busy_timeout_ms

    def now(self) -> str:
        """The clock's current time as the archive writes it (``2026-11-28T10:00:00Z``)."""
        return format_timestamp(self._clock())

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock up front (no deadlock on upgrade).

        Raw ``BEGIN IMMEDIATE``: ``db.atomic()`` opens a deferred ``BEGIN``. sqlite-utils calls
        made inside join this transaction through savepoints, and so does a nested
        ``transaction()``: several writes grouped in an outer one commit or roll back together.
        """
        conn = self.conn
        if conn.in_transaction:
            yield from self._savepoint()
            return
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

    def _savepoint(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn
        conn.execute("SAVEPOINT archive_write")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK TO archive_write")
            conn.execute("RELEASE archive_write")
            raise
        conn.execute("RELEASE archive_write")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see the archive as it was at their first read, whatever a crawl
        writes meanwhile (WAL): an export and its change mark then agree exactly."""
        # Raw: a deferred read transaction; sqlite-utils has no API for one.
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        """The first row of a read, or None."""
        return next(self.db.query(sql, params), None)

    def error(self, message: str) -> ArchiveError:
        """An :class:`ArchiveError` about this archive."""
        return ArchiveError(message, self.path)

    def _write_error(self, exc: sqlite3.OperationalError) -> ArchiveError:
        if is_busy(exc):
            return ArchiveBusyError(
                f"archive {self.path} stayed locked by another process for "
                f"{self._busy_timeout_ms // 1000}s; try again when it is done",
                self.path,
            )
        return self.error(f"cannot write to archive {self.path}: {exc}")
