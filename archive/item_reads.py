"""Reading items back: records, versions, full-text search, filtered queries, summaries.

:class:`ItemReads` runs the SQL that :mod:`regarchive.archive.queries` builds from a ``Filters``
value, and turns ``RECORD_SELECT`` rows into export records (see
:mod:`regarchive.archive.records`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from regarchive.archive import queries, schema
from regarchive.archive.attachments import attachments_json, record_attachments
from regarchive.archive.connection import ArchiveConnection
from regarchive.archive.errors import QueryError
from regarchive.archive.records import EXPORT_FIELDS
from regarchive.archive.writes import item_id_at


class ItemReads:
    """The reading side of an archive: items, search, filtered queries, exports, counts."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection
        # The matching function the filters' SQL calls, registered once: SQLite refuses to
        # redefine a function while another statement (a streaming export) is running.
        connection.conn.create_function(
            queries.MATCH_KEY_FUNCTION, 1, queries.match_key, deterministic=True
        )

    # -- reading --------------------------------------------------------------------------------

    def record(self, item: int | str) -> dict[str, Any] | None:
        """One export record, by item id or by any of its URLs."""
        if isinstance(item, int):
            item_id: int | None = item
        else:
            item_id = item_id_at(self._connection.conn, [item])
        if item_id is None:
            return None
        row = self._connection.query_one(RECORD_SELECT + " WHERE i.id = ?", (item_id,))
        return record_from_row(row) if row is not None else None

    def versions(self, item_id: int) -> list[dict[str, Any]]:
        """Earlier states of an item, oldest first."""
        rows = self._connection.db.table("versions").rows_where(
            "item_id = ?",
            [item_id],
            select="id, seen_at, title, text, content_hash, updated, published, category, "
            "source, provenance, extractor_version",
            order_by="seen_at, id",
        )
        return list(rows)

    def provenance(self, item_id: int) -> dict[str, Any] | None:
        """How the item's current state came about: ``provenance`` (crawl, import-warc,
        re-extraction) and ``extractor_version``."""
        return self._connection.query_one(
            "SELECT provenance, extractor_version FROM items WHERE id = ?", (item_id,)
        )

    def search(self, query: str, *, limit: int = 20, raw: bool = False) -> list[dict[str, Any]]:
        """Full-text search on titles and texts, best matches first, accents ignored.

        Each word of ``query`` must appear; ``raw=True`` passes FTS5 query syntax through
        (``"exact phrase"``, ``OR``, ``NOT``, ``prefix*``).
        """
        match = query if raw else _fts_terms(query)
        if not match:
            return []
        try:
            return list(self._connection.db.query(_SEARCH_SELECT, (match, limit)))
        except sqlite3.OperationalError as exc:
            raise self._connection.error(f"invalid search query {query!r}: {exc}") from exc

    # -- queries and exports --------------------------------------------------------------------

    def find_items(
        self,
        filters: queries.Filters,
        *,
        sort: queries.Sort = "relevance",
        limit: int | None = 20,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Summaries of the items matching ``filters``: best matches or newest first.

        Each has ``id``, ``url``, ``site``, ``title``, ``category``, ``rubrics`` (sorted),
        ``source``, ``published``, ``updated`` and, when ``filters`` has a query, ``snippet``:
        a passage of the text with matched words between :data:`queries.MATCH_START` and
        :data:`queries.MATCH_END`. ``limit`` None lists them all; ``offset`` skips that many
        (the results of earlier pages). A malformed query raises
        :class:`~regarchive.archive.errors.QueryError`.
        """
        sql = queries.search_sql(filters, sort=sort, limit=limit, offset=offset)
        return [self._summary(row) for row in self._read(sql, filters)]

    def count_items(self, filters: queries.Filters) -> int:
        """How many items match ``filters``."""
        row = next(self._read(queries.count_sql(filters), filters))
        return int(row["n"])

    def iter_export(
        self, filters: queries.Filters, *, attachment_text: bool = False
    ) -> Iterator[dict[str, Any]]:
        """The export records (see :meth:`iter_records`) of the items matching ``filters``;
        ``attachment_text`` adds the text of each attachment to its entry.

        Same order as :meth:`iter_records`, streamed from a cursor: memory stays constant.
        """
        select = record_select(attachment_text=True) if attachment_text else RECORD_SELECT
        for sql in queries.export_sql(filters, select):
            for row in self._read(sql, filters):
                yield record_from_row(row)

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
        rows = self._connection.db.query(
            "SELECT x.url, x.label, x.category, x.rubric, x.title, u.item_id "
            "FROM related AS x LEFT JOIN item_urls AS u ON u.url = x.url "
            "WHERE x.item_id = ? ORDER BY x.url",
            (item_id,),
        )
        return list(rows)

    # -- the whole archive ----------------------------------------------------------------------

    def iter_records(self) -> Iterator[dict[str, Any]]:
        """Every item as an export record, ordered by ``published`` (undated last) then ``id``.

        Streams from a cursor; each row carries its URLs, rubrics and related links through
        JSON subqueries, so there is one query per ordering, not one per item. The two queries
        (dated, then undated) each follow the ``items_published`` index: no sort.
        """
        for where in (
            "i.published IS NOT NULL ORDER BY i.published, i.id",
            "i.published IS NULL ORDER BY i.id",
        ):
            for row in self._connection.db.query(RECORD_SELECT + " WHERE " + where):
                yield record_from_row(row)

    def summary(self) -> dict[str, Any]:
        """Counts for a ``stats`` command: items by category and site, and table sizes."""
        db = self._connection.db

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
            "path": str(self._connection.path),
            "schema_version": schema.user_version(self._connection.conn),
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
            summary["attachment"] = row["attachment"]
        return summary

    def _read(self, sql: queries.Sql, filters: queries.Filters) -> Iterator[dict[str, Any]]:
        """Rows of a statement built by :mod:`regarchive.archive.queries`, with FTS5 errors made
        readable."""
        try:
            yield from self._connection.db.query(sql.text, sql.params)
        except sqlite3.OperationalError as exc:
            if filters.query is not None and self._is_fts_error(exc):
                reason = str(exc).replace("fts5: ", "")
                raise QueryError(f"invalid search query {filters.query!r}: {reason}") from exc
            raise self._connection.error(
                f"cannot read archive {self._connection.path}: {exc}"
            ) from exc


# -- reading helpers ----------------------------------------------------------------------------


def record_select(*, attachment_text: bool = False) -> str:
    """The SELECT of export records (see :func:`record_from_row`); ``attachment_text`` adds
    each attachment's text to its entry."""
    return f"""
SELECT i.id, i.url, i.site, i.title, i.category, i.source, i.published, i.updated, i.lang,
    i.category_source, i.published_source, i.updated_source, i.text, i.first_seen,
    i.last_seen, i.warnings,
    (SELECT json_group_array(u.url) FROM item_urls AS u WHERE u.item_id = i.id) AS urls_json,
    (SELECT json_group_array(r.rubric) FROM item_rubrics AS r WHERE r.item_id = i.id)
        AS rubrics_json,
    (SELECT json_group_array(json_object('url', x.url, 'label', x.label,
            'category', x.category, 'rubric', x.rubric, 'title', x.title))
        FROM related AS x WHERE x.item_id = i.id) AS related_json,
    {attachments_json(with_text=attachment_text)} AS attachments_json
FROM items AS i"""


RECORD_SELECT = record_select()

_SEARCH_SELECT = """
SELECT i.id, i.url, i.title, i.category, i.published,
    snippet(items_fts, 1, '[', ']', '…', 16) AS snippet
FROM items_fts JOIN items AS i ON i.id = items_fts.rowid
WHERE items_fts MATCH ? ORDER BY rank LIMIT ?"""


def record_from_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """An export record (see :mod:`regarchive.archive.records`) from a ``RECORD_SELECT`` row."""
    attachments, attachment_warnings = record_attachments(row["attachments_json"])
    values = {
        **dict(row),
        "urls": sorted(json.loads(row["urls_json"])),
        "rubrics": _sorted_rubrics(json.loads(row["rubrics_json"])),
        "related": sorted(json.loads(row["related_json"]), key=lambda entry: entry["url"]),
        "warnings": json.loads(row["warnings"] or "[]") + attachment_warnings,
        "attachments": attachments,
    }
    return {field: values.get(field) for field in EXPORT_FIELDS}


def _sorted_rubrics(rubrics: Iterable[str]) -> list[str]:
    """Sorted case-insensitively; spellings differing only in case are listed once."""
    unique: dict[str, str] = {}
    for rubric in sorted(rubrics):
        unique.setdefault(rubric.casefold(), rubric)
    return [unique[key] for key in sorted(unique)]


def _fts_terms(query: str) -> str:
    """Each word as a quoted FTS5 string, so punctuation (l'Europe, Île-de-France) is safe."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
