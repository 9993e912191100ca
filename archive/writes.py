"""The raw SQL of the per-article write path, and the lookups made inside its transactions.

Module-level functions over the transaction's ``sqlite3`` connection, which
:class:`regarchive.archive.items.Items` and :class:`regarchive.archive.pages.Pages` call inside
their write transactions: items, their URLs, rubrics and related links, pages and sightings.
Also the cleaning of record values shared with the rest of the archive (``to_json``). Raw SQL on
purpose (see :mod:`regarchive.archive.store`): each ``# Raw:`` comment says why for its
statement.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from regarchive.archive.records import RELATED_FIELDS

# -- record helpers -----------------------------------------------------------------------------


def to_json(value: Any) -> str:
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


def clean_list(values: Iterable[Any] | None) -> list[str]:
    return distinct(_clean(v) for v in values or ())


def distinct(values: Iterable[str | None]) -> list[str]:
    """Non-empty values, first occurrence kept, order preserved."""
    return list(dict.fromkeys(v for v in values if v))


def page_urls(page: Mapping[str, Any] | None) -> list[str]:
    if page is None:
        return []
    return [u for u in (page.get("url"), page.get("final_url")) if u]


def item_fields(record: Mapping[str, Any]) -> dict[str, Any]:
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
        # Provenance goes with its value: no value, no provenance.
        "published_source": _clean(record.get("published_source"))
        if record.get("published")
        else None,
        "updated_source": _clean(record.get("updated_source")) if record.get("updated") else None,
        "category_source": _clean(record.get("category_source"))
        if record.get("category")
        else None,
        "text": text,
        "lang": _clean(record.get("lang")),
        # The extractor always sets it; the fallback only keeps the NOT NULL column honest.
        "content_hash": record.get("content_hash")
        or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "warnings": to_json(list(record.get("warnings") or [])),
        "extractor_version": record.get("extractor_version"),
    }


# -- finding items ------------------------------------------------------------------------------

# Texts shorter than this are not trusted for content-hash dedup: two pages with an empty or
# boilerplate-only body would otherwise become one item.
MIN_HASH_DEDUP_CHARS = 200

# URLs per ``IN (...)`` lookup: SQLite's bound-parameter limit is 999 or more.
_URLS_PER_LOOKUP = 500


def item_ids_at(conn: sqlite3.Connection, urls: Iterable[str]) -> dict[str, int]:
    """URL → item id, for those of ``urls`` the archive maps to an item."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _URLS_PER_LOOKUP):
        chunk = wanted[start : start + _URLS_PER_LOOKUP]
        marks = ", ".join("?" for _ in chunk)
        # Raw: an IN lookup on the primary key, per article and per listing page, where
        # db.query() would add a savepoint per call.
        rows = conn.execute(f"SELECT url, item_id FROM item_urls WHERE url IN ({marks})", chunk)
        found.update((row[0], int(row[1])) for row in rows)
    return found


def item_id_at(conn: sqlite3.Connection, urls: Sequence[str]) -> int | None:
    """The item mapped to the first of ``urls`` that is known (canonical URL comes first), else
    the first item whose own URL is one of them."""
    if not urls:
        return None
    known = item_ids_at(conn, urls)
    for url in urls:
        if url in known:
            return known[url]
    marks = ", ".join("?" for _ in urls)
    # Raw: on the per-article path, where db.query() would add a savepoint per lookup.
    row = conn.execute(
        f"SELECT id FROM items WHERE url IN ({marks}) ORDER BY id LIMIT 1", tuple(urls)
    ).fetchone()
    return int(row["id"]) if row is not None else None


def find_item(
    conn: sqlite3.Connection, urls: Sequence[str], fields: Mapping[str, Any]
) -> sqlite3.Row | None:
    """The archived item a record is: found by any of its URLs, else by the same text on the
    same site (long texts only). The row has what :func:`has_changed` compares."""
    item_id = item_id_at(conn, urls)
    if item_id is None and len(fields["text"].strip()) >= MIN_HASH_DEDUP_CHARS:
        # Raw: an indexed lookup (items_content_hash) per article, without db.query()'s savepoint.
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


# -- writing items ------------------------------------------------------------------------------


def has_changed(existing: sqlite3.Row, fields: Mapping[str, Any]) -> bool:
    if existing["content_hash"] != fields["content_hash"]:
        return True
    return fields["title"] is not None and fields["title"] != existing["title"]


def insert_item(
    conn: sqlite3.Connection, fields: Mapping[str, Any], now: str, provenance: str
) -> int:
    # Raw: Table.insert() would cost ~+100 µs per article (schema lookups, savepoint).
    cursor = conn.execute(
        "INSERT INTO items (url, site, title, category, source, published, updated, text, "
        "lang, content_hash, warnings, first_seen, last_seen, published_source, updated_source, "
        "category_source, extractor_version, provenance) VALUES (:url, :site, :title, "
        ":category, :source, :published, :updated, :text, :lang, :content_hash, :warnings, "
        ":now, :now, :published_source, :updated_source, :category_source, :extractor_version, "
        ":provenance)",
        {**fields, "now": now, "provenance": provenance},
    )
    return int(cursor.lastrowid or 0)


def keep_version(conn: sqlite3.Connection, item_id: int) -> None:
    """Copy the item's current state to ``versions``, dated by when it was last seen."""
    # Raw: INSERT … SELECT copies the row inside SQLite; sqlite-utils inserts Python values.
    conn.execute(
        "INSERT INTO versions (item_id, seen_at, title, text, content_hash, updated, published, "
        "category, source, extractor_version, provenance) "
        "SELECT id, last_seen, title, text, content_hash, updated, published, category, source, "
        "extractor_version, provenance FROM items WHERE id = ?",
        (item_id,),
    )


def update_item(
    conn: sqlite3.Connection, item_id: int, fields: Mapping[str, Any], now: str, provenance: str
) -> None:
    """Take the record's state; url and first_seen stay, metadata the record lacks stays."""
    # Raw: COALESCE/MAX merges; Table.update() can only assign values.
    conn.execute(
        "UPDATE items SET title = COALESCE(:title, title), "
        "category = COALESCE(:category, category), source = COALESCE(:source, source), "
        "published = COALESCE(:published, published), updated = COALESCE(:updated, updated), "
        # A field's provenance changes with the field, and only then (SET reads old values).
        "category_source = CASE WHEN :category IS NULL THEN category_source "
        "ELSE :category_source END, "
        "published_source = CASE WHEN :published IS NULL THEN published_source "
        "ELSE :published_source END, "
        "updated_source = CASE WHEN :updated IS NULL THEN updated_source "
        "ELSE :updated_source END, "
        "text = :text, lang = COALESCE(:lang, lang), content_hash = :content_hash, "
        "warnings = :warnings, last_seen = MAX(last_seen, :now), "
        "extractor_version = :extractor_version, provenance = :provenance WHERE id = :id",
        {**fields, "now": now, "id": item_id, "provenance": provenance},
    )


def touch_item(conn: sqlite3.Connection, item_id: int, fields: Mapping[str, Any], now: str) -> None:
    """Same content seen again: bump last_seen and only fill metadata that was missing.

    Title and text are not in the SET clause, so the full-text triggers do not fire.
    """
    # Raw: COALESCE/MAX merges; Table.update() can only assign values.
    conn.execute(
        "UPDATE items SET last_seen = MAX(last_seen, :now), "
        "category = COALESCE(category, :category), source = COALESCE(source, :source), "
        "published = COALESCE(published, :published), updated = COALESCE(updated, :updated), "
        "category_source = CASE WHEN category IS NULL THEN :category_source "
        "ELSE category_source END, "
        "published_source = CASE WHEN published IS NULL THEN :published_source "
        "ELSE published_source END, "
        "updated_source = CASE WHEN updated IS NULL THEN :updated_source "
        "ELSE updated_source END, "
        "lang = COALESCE(lang, :lang) WHERE id = :id",
        {**fields, "now": now, "id": item_id},
    )


def link_urls(conn: sqlite3.Connection, item_id: int, urls: Iterable[str]) -> None:
    """Map URLs to the item; a URL already mapped to another item stays with it."""
    # Raw: insert_all(ignore=True) says the same at ~8x the cost, on every article.
    conn.executemany(
        "INSERT OR IGNORE INTO item_urls (url, item_id) VALUES (?, ?)",
        [(url, item_id) for url in urls],
    )


def link_rubrics(conn: sqlite3.Connection, item_id: int, rubrics: Iterable[str]) -> None:
    # Raw: insert_all(ignore=True) says the same at ~8x the cost, on every article.
    conn.executemany(
        "INSERT OR IGNORE INTO item_rubrics (item_id, rubric) VALUES (?, ?)",
        [(item_id, rubric) for rubric in rubrics],
    )


def related_rows(item_id: int, related: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The ``related`` rows of a record's "même rubrique" entries, values cleaned."""
    return [
        {"item_id": item_id, **{key: _clean(entry.get(key)) for key in RELATED_FIELDS}}
        for entry in related
        if _clean(entry.get("url"))
    ]


def merge_related(
    conn: sqlite3.Connection, item_id: int, related: Iterable[Mapping[str, Any]]
) -> None:
    upsert_related(conn, related_rows(item_id, related))


def upsert_related(conn: sqlite3.Connection, rows: Iterable[Mapping[str, Any]]) -> None:
    """Add ``related`` rows; a known one takes the values the new row has (none is erased)."""
    # Raw: a COALESCE-merging upsert; upsert_all() overwrites with NULLs (col = excluded.col).
    conn.executemany(
        "INSERT INTO related (item_id, url, label, category, rubric, title) "
        "VALUES (:item_id, :url, :label, :category, :rubric, :title) "
        "ON CONFLICT (item_id, url) DO UPDATE SET label = COALESCE(excluded.label, label), "
        "category = COALESCE(excluded.category, category), "
        "rubric = COALESCE(excluded.rubric, rubric), title = COALESCE(excluded.title, title)",
        rows,
    )


def fill_from_sightings(conn: sqlite3.Connection, item_id: int) -> None:
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
        "), category_source = 'listing' WHERE id = ? AND category IS NULL AND EXISTS ("
        " SELECT 1 FROM item_urls AS u JOIN sightings AS s ON s.url = u.url"
        " WHERE u.item_id = items.id AND s.category IS NOT NULL)",
        (item_id,),
    )


# -- pages --------------------------------------------------------------------------------------


def upsert_page(
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
        "warc_file": page.get("warc_file"),
        "warc_offset": page.get("warc_offset"),
    }
    not_modified = row["status"] == 304 and not body
    # Raw: upserts with COALESCE merges (and a 304 keeping the stored body); upsert() would
    # overwrite every column, and costs ~+200 µs per call.
    conn.execute(_UPSERT_PAGE_NOT_MODIFIED if not_modified else _UPSERT_PAGE, row)


_PAGE_INSERT = (
    "INSERT INTO pages (url, final_url, status, content_type, etag, last_modified, fetched_at, "
    "body_hash, html, item_id, crawl_id, warc_file, warc_offset) VALUES (:url, :final_url, "
    ":status, :content_type, :etag, :last_modified, :fetched_at, :body_hash, :html, :item_id, "
    ":crawl_id, :warc_file, :warc_offset) "
    "ON CONFLICT (url) DO UPDATE SET "
)
_UPSERT_PAGE = _PAGE_INSERT + (
    "final_url = excluded.final_url, status = excluded.status, "
    "content_type = excluded.content_type, etag = excluded.etag, "
    "last_modified = excluded.last_modified, fetched_at = excluded.fetched_at, "
    "body_hash = excluded.body_hash, html = excluded.html, "
    "item_id = COALESCE(excluded.item_id, item_id), crawl_id = excluded.crawl_id, "
    # A body fetched without a WARC being written has no record: the pointer goes with it.
    "warc_file = excluded.warc_file, warc_offset = excluded.warc_offset"
)
# The body (and the WARC record holding it) stays what it was.
_UPSERT_PAGE_NOT_MODIFIED = _PAGE_INSERT + (
    "etag = COALESCE(excluded.etag, etag), "
    "last_modified = COALESCE(excluded.last_modified, last_modified), "
    "fetched_at = excluded.fetched_at, item_id = COALESCE(excluded.item_id, item_id), "
    "crawl_id = excluded.crawl_id"
)


def touch_page(conn: sqlite3.Connection, row: Mapping[str, Any], now: str) -> int | None:
    """A page fetched again unchanged: move its fetch time, crawl and validators (``row``), and
    its item's ``last_seen``. Returns the item's id, or None when the URL holds no item."""
    # Raw: COALESCE keeps validators a 304 did not repeat; update() only assigns.
    conn.execute(
        "UPDATE pages SET etag = COALESCE(:etag, etag), "
        "last_modified = COALESCE(:last_modified, last_modified), "
        "fetched_at = :fetched_at, crawl_id = :crawl_id, "
        "warc_offset = CASE WHEN :warc_file IS NULL THEN warc_offset ELSE :warc_offset END, "
        "warc_file = COALESCE(:warc_file, warc_file) WHERE url = :url",
        {"warc_file": None, "warc_offset": None, **row},
    )
    found = conn.execute("SELECT item_id FROM pages WHERE url = ?", (row["url"],)).fetchone()
    item_id = found[0] if found else None
    if item_id is not None:
        conn.execute("UPDATE items SET last_seen = MAX(last_seen, ?) WHERE id = ?", (now, item_id))
    return item_id


# -- sightings ----------------------------------------------------------------------------------

_UPSERT_SIGHTING = (
    "INSERT INTO sightings (url, rubric, label, category, found_on, crawl_id, first_seen, "
    "last_seen) VALUES (:url, :rubric, :label, :category, :found_on, :crawl_id, :now, :now) "
    "ON CONFLICT (url, COALESCE(rubric, ''), COALESCE(label, '')) DO UPDATE SET "
    "last_seen = MAX(last_seen, excluded.last_seen), "
    "category = COALESCE(excluded.category, category), "
    "found_on = COALESCE(excluded.found_on, found_on), "
    "crawl_id = COALESCE(excluded.crawl_id, crawl_id)"
)


def upsert_sighting(conn: sqlite3.Connection, row: Mapping[str, Any]) -> None:
    """Store a sighting (a :func:`sighting_row`), merged into the one of the same URL, rubric
    and label."""
    # Raw: the conflict target is the COALESCE expression index and the update merges (MAX,
    # COALESCE); upsert_all() can only target primary-key columns and overwrite them.
    conn.execute(_UPSERT_SIGHTING, row)


def sighting_row(sighting: Mapping[str, Any], crawl_id: int | None, now: str) -> dict[str, Any]:
    return {
        "url": sighting["url"],
        "rubric": _clean(sighting.get("rubric")),
        "label": _clean(sighting.get("label")),
        "category": _clean(sighting.get("category")),
        "found_on": _clean(sighting.get("found_on")),
        "crawl_id": crawl_id,
        "now": now,
    }


def apply_sighting(
    conn: sqlite3.Connection, item_id: int, rubric: str | None, category: str | None
) -> None:
    if rubric is not None:
        link_rubrics(conn, item_id, [rubric])
    if category is not None:
        # Raw: a conditional UPDATE (only when no category yet); Table.update() has no WHERE.
        conn.execute(
            "UPDATE items SET category = ?, category_source = 'listing' "
            "WHERE id = ? AND category IS NULL",
            (category, item_id),
        )


# -- canonical claims ---------------------------------------------------------------------------

# Below this word overlap (Jaccard, title and text), two pages are different articles, however
# their canonical links tie them: an edit keeps most of an article's words, another article
# does not.
SAME_ARTICLE_MIN_OVERLAP = 0.5


def same_article(conn: sqlite3.Connection, item_id: int, fields: Mapping[str, Any]) -> bool:
    """Whether the archived item ``item_id`` and the record's ``fields`` are plausibly one
    article (the same one, or an edit of it)."""
    # Raw: one row by primary key, on the rare path of a disputed canonical URL.
    row = conn.execute("SELECT title, text FROM items WHERE id = ?", (item_id,)).fetchone()
    theirs = _words(row["title"], row["text"])
    ours = _words(fields.get("title"), fields.get("text"))
    if not theirs or not ours:
        return True  # nothing to tell them apart by
    return len(theirs & ours) / len(theirs | ours) >= SAME_ARTICLE_MIN_OVERLAP


def _words(*texts: str | None) -> set[str]:
    return {word for text in texts if text for word in text.lower().split()}


def fetched_urls(conn: sqlite3.Connection, item_id: int) -> set[str]:
    """The URLs the item's pages were fetched at (not merely claimed by a canonical link)."""
    # Raw: an indexed lookup (pages_item_id) on the rare path of a disputed canonical URL.
    rows = conn.execute("SELECT url, final_url FROM pages WHERE item_id = ?", (item_id,))
    return {url for row in rows for url in (row["url"], row["final_url"]) if url}


def release_url(conn: sqlite3.Connection, item_id: int, url: str, warning: str) -> None:
    """Take ``url`` from an item that only claimed it: the item keeps the URL it was fetched
    at as its own, and a warning saying why."""
    # Raw: a URL moved between items, with a JSON warning appended, in the caller's transaction.
    conn.execute("DELETE FROM item_urls WHERE url = ? AND item_id = ?", (url, item_id))
    row = conn.execute("SELECT url, warnings FROM items WHERE id = ?", (item_id,)).fetchone()
    warnings = [*json.loads(row["warnings"] or "[]"), warning]
    own = row["url"]
    if own == url:
        fetched = sorted(fetched_urls(conn, item_id))
        own = fetched[0] if fetched else own
    conn.execute(
        "UPDATE items SET url = ?, warnings = ? WHERE id = ?", (own, to_json(warnings), item_id)
    )
