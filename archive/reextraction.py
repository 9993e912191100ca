"""Re-extraction in the archive: which items to re-extract, and writing what came out.

:class:`Reextraction` is the ``reextraction`` part of :class:`regarchive.archive.store.Archive`.
``regarchive reextract`` (``regarchive.pipelines.reextraction``) reads the items an older
extractor made in batches of increasing id (a keyset, so memory stays flat and a rerun after a
kill starts where the last committed batch ended), each with the page it was extracted from,
and writes each batch's results back in one transaction.

What a re-extraction may change is what the extractor reads from the page: title, category,
source, dates, text, language, warnings and which reader gave the dates and the category
(``*_source``) take the new values (title, category and language
only when the new extractor finds one: the category may have come from a listing, and a page
without a title keeps the one it had); rubrics and "même rubrique" links the page names are
added. The item's URLs, its own URL and its ``first_seen``/``last_seen`` stay as crawls made
them: re-extraction fetches nothing and sees nothing again. An item whose fields change keeps
its previous state in ``versions`` and takes ``provenance = 're-extraction'``; every item
re-extracted takes the extractor's version, changed or not, so it is not done twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from regarchive.archive import queries
from regarchive.archive.connection import ArchiveConnection
from regarchive.archive.errors import ArchiveError
from regarchive.archive.schema import PROVENANCE_REEXTRACTION
from regarchive.archive.writes import (
    clean_list,
    fill_from_sightings,
    item_fields,
    keep_version,
    link_rubrics,
    related_rows,
    upsert_related,
)

# The item fields a re-extraction compares, in the order a summary names them.
COMPARED_FIELDS: tuple[str, ...] = (
    "title",
    "category",
    "source",
    "published",
    "updated",
    "text",
    "lang",
    "warnings",
    "published_source",
    "updated_source",
    "category_source",
)
# Kept when the new extractor finds nothing (see the module docstring).
KEPT_WHEN_MISSING = frozenset({"title", "category", "lang"})
# Where a publication day came from outside the page (a feed announced it, the page showing
# none): re-reading the page cannot find it again, so it is kept while the page gives none.
OUTSIDE_THE_PAGE = frozenset({"feed", "sitemap"})

# The page an item is re-extracted from: the one at its own URL, else the first by URL among
# those that kept a body (in the html column or in a WARC file); the page a crawl re-checks.
_SOURCE_PAGE = (
    "p.url = COALESCE("
    "(SELECT q.url FROM pages q WHERE q.item_id = i.id AND q.url = i.url "
    " AND (q.html IS NOT NULL OR q.warc_file IS NOT NULL)), "
    "(SELECT min(q.url) FROM pages q WHERE q.item_id = i.id "
    " AND (q.html IS NOT NULL OR q.warc_file IS NOT NULL)))"
)
_CANDIDATES = (
    "SELECT i.id AS item_id, i.url AS item_url, p.url, p.final_url, p.content_type, p.html, "
    "p.warc_file, p.warc_offset FROM items AS i JOIN pages AS p ON " + _SOURCE_PAGE
)


@dataclass
class ItemChange:
    """What a re-extraction changed in one item: ``fields`` maps a field to (old, new)."""

    item_id: int
    url: str
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    rubrics_added: list[str] = field(default_factory=list)
    related_changed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.rubrics_added or self.related_changed)


class Reextraction:
    """The items an older extractor made, and writing back what today's makes of them."""

    def __init__(self, connection: ArchiveConnection) -> None:
        self._connection = connection

    def batch(
        self,
        *,
        version: int,
        after: int,
        limit: int,
        filters: queries.Filters | None = None,
        everything: bool = False,
    ) -> list[dict[str, Any]]:
        """The next ``limit`` items after id ``after`` made by an extractor older than
        ``version`` (every item with ``everything``), each with its source page: ``item_id``,
        ``url``, ``final_url``, ``content_type``, ``html`` (zlib-compressed, as stored),
        ``warc_file``, ``warc_offset``. Items that kept no page are never returned."""
        sql = _candidates_sql(version, after, limit, filters, everything)
        # Raw: a correlated choice of one page per item, which sqlite-utils cannot express.
        return [dict(row) for row in self._connection.conn.execute(sql.text, sql.params)]

    def counts(
        self, *, version: int, filters: queries.Filters | None = None, everything: bool = False
    ) -> dict[str, int]:
        """How many items are due (``due``), and how many of them kept no page to re-extract
        from (``without_page``)."""
        sql = _count_sql(version, filters, everything)
        row = self._connection.conn.execute(sql.text, sql.params).fetchone()
        return {"due": int(row[0]), "without_page": int(row[0]) - int(row[1])}

    def apply(
        self,
        results: Sequence[tuple[int, Mapping[str, Any] | None]],
        *,
        version: int,
        dry_run: bool = False,
    ) -> list[ItemChange]:
        """Write a batch of ``(item_id, record)`` in one transaction and return what changed.

        A record of None (a page the new extractor reads as no article) leaves its item as it
        is, but marks it done at ``version``. ``dry_run`` computes the same changes and rolls
        back. The batch's items, rubrics and related links are read in three queries and
        compared here, so that an unchanged item costs no write but its version mark.
        """
        if not dry_run:
            with self._connection.transaction() as conn:
                return _write_batch(conn, results, version)
        # A dry run does the same writes in a transaction it then rolls back: the changes it
        # reports are exactly those a run would make, and nothing is written.
        conn = self._connection.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                return _write_batch(conn, results, version)
            finally:
                conn.execute("ROLLBACK")
        except sqlite3.OperationalError as error:
            raise ArchiveError(
                f"cannot read archive {self._connection.path}: {error}", self._connection.path
            ) from error


def _write_batch(
    conn: sqlite3.Connection, results: Sequence[tuple[int, Mapping[str, Any] | None]], version: int
) -> list[ItemChange]:
    """Re-extracted records written back, inside the caller's transaction."""
    state = _BatchState.load(conn, [item_id for item_id, _ in results])
    changes = []
    unchanged = []
    for item_id, record in results:
        if record is None or item_id not in state.items:
            unchanged.append(item_id)
            continue
        change = _reextract_item(conn, state, item_id, record, version)
        if not change.fields:
            unchanged.append(item_id)
        changes.append(change)
    # Raw: one statement for the batch; extractor_version is no export field.
    conn.executemany(
        "UPDATE items SET extractor_version = ? WHERE id = ?",
        [(version, item_id) for item_id in unchanged],
    )
    return changes


def _due(version: int, everything: bool, filters: queries.Filters | None) -> queries.Sql:
    """The conditions on ``items AS i`` of the items to re-extract."""
    conditions = queries.item_conditions(filters or queries.Filters())
    text = conditions.text
    if not everything:
        text = f"({text}) AND (i.extractor_version IS NULL OR i.extractor_version < :version)"
    return queries.Sql(text, {**conditions.params, "version": version})


def _candidates_sql(
    version: int, after: int, limit: int, filters: queries.Filters | None, everything: bool
) -> queries.Sql:
    due = _due(version, everything, filters)
    return queries.Sql(
        f"{_CANDIDATES} WHERE i.id > :after AND {due.text} ORDER BY i.id LIMIT :limit",
        {**due.params, "after": after, "limit": limit},
    )


def _count_sql(version: int, filters: queries.Filters | None, everything: bool) -> queries.Sql:
    due = _due(version, everything, filters)
    return queries.Sql(
        "SELECT count(*), count((SELECT 1 FROM pages q WHERE q.item_id = i.id "
        "AND (q.html IS NOT NULL OR q.warc_file IS NOT NULL) LIMIT 1)) "
        f"FROM items AS i WHERE {due.text}",
        due.params,
    )


@dataclass
class _BatchState:
    """What the archive holds for a batch of items, read in three queries."""

    items: dict[int, sqlite3.Row]
    rubrics: dict[int, set[str]]
    related: dict[int, dict[str, tuple[Any, ...]]]

    @classmethod
    def load(cls, conn: sqlite3.Connection, ids: list[int]) -> _BatchState:
        marks = ", ".join("?" for _ in ids)
        # Raw: IN lookups on primary keys, one per table for the whole batch.
        items = {
            row["id"]: row
            for row in conn.execute(
                "SELECT id, url, title, category, source, published, updated, text, lang, "
                "warnings, published_source, updated_source, category_source "
                f"FROM items WHERE id IN ({marks})",
                ids,
            )
        }
        rubrics: dict[int, set[str]] = {item_id: set() for item_id in ids}
        for item_id, rubric in conn.execute(
            f"SELECT item_id, rubric FROM item_rubrics WHERE item_id IN ({marks})", ids
        ):
            rubrics[item_id].add(rubric)
        related: dict[int, dict[str, tuple[Any, ...]]] = {item_id: {} for item_id in ids}
        for row in conn.execute(
            "SELECT item_id, url, label, category, rubric, title FROM related "
            f"WHERE item_id IN ({marks})",
            ids,
        ):
            related[row[0]][row[1]] = tuple(row[2:])
        return cls(items, rubrics, related)


def _reextract_item(
    conn: sqlite3.Connection,
    state: _BatchState,
    item_id: int,
    record: Mapping[str, Any],
    version: int,
) -> ItemChange:
    row = state.items[item_id]
    new = item_fields({**record, "url": row["url"]})
    for name in KEPT_WHEN_MISSING:
        if new[name] is None:
            new[name] = row[name]
            if name == "category":  # the category kept, with what gave it
                new["category_source"] = row["category_source"]
    if new["published"] is None and row["published_source"] in OUTSIDE_THE_PAGE:
        new["published"], new["published_source"] = row["published"], row["published_source"]
    change = ItemChange(item_id, row["url"])
    for name in COMPARED_FIELDS:
        if _normalised(name, row[name]) != _normalised(name, new[name]):
            change.fields[name] = (row[name], new[name])
    if change.fields:
        keep_version(conn, item_id)
        # Raw: every extracted column assigned at once, with the provenance of the new state.
        conn.execute(
            "UPDATE items SET title = :title, category = :category, source = :source, "
            "published = :published, updated = :updated, text = :text, lang = :lang, "
            "content_hash = :content_hash, warnings = :warnings, "
            "published_source = :published_source, updated_source = :updated_source, "
            "category_source = :category_source, "
            "extractor_version = :version, provenance = :provenance WHERE id = :id",
            {**new, "version": version, "provenance": PROVENANCE_REEXTRACTION, "id": item_id},
        )
    known_rubrics = state.rubrics[item_id]
    change.rubrics_added = [
        rubric for rubric in clean_list(record.get("rubrics")) if rubric not in known_rubrics
    ]
    link_rubrics(conn, item_id, change.rubrics_added)
    known_related = state.related[item_id]
    changed_related = [
        row
        for row in related_rows(item_id, record.get("related") or [])
        if _merged(known_related.get(row["url"]), row) != known_related.get(row["url"])
    ]
    change.related_changed = len({row["url"] for row in changed_related})
    upsert_related(conn, changed_related)
    if new["category"] is None:  # the listings may say what the page does not
        fill_from_sightings(conn, item_id)
    return change


def _merged(known: tuple[Any, ...] | None, row: Mapping[str, Any]) -> tuple[Any, ...]:
    """What :func:`upsert_related` makes of a known row and a new one."""
    new = tuple(row[key] for key in ("label", "category", "rubric", "title"))
    if known is None:
        return new
    return tuple(value if value is not None else old for value, old in zip(new, known, strict=True))


def _normalised(name: str, value: Any) -> Any:
    """``warnings`` compared as lists (the JSON text of an older archive may be spaced
    otherwise); the rest as stored."""
    if name == "warnings":
        return json.loads(value or "[]")
    return value
