"""Reads for browsing the archive in a web page: all of an item's columns, its stored pages and
attachments, and the ad hoc read-only SQL a server may allow.

:class:`BrowseReads` is part of :class:`regarchive.archive.store.Archive`. Its reads work on
archives of any schema this regarchive opens: columns and tables added by later migrations
(date provenance, attachments) are returned when they are there and simply missing when not.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from regarchive.archive.attachments import AttachmentStore
from regarchive.archive.connection import ArchiveConnection
from regarchive.archive.errors import QueryError

# What an ad hoc statement may do: read tables and call functions, nothing else (no PRAGMA, no
# ATTACH, no write, no temporary table), whatever the connection would otherwise allow.
_ALLOWED_ACTIONS = frozenset(
    {
        sqlite3.SQLITE_SELECT,
        sqlite3.SQLITE_READ,
        sqlite3.SQLITE_FUNCTION,
        getattr(sqlite3, "SQLITE_RECURSIVE", 33),
    }
)
# SQLite calls the progress handler every this many virtual machine instructions.
_PROGRESS_STEPS = 10_000


@dataclass(frozen=True)
class SelectResult:
    """The rows of an ad hoc statement: ``truncated`` when there were more than were kept."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool


class BrowseReads:
    """The browsing side of an archive: whole rows, stored pages, attachments, ad hoc SQL."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection

    def item_columns(self, item_id: int) -> dict[str, Any] | None:
        """Every column of the item's ``items`` row, those of later migrations included
        (``published_source``…), or None when there is no such item."""
        return self._connection.query_one("SELECT * FROM items WHERE id = ?", (int(item_id),))

    def item_pages(self, item_id: int) -> list[dict[str, Any]]:
        """The pages stored for an item (without their bodies): the one at the item's own URL
        first, then the latest fetched."""
        rows = self._connection.db.query(
            "SELECT p.url, p.final_url, p.status, p.content_type, p.fetched_at, "
            "p.html IS NOT NULL AS has_body FROM pages AS p JOIN items AS i ON i.id = p.item_id "
            "WHERE p.item_id = ? ORDER BY p.url = i.url DESC, p.fetched_at DESC, p.url",
            (int(item_id),),
        )
        return list(rows)

    def attachments(self, item_id: int) -> list[dict[str, Any]]:
        """The documents the item links, by URL (see
        :meth:`regarchive.archive.attachments.AttachmentStore.of_item`): ``url``, ``label``,
        ``title``, ``media_type``, ``content_type`` (as served), ``size``, ``pages``,
        ``sha256`` (None when not fetched), ``error``, ``warnings``…"""
        return AttachmentStore(self._connection).of_item(item_id)

    def run_select(
        self, sql: str, *, max_rows: int = 1000, time_limit: float = 5.0
    ) -> SelectResult:
        """Run one read-only statement typed by a user: at most ``max_rows`` rows kept, stopped
        after ``time_limit`` seconds. Anything but reading (writes, PRAGMA, ATTACH…) is refused
        by SQLite's authorizer before it runs; errors are :class:`QueryError` in one line."""
        conn = self._connection.conn
        deadline = time.monotonic() + time_limit

        def authorize(action: int, *_: Any) -> int:
            return sqlite3.SQLITE_OK if action in _ALLOWED_ACTIONS else sqlite3.SQLITE_DENY

        conn.set_authorizer(authorize)
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
        try:
            cursor = conn.execute(sql)
            columns = [column[0] for column in cursor.description or ()]
            rows = [tuple(row) for row in cursor.fetchmany(max_rows + 1)]
            cursor.close()
        except sqlite3.Error as exc:
            reason = " ".join(str(exc).split())
            if reason == "interrupted":
                reason = f"stopped after {time_limit:g} s"
            elif "not authorized" in reason or "prohibited" in reason:
                reason += " (only reading is allowed)"
            raise QueryError(f"SQL refused: {reason}") from None
        finally:
            conn.set_authorizer(None)
            conn.set_progress_handler(None, 0)
        return SelectResult(columns, rows[:max_rows], len(rows) > max_rows)
