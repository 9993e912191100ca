"""The documents articles link (attachments): stored once per content, linked to their items.

A document is stored by the SHA-256 of its bytes (``attachment_files`` and its bytes in
``attachment_contents``): the same PDF linked by ten circulars, or served at two URLs, is kept
once. ``attachments`` follows each document URL (its last fetch, the content it holds now);
when the bytes at a URL change, the earlier content stays stored and ``attachment_versions``
says when it was there. ``item_attachments`` records the links themselves, fetched or not.

The bytes live in the SQLite file rather than in a folder beside it: one file to back up or
copy (``sqlite3 archive.db .backup``), written in the same transaction as what describes them
(a crash never leaves a row without its file or a file without its row), and Datasette serves
them as downloads. Documents are capped (``REGARCHIVE_ATTACHMENT_MAXSIZE``, 50 MB) and most
circulars weigh a few hundred kB; the blobs sit in their own table so that reading the
archive's other tables never touches them.

:class:`AttachmentStore` is the archive's part for them (``Archive.attachment_store``), over
the archive's one connection.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from regarchive.archive.connection import ArchiveConnection
from regarchive.archive.writes import to_json

SaveStatus = Literal["new", "changed", "unchanged", "failed"]

# The fields of an export record's ``attachments`` entries (``text`` only on request).
ATTACHMENT_FIELDS: tuple[str, ...] = (
    "url",
    "label",
    "title",
    "media_type",
    "size",
    "sha256",
    "pages",
    "text_length",
)

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# A hex prefix this long names one document in any archive of a realistic size.
MIN_SHA_PREFIX = 8


def sha256_of(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def attachments_json(*, with_text: bool) -> str:
    """SQL giving, for the item ``i``, its attachments as a JSON array (see
    :data:`ATTACHMENT_FIELDS`), each with its ``warnings`` (fetch error and reading warnings),
    which the record moves to the item's own."""
    text = ", 'text', f.text" if with_text else ""
    return f"""(SELECT json_group_array(json_object('url', l.url, 'label', l.label,
            'title', f.title, 'media_type', f.media_type, 'size', f.size, 'sha256', f.sha256,
            'pages', f.pages, 'text_length', length(f.text){text},
            'error', a.error, 'warnings', json(coalesce(f.warnings, '[]'))))
        FROM item_attachments AS l LEFT JOIN attachments AS a ON a.url = l.url
        LEFT JOIN attachment_files AS f ON f.sha256 = a.sha256
        WHERE l.item_id = i.id)"""


def record_attachments(raw: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """The ``attachments`` entries of a record, sorted by URL, and the warnings they give the
    item (``attachment URL: …``)."""
    entries, warnings = [], []
    for entry in sorted(json.loads(raw or "[]"), key=lambda e: e["url"]):
        error = entry.pop("error")
        problems = ([f"not fetched: {error}"] if error else []) + entry.pop("warnings")
        warnings += [f"attachment {entry['url']}: {problem}" for problem in problems]
        entries.append(entry)
    return entries, warnings


@dataclass(frozen=True)
class AttachmentSave:
    """What :meth:`AttachmentStore.save` did: ``status`` and the content now at the URL."""

    status: SaveStatus
    sha256: str | None


class AttachmentStore:
    """Saving fetched documents and reading them back, on the archive's connection."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection
        self._conn = connection.conn
        self._db = connection.db
        self._transaction = connection.transaction
        self._now = connection.now

    # -- writing --------------------------------------------------------------------------------

    def save(
        self,
        fetch: Mapping[str, Any],
        reading: Mapping[str, Any] | None,
        crawl_id: int | None,
    ) -> AttachmentSave:
        """Record one fetch of a document URL, in one transaction.

        ``fetch`` has ``url``, ``final_url``, ``status``, ``content_type``, ``etag``,
        ``last_modified``, ``fetched_at`` and either ``body`` (the document's bytes) or
        ``error`` (why there is no document: an HTTP error, an HTML page…); a 304 has neither.
        ``reading`` is what was read from the body (``media_type``, ``pages``, ``title``,
        ``text``, ``hints``, ``warnings``); it is ignored when that content is stored already.
        A failed fetch never replaces the content a URL held: the error is noted beside it.
        """
        now = self._now()
        url = fetch["url"]
        with self._transaction() as conn:
            known = conn.execute(
                "SELECT sha256, error, changed_at, confirmed_at FROM attachments WHERE url = ?",
                (url,),
            ).fetchone()
            body = fetch.get("body")
            error: str | None = None
            if body is not None:
                sha = sha256_of(body)
                self._store_file(conn, sha, body, reading or {}, now)
                status = self._point_at(conn, fetch, known, sha, crawl_id)
            elif fetch.get("status") == 304 and known is not None and known["sha256"]:
                sha = known["sha256"]
                conn.execute(
                    "UPDATE attachments SET fetched_at = :at, confirmed_at = :at, error = NULL, "
                    "status = 304, crawl_id = :crawl WHERE url = :url",
                    {"at": fetch["fetched_at"], "crawl": crawl_id, "url": url},
                )
                status = "unchanged"
            else:
                sha = known["sha256"] if known is not None else None
                error = _error_of(fetch)
                self._note_error(conn, fetch, error, known, crawl_id)
                status = "failed"
            if known is None or known["sha256"] != sha or known["error"] != error:
                self._renumber_linking_items(conn, url)
        return AttachmentSave(status, sha)

    def _store_file(
        self,
        conn: sqlite3.Connection,
        sha: str,
        body: bytes,
        reading: Mapping[str, Any],
        now: str,
    ) -> None:
        # Raw: INSERT OR IGNORE keeps the first copy; Table.insert(ignore=True) would look the
        # table up and open a savepoint for each of the two rows.
        conn.execute(
            "INSERT OR IGNORE INTO attachment_files (sha256, media_type, size, pages, title, "
            "text, hints, warnings, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                sha,
                reading.get("media_type") or "application/octet-stream",
                len(body),
                reading.get("pages"),
                reading.get("title"),
                reading.get("text") or "",
                to_json(dict(reading.get("hints") or {})),
                to_json(list(reading.get("warnings") or [])),
                now,
            ),
        )
        conn.execute(
            "INSERT OR IGNORE INTO attachment_contents (sha256, content) VALUES (?, ?)",
            (sha, sqlite3.Binary(body)),
        )

    def _point_at(
        self,
        conn: sqlite3.Connection,
        fetch: Mapping[str, Any],
        known: sqlite3.Row | None,
        sha: str,
        crawl_id: int | None,
    ) -> SaveStatus:
        """Make ``sha`` the URL's current content; the one it replaces becomes a version."""
        at = fetch["fetched_at"]
        row = {
            "url": fetch["url"],
            "final_url": fetch.get("final_url"),
            "sha256": sha,
            "status": fetch.get("status"),
            "content_type": fetch.get("content_type"),
            "etag": fetch.get("etag"),
            "last_modified": fetch.get("last_modified"),
            "fetched_at": at,
            "crawl_id": crawl_id,
        }
        if known is None or known["sha256"] is None:
            status: SaveStatus = "new"
        elif known["sha256"] == sha:
            status = "unchanged"
        else:
            status = "changed"
            conn.execute(
                "INSERT INTO attachment_versions (url, sha256, changed_at, seen_at) "
                "VALUES (?, ?, ?, ?)",
                (
                    fetch["url"],
                    known["sha256"],
                    known["changed_at"],
                    known["confirmed_at"] or known["changed_at"] or at,
                ),
            )
        changed_at = known["changed_at"] if status == "unchanged" and known else at
        # Raw: an upsert that keeps the row (its versions hang on it) rather than replacing it.
        conn.execute(
            "INSERT INTO attachments (url, final_url, sha256, status, content_type, etag, "
            "last_modified, fetched_at, changed_at, confirmed_at, error, crawl_id) VALUES "
            "(:url, :final_url, :sha256, :status, :content_type, :etag, :last_modified, "
            ":fetched_at, :changed_at, :fetched_at, NULL, :crawl_id) ON CONFLICT (url) DO UPDATE "
            "SET final_url = excluded.final_url, sha256 = excluded.sha256, "
            "status = excluded.status, content_type = excluded.content_type, "
            "etag = excluded.etag, last_modified = excluded.last_modified, "
            "fetched_at = excluded.fetched_at, changed_at = excluded.changed_at, "
            "confirmed_at = excluded.confirmed_at, error = NULL, crawl_id = excluded.crawl_id",
            {**row, "changed_at": changed_at},
        )
        return status

    def _note_error(
        self,
        conn: sqlite3.Connection,
        fetch: Mapping[str, Any],
        error: str,
        known: sqlite3.Row | None,
        crawl_id: int | None,
    ) -> None:
        values = {
            "url": fetch["url"],
            "final_url": fetch.get("final_url"),
            "status": fetch.get("status"),
            "content_type": fetch.get("content_type"),
            "fetched_at": fetch["fetched_at"],
            "error": error,
            "crawl_id": crawl_id,
        }
        if known is None:
            conn.execute(
                "INSERT INTO attachments (url, final_url, status, content_type, fetched_at, "
                "error, crawl_id) VALUES (:url, :final_url, :status, :content_type, "
                ":fetched_at, :error, :crawl_id)",
                values,
            )
            return
        # The validators stay those of the content kept: the next request may still get a 304.
        conn.execute(
            "UPDATE attachments SET status = :status, fetched_at = :fetched_at, error = :error, "
            "crawl_id = :crawl_id WHERE url = :url",
            values,
        )

    def _renumber_linking_items(self, conn: sqlite3.Connection, url: str) -> None:
        """The items linking ``url`` get new change numbers: their export records changed."""
        linking = [row[0] for row in conn.execute(
            "SELECT item_id FROM item_attachments WHERE url = ? ORDER BY item_id", (url,)
        )]  # fmt: skip
        for item_id in linking:
            # One statement per item: the next number is read anew each time.
            conn.execute(
                "UPDATE item_changes SET seq = (SELECT coalesce(max(seq), 0) + 1 "
                "FROM item_changes) WHERE item_id = ?",
                (item_id,),
            )

    # -- reading --------------------------------------------------------------------------------

    def known_after(self, after: str = "", limit: int = 1000) -> list[dict[str, Any]]:
        """:meth:`known` for every document URL after ``after``, in order (for publishing the
        archive's state to a frontier)."""
        rows = self._conn.execute(
            "SELECT url, sha256, etag, last_modified, fetched_at, error FROM attachments "
            "WHERE url > ? ORDER BY url LIMIT ?",
            (after, int(limit)),
        )
        return [dict(row) for row in rows]

    def known(self, url: str) -> dict[str, Any] | None:
        """What the archive remembers of a document URL: validators, content, last fetch."""
        row = self._conn.execute(
            "SELECT url, sha256, etag, last_modified, fetched_at, error FROM attachments "
            "WHERE url = ?",
            (url,),
        ).fetchone()
        return dict(row) if row is not None else None

    def linked(self, url: str) -> bool:
        """Whether an archived item links the document at ``url``."""
        # Raw: an indexed lookup (item_attachments_url).
        row = self._conn.execute(
            "SELECT 1 FROM item_attachments WHERE url = ? LIMIT 1", (url,)
        ).fetchone()
        return row is not None

    def of_item(self, item_id: int) -> list[dict[str, Any]]:
        """The documents an item links, by URL: link label, what was stored (None for a link
        not fetched), the last fetch and how many earlier contents the URL had."""
        rows = self._db.query(
            "SELECT l.url, l.label, l.first_seen, l.last_seen, a.sha256, a.status, "
            "a.content_type, a.fetched_at, a.changed_at, a.error, f.media_type, f.size, "
            "f.pages, f.title, length(f.text) AS text_length, f.hints, f.warnings, "
            "(SELECT count(*) FROM attachment_versions AS v WHERE v.url = l.url) AS versions "
            "FROM item_attachments AS l LEFT JOIN attachments AS a ON a.url = l.url "
            "LEFT JOIN attachment_files AS f ON f.sha256 = a.sha256 "
            "WHERE l.item_id = ? ORDER BY l.url",
            (int(item_id),),
        )
        return [
            {
                **row,
                "hints": json.loads(row["hints"] or "{}"),
                "warnings": json.loads(row["warnings"] or "[]"),
            }
            for row in rows
        ]

    def versions_of_item(self, item_id: int) -> list[dict[str, Any]]:
        """Earlier contents of the documents an item links, oldest first: ``url``, ``sha256``,
        ``changed_at``, ``seen_at``, ``size``, ``pages``, and ``replaced_by`` (the content that
        followed: the next version's, or the current one)."""
        rows = list(
            self._db.query(
                "SELECT v.url, v.sha256, v.changed_at, v.seen_at, f.size, f.pages, "
                "a.sha256 AS current FROM attachment_versions AS v "
                "JOIN item_attachments AS l ON l.url = v.url AND l.item_id = ? "
                "JOIN attachments AS a ON a.url = v.url "
                "LEFT JOIN attachment_files AS f ON f.sha256 = v.sha256 ORDER BY v.url, v.id",
                (int(item_id),),
            )
        )
        for index, row in enumerate(rows):
            following = rows[index + 1] if index + 1 < len(rows) else None
            same_url = following is not None and following["url"] == row["url"]
            row["replaced_by"] = following["sha256"] if same_url else row.pop("current")
            row.pop("current", None)
        return sorted(rows, key=lambda row: (row["seen_at"], row["url"]))

    def file(self, sha256: str) -> dict[str, Any] | None:
        """The stored document ``sha256`` (its description, not its bytes)."""
        row = self._conn.execute(
            "SELECT sha256, media_type, size, pages, title FROM attachment_files WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        return dict(row) if row is not None else None

    def find_files(self, prefix: str) -> list[str]:
        """The stored documents whose SHA-256 starts with ``prefix`` (hex, any case)."""
        prefix = prefix.strip().lower()
        if not re.fullmatch(r"[0-9a-f]+", prefix) or len(prefix) < MIN_SHA_PREFIX:
            return []
        if _SHA256.match(prefix):
            return [prefix] if self.file(prefix) is not None else []
        # The range on the unique index, not LIKE (whose index use depends on PRAGMAs).
        rows = self._conn.execute(
            "SELECT sha256 FROM attachment_files WHERE sha256 >= ? AND sha256 < ? "
            "ORDER BY sha256 LIMIT 10",
            (prefix, prefix + "g"),
        )
        return [row[0] for row in rows]

    def content(self, sha256: str) -> bytes:
        """The bytes of the stored document ``sha256``."""
        row = self._conn.execute(
            "SELECT content FROM attachment_contents WHERE sha256 = ?", (sha256,)
        ).fetchone()
        if row is None:
            raise self._connection.error(f"no stored document {sha256}")
        return bytes(row[0])


def link_attachments(
    conn: sqlite3.Connection, item_id: int, links: Iterable[Mapping[str, Any]], now: str
) -> None:
    """Merge the document links of an extracted record into the item's (never dropping one:
    a link an article no longer shows still says where the document came from)."""
    for link in links:
        url = str(link.get("url") or "").strip()
        if not url:
            continue
        label = " ".join(str(link.get("label") or "").split()) or None
        # Raw: an upsert that keeps first_seen and only fills a label that is missing.
        conn.execute(
            "INSERT INTO item_attachments (item_id, url, label, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (item_id, url) DO UPDATE SET "
            "label = coalesce(excluded.label, label), last_seen = excluded.last_seen",
            (item_id, url, label, now, now),
        )


def _error_of(fetch: Mapping[str, Any]) -> str:
    """Why a fetch gave no document, as stored (a 304 for a URL with no content: none given)."""
    error = fetch.get("error")
    return str(error) if error else "no document in the answer"
