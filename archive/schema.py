"""The archive's SQLite schema, as an ordered list of migrations.

The schema version lives in ``PRAGMA user_version`` and ``PRAGMA application_id`` marks the file
as a regarchive archive (so ``file archive.db`` and our own open check can tell it from other
SQLite databases). Migration *n* (1-based) takes a database from version *n - 1* to *n*, in its
own ``BEGIN IMMEDIATE`` transaction together with the version bump: a failed migration leaves the
file at the previous version, and two processes opening a fresh file at once cannot both apply it.

Migrations are sqlite-utils calls (``create_table``, ``create_index``, ``enable_fts``) on a
:class:`sqlite_utils.Database` wrapping our own connection; sqlite-utils 4 joins the open
transaction through savepoints. Raw SQL remains only for what that API cannot express: the
header PRAGMAs, the expression unique index of ``sightings`` and the FTS5 triggers limited to
the indexed columns. The result is an ordinary SQLite file, so ``sqlite-utils`` (``search``,
``disable-fts``…) and ``datasette`` work on it directly.

Why hand-written, rather than sqlite-utils' ``Migrations`` (built into sqlite-utils 4; formerly
the sqlite-migrate plugin), which records the names of applied steps in a ``_sqlite_migrations``
table and runs each pending one in ``db.atomic()``:

- the version is read from the file's header before anything is written, without trusting the
  file: :class:`~regarchive.archive.store.Archive` checks ``application_id`` and
  ``user_version`` to refuse another application's database or a newer schema, which a table of
  step names in a file that may not be ours cannot tell as safely;
- two processes opening a new archive at once (a cron crawl and a ``status``) must not both
  apply a step: ``Migrations.apply()`` decides what is pending before its transaction, which
  ``db.atomic()`` opens deferred, so the second process would fail creating a table that the
  first has just created; :func:`migrate` takes the write lock first (``BEGIN IMMEDIATE``) and
  reads the version again under it;
- every archive written so far carries its version in ``user_version``: switching would add a
  table to all of them and a step to translate one record into the other.

The loop that does this is :func:`migrate`, twenty lines; the steps are sqlite-utils calls
either way. Steps, runner and the reference of the tables below stay in this one module: a new
step goes at the end of :data:`MIGRATIONS`, and ``SCHEMA_VERSION`` follows.

Conventions: timestamps are ISO 8601 UTC strings with a ``Z`` (``2026-11-28T10:00:00Z``), the
site's own dates stay dates (``YYYY-MM-DD``), JSON columns hold UTF-8 JSON text.

Tables (version 10):

``items``: one row per article (news item or circular).
    ``id`` INTEGER PK; ``url`` TEXT, unique (``items_url``), the canonical URL; ``site``
    host[:port]; ``title``; ``category`` (``Actu``, ``Circ.`` or NULL); ``source`` (byline
    author/body); ``published``, ``updated`` (``YYYY-MM-DD``, from the page); ``text`` clean
    article text; ``lang``; ``content_hash`` sha256 of the normalised text (indexed, used for
    dedup); ``warnings`` JSON array of extraction warnings; ``first_seen``, ``last_seen``
    timestamps; (v7) ``extractor_version``, the extractor that made the fields, and
    ``provenance``, how the state came about (``crawl``, ``import-warc``, ``re-extraction``).
``item_urls``: every URL an item was seen at. ``url`` PK -> ``item_id``. (v8: each also under
    its one spelling, :mod:`regarchive.archive.url_spelling`.)
``item_rubrics``: (``item_id``, ``rubric``) PK; an item listed in several rubrics has several rows.
``related``: the "Dans la même rubrique" block of an item: (``item_id``, ``url``) PK, ``label``,
    ``category``, ``rubric``, ``title``.
``sightings``: links to articles seen on listing pages or related blocks, possibly before the
    article itself is fetched: ``url``, ``rubric``, ``label``, ``category`` (hint from the
    label), ``found_on``, ``crawl_id``, ``first_seen``, ``last_seen``; unique on
    (url, rubric, label) with NULL treated as ''.
``versions``: earlier states of items whose title or text changed (or, in a re-extraction, any
    field): ``item_id``, ``seen_at`` (the last time that state was seen), ``title``, ``text``,
    ``content_hash``, ``updated``, ``published``; (v7) ``category``, ``source``,
    ``extractor_version``, ``provenance`` of that state.
``pages``: the last fetch of each URL: ``url`` PK, ``final_url``, ``status``, ``content_type``,
    ``etag``, ``last_modified``, ``fetched_at``, ``body_hash`` (sha256 of the raw body), ``html``
    (raw body bytes, zlib-compressed), ``item_id``, ``crawl_id``; (v7) ``warc_file``,
    ``warc_offset``: the WARC record of the exchange that brought the body, when one was
    written (``crawl --warc``) or imported (``import-warc``).
``crawls``: one row per run: ``started``, ``finished``, ``finish_reason``, ``start_urls`` and
    ``args`` (JSON), counts ``requests``, ``pages_ok``, ``pages_not_modified``, ``errors``,
    ``items_new``, ``items_updated``, ``items_unchanged``, and ``stats`` (JSON, everything else).
``crawl_errors``: ``crawl_id``, ``url``, ``status`` (NULL for network errors), ``error``, ``at``.
``items_fts``: FTS5 index over ``items.title`` and ``items.text`` (``unicode61
    remove_diacritics 2``), external content (rowid = ``items.id``) kept in sync by triggers.
``listings`` (v3): each rubric listing a crawl starts from: ``url`` PK, ``site``, ``rubric``,
    ``first_crawl_id``, ``last_crawl_id``, ``last_walked`` (when a finished crawl last followed
    its pagination to the end).
``item_changes`` (v4): ``item_id`` PK, ``seq``: the number of the item's latest change (new item,
    new title/text/metadata, new URL, rubric or related link), kept by triggers.
``exports`` (v4): one row per named export (``--since-last-export NAME``): ``name``,
    ``exported_at``, ``mark`` (the change number it covered up to), ``items``, ``format``,
    ``output``, ``filters`` (JSON).
``attachment_files`` (v6): one row per distinct document content: ``id``, ``sha256`` (unique),
    ``media_type`` (read from the bytes), ``size``, ``pages``, ``title`` (the document's own),
    ``text``, ``hints`` (JSON: author, dates… from its metadata), ``warnings`` (JSON array),
    ``stored_at``. ``attachment_files_fts`` indexes ``title`` and ``text`` like ``items_fts``.
``attachment_contents`` (v6): ``sha256`` PK, ``content`` the document's bytes, as fetched.
``attachments`` (v6): the last fetch of each document URL: ``url`` PK, ``final_url``,
    ``sha256`` (the content it holds now; NULL until a fetch succeeds), ``status``,
    ``content_type`` (as served), ``etag``, ``last_modified``, ``fetched_at`` (last request),
    ``changed_at`` (when the current content was first fetched), ``confirmed_at`` (when it was
    last found unchanged), ``error`` (why the last request gave no document), ``crawl_id``.
``attachment_versions`` (v6): contents a URL held before: ``url``, ``sha256``, ``changed_at``,
    ``seen_at`` (the last time that content was seen there).
``item_attachments`` (v6): the documents an item links: (``item_id``, ``url``) PK, ``label``
    (the link's text), ``first_seen``, ``last_seen``.
``page_hints`` (v8): what the site's sitemaps and feeds said of a page when it was last fetched:
    (``url``, ``source``) PK (``sitemap`` or ``feed``), ``hint`` (the date as normalised by the
    crawl), ``crawl_id``.
``ingested_streams`` (v10): for ``regarchive ingest``, the last entry of a frontier's stream
    committed to this archive: ``stream`` PK, ``last_id`` (a Redis stream id), ``updated``.
``ingested_crawlers`` (v10): each frontier crawler's run: ``crawler`` PK (its id), ``crawl_id``
    (its row in ``crawls``), ``tally`` (JSON: what the ingester counted of it so far).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from typing import Any

from sqlite_utils import Database
from sqlite_utils.db import ForeignKey

from regarchive.archive.errors import ArchiveError
from regarchive.archive.url_spelling import spell

Migration = Callable[[Database], None]

# "RGAR" as a big-endian 32-bit integer, stored in the SQLite header.
APPLICATION_ID = 0x52474152

CRAWL_COUNT_COLUMNS: tuple[str, ...] = (
    "requests",
    "pages_ok",
    "pages_not_modified",
    "errors",
    "items_new",
    "items_updated",
    "items_unchanged",
)


def require_sqlite_utils() -> None:
    """Refuse sqlite-utils 3.x, whose writes commit the caller's open transaction.

    3.x wraps inserts in ``with conn:`` and runs DDL scripts through ``executescript`` (both
    commit); 4.x nests them in savepoints (``Database.atomic``), which our atomic writes and
    migrations rely on.
    """
    if not hasattr(Database, "atomic"):
        try:
            found = metadata.version("sqlite-utils")
        except metadata.PackageNotFoundError:  # pragma: no cover - imported, so installed
            found = "unknown"
        raise ArchiveError(
            f"regarchive needs sqlite-utils 4.0 or later (found {found}); "
            "upgrade it: pip install -U 'sqlite-utils>=4'"
        )


def database(conn: sqlite3.Connection) -> Database:
    """sqlite-utils over ``conn``, changing nothing on it (no PRAGMA, no plugin hooks)."""
    require_sqlite_utils()
    return Database(conn, recursive_triggers=False, execute_plugins=False)


def _references(
    table: str, column: str, other_table: str, *, on_delete: str = "NO ACTION"
) -> ForeignKey:
    return ForeignKey(table, column, other_table, "id", on_delete=on_delete)


def _index(db: Database, table: str, columns: Iterable[str], *, unique: bool = False) -> None:
    """An index named ``<table>_<columns>``, like the ones of archives already written."""
    names = list(columns)
    db.table(table).create_index(names, index_name=f"{table}_{'_'.join(names)}", unique=unique)


def _crawls_columns() -> dict[str, Any]:
    return {
        "id": int,
        "started": str,
        "finished": str,
        "finish_reason": str,
        "start_urls": str,
        "args": str,
        **{name: int for name in CRAWL_COUNT_COLUMNS},
        "stats": str,
    }


def _v1_core(db: Database) -> None:
    # sqlite-utils has no API for the database header's application_id.
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.create_table(
        "crawls",
        _crawls_columns(),
        pk="id",
        not_null={"started", "start_urls", "args", *CRAWL_COUNT_COLUMNS, "stats"},
        defaults={
            "start_urls": "[]",
            "args": "{}",
            **{name: 0 for name in CRAWL_COUNT_COLUMNS},
            "stats": "{}",
        },
    )
    db.create_table(
        "items",
        {
            "id": int,
            "url": str,
            "site": str,
            "title": str,
            "category": str,
            "source": str,
            "published": str,
            "updated": str,
            "text": str,
            "lang": str,
            "content_hash": str,
            "warnings": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
        not_null={"url", "site", "text", "content_hash", "warnings", "first_seen", "last_seen"},
        defaults={"text": "", "warnings": "[]"},
    )
    _index(db, "items", ["url"], unique=True)
    _index(db, "items", ["content_hash"])
    _index(db, "items", ["published"])
    db.create_table(
        "item_urls",
        {"url": str, "item_id": int},
        pk="url",
        not_null={"item_id"},
        foreign_keys=[_references("item_urls", "item_id", "items", on_delete="CASCADE")],
    )
    _index(db, "item_urls", ["item_id"])
    db.create_table(
        "item_rubrics",
        {"item_id": int, "rubric": str},
        pk=("item_id", "rubric"),
        not_null={"item_id", "rubric"},
        foreign_keys=[_references("item_rubrics", "item_id", "items", on_delete="CASCADE")],
    )
    db.create_table(
        "related",
        {
            "item_id": int,
            "url": str,
            "label": str,
            "category": str,
            "rubric": str,
            "title": str,
        },
        pk=("item_id", "url"),
        not_null={"item_id", "url"},
        foreign_keys=[_references("related", "item_id", "items", on_delete="CASCADE")],
    )
    db.create_table(
        "sightings",
        {
            "id": int,
            "url": str,
            "rubric": str,
            "label": str,
            "category": str,
            "found_on": str,
            "crawl_id": int,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
        not_null={"url", "first_seen", "last_seen"},
        foreign_keys=[_references("sightings", "crawl_id", "crawls")],
    )
    # create_index() takes plain columns only; NULL rubric/label would make every row
    # distinct in a plain UNIQUE index, so the key is on COALESCE expressions.
    db.execute(
        "CREATE UNIQUE INDEX sightings_key "
        "ON sightings (url, COALESCE(rubric, ''), COALESCE(label, ''))"
    )
    db.create_table(
        "versions",
        {
            "id": int,
            "item_id": int,
            "seen_at": str,
            "title": str,
            "text": str,
            "content_hash": str,
            "updated": str,
            "published": str,
        },
        pk="id",
        not_null={"item_id", "seen_at"},
        foreign_keys=[_references("versions", "item_id", "items", on_delete="CASCADE")],
    )
    _index(db, "versions", ["item_id"])
    db.create_table(
        "pages",
        {
            "url": str,
            "final_url": str,
            "status": int,
            "content_type": str,
            "etag": str,
            "last_modified": str,
            "fetched_at": str,
            "body_hash": str,
            "html": bytes,
            "item_id": int,
            "crawl_id": int,
        },
        pk="url",
        foreign_keys=[
            _references("pages", "item_id", "items", on_delete="SET NULL"),
            _references("pages", "crawl_id", "crawls"),
        ],
    )
    _index(db, "pages", ["item_id"])
    db.create_table(
        "crawl_errors",
        {
            "id": int,
            "crawl_id": int,
            "url": str,
            "status": int,
            "error": str,
            "at": str,
        },
        pk="id",
        not_null={"url", "error", "at"},
        foreign_keys=[_references("crawl_errors", "crawl_id", "crawls")],
    )
    _index(db, "crawl_errors", ["crawl_id"])


# enable_fts(create_triggers=True) would add an AFTER UPDATE ON items trigger that re-indexes
# title and text on every update (each last_seen bump); these fire only when title or text are
# in the SET clause. "items_fts" is quoted so that sqlite-utils' disable_fts() finds them.
_FTS_TRIGGERS = (
    """CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO "items_fts" (rowid, title, text) VALUES (new.id, new.title, new.text);
END""",
    """CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO "items_fts" ("items_fts", rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
END""",
    """CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items BEGIN
    INSERT INTO "items_fts" ("items_fts", rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO "items_fts" (rowid, title, text) VALUES (new.id, new.title, new.text);
END""",
)


def _v2_full_text(db: Database) -> None:
    # External content on items (content_rowid is the rowid, which items.id aliases),
    # populated from the rows already there.
    db.table("items").enable_fts(
        ["title", "text"], fts_version="FTS5", tokenize="unicode61 remove_diacritics 2"
    )
    for trigger in _FTS_TRIGGERS:
        # Column-limited triggers: see _FTS_TRIGGERS.
        db.execute(trigger)


def _v3_listings(db: Database) -> None:
    """``listings``: one row per rubric listing a crawl starts from.

    ``last_walked`` is when a finished crawl last followed its pagination to the end (or to a
    page of already archived articles); reruns only stop paging early on such listings.
    """
    db.create_table(
        "listings",
        {
            "url": str,
            "site": str,
            "rubric": str,
            "first_crawl_id": int,
            "last_crawl_id": int,
            "last_walked": str,
        },
        pk="url",
        not_null={"site"},
        foreign_keys=[
            _references("listings", "first_crawl_id", "crawls", on_delete="SET NULL"),
            _references("listings", "last_crawl_id", "crawls", on_delete="SET NULL"),
        ],
    )


_NEXT_SEQ = "(SELECT coalesce(max(seq), 0) + 1 FROM item_changes)"


def _renumber(item_id: str) -> str:
    """Trigger statement giving the item ``item_id`` the next change number.

    A plain UPDATE: every item has its row, from the insert trigger or from the migration (an
    item being deleted has none left, and nothing happens). No ``INSERT OR REPLACE`` either
    way: in a trigger, the conflict policy of the statement that fired it (``INSERT OR IGNORE
    INTO item_rubrics``…) would override ours.
    """
    return f"UPDATE item_changes SET seq = {_NEXT_SEQ} WHERE item_id = {item_id};"


# The items columns an export record shows, last_seen and first_seen aside: an item seen again
# unchanged is not a change. "IS NOT" since the merges assign columns to their own value.
_RECORD_COLUMNS = (
    "url",
    "site",
    "title",
    "category",
    "source",
    "published",
    "updated",
    "text",
    "lang",
    "warnings",
)
_RELATED_COLUMNS = ("label", "category", "rubric", "title")


def _changed(columns: Iterable[str]) -> str:
    return " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)


def _change_triggers() -> list[str]:
    """Triggers that renumber an item whenever its export record changes."""
    events = [
        ("items_update", "AFTER UPDATE ON items", _changed(_RECORD_COLUMNS), "new.id"),
        ("urls_insert", "AFTER INSERT ON item_urls", "", "new.item_id"),
        ("urls_delete", "AFTER DELETE ON item_urls", "", "old.item_id"),
        ("urls_update", "AFTER UPDATE OF item_id ON item_urls", "", "new.item_id"),
        ("rubrics_insert", "AFTER INSERT ON item_rubrics", "", "new.item_id"),
        ("rubrics_delete", "AFTER DELETE ON item_rubrics", "", "old.item_id"),
        ("related_insert", "AFTER INSERT ON related", "", "new.item_id"),
        ("related_update", "AFTER UPDATE ON related", _changed(_RELATED_COLUMNS), "new.item_id"),
        ("related_delete", "AFTER DELETE ON related", "", "old.item_id"),
    ]
    insert = (
        "CREATE TRIGGER item_changes_items_insert AFTER INSERT ON items BEGIN\n"
        f"INSERT INTO item_changes (item_id, seq) VALUES (new.id, {_NEXT_SEQ});\nEND"
    )
    return [insert] + [
        f"CREATE TRIGGER item_changes_{name} {event}"
        + (f" WHEN {when}" if when else "")
        + f" BEGIN\n{_renumber(item_id)}\nEND"
        for name, event, when, item_id in events
    ]


def _v4_changes_and_exports(db: Database) -> None:
    """``item_changes`` and ``exports``, for exports of what changed since the previous one.

    ``item_changes`` gives each item the number of its latest change (a counter over the whole
    archive: a new item, a changed title, text or metadata, a new URL, rubric or related link;
    not ``last_seen``). ``exports`` remembers each named export and the number it reached, so
    the next one takes only the items numbered above it. Existing items are numbered by id.
    """
    db.create_table(
        "item_changes",
        {"item_id": int, "seq": int},
        pk="item_id",
        not_null={"seq"},
        foreign_keys=[_references("item_changes", "item_id", "items", on_delete="CASCADE")],
    )
    _index(db, "item_changes", ["seq"], unique=True)
    # Raw: INSERT … SELECT inside SQLite; sqlite-utils inserts Python values.
    db.execute("INSERT INTO item_changes (item_id, seq) SELECT id, id FROM items")
    for trigger in _change_triggers():
        # sqlite-utils has no API for triggers.
        db.execute(trigger)
    db.create_table(
        "exports",
        {
            "id": int,
            "name": str,
            "exported_at": str,
            "mark": int,
            "items": int,
            "format": str,
            "output": str,
            "filters": str,
        },
        pk="id",
        not_null={"name", "exported_at", "mark", "items", "filters"},
        defaults={"filters": "{}"},
    )
    _index(db, "exports", ["name"])


# Which reader gave a field (see pipelines/extraction/page_dates.py and labels.py).
PROVENANCE_COLUMNS = ("published_source", "updated_source", "category_source")


_ITEMS_UPDATE_TRIGGER_V5 = (
    "CREATE TRIGGER item_changes_items_update AFTER UPDATE ON items"
    f" WHEN {_changed((*_RECORD_COLUMNS, *PROVENANCE_COLUMNS))}"
    f" BEGIN\n{_renumber('new.id')}\nEND"
)


def _v5_provenance(db: Database) -> None:
    """Which reader gave each date and the category: new columns, NULL for the items saved
    before them (until their pages are extracted again). The change trigger is rebuilt so that
    a change of provenance counts as a change of the export record."""
    for column in PROVENANCE_COLUMNS:
        db["items"].add_column(column, str)
    db.execute("DROP TRIGGER IF EXISTS item_changes_items_update")
    # sqlite-utils has no API for triggers.
    db.execute(_ITEMS_UPDATE_TRIGGER_V5)


def _fts_triggers(table: str, columns: Sequence[str]) -> list[str]:
    """Triggers keeping ``<table>_fts`` in step with ``table``, firing only when one of the
    indexed ``columns`` is written (see ``_FTS_TRIGGERS``)."""
    fts = f'"{table}_fts"'
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    delete = f"INSERT INTO {fts} ({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    insert = f"INSERT INTO {fts} (rowid, {names}) VALUES (new.id, {new});"
    return [
        f"CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN\n{insert}\nEND",
        f"CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN\n{delete}\nEND",
        f"CREATE TRIGGER {table}_fts_update AFTER UPDATE OF {names} ON {table} BEGIN\n"
        f"{delete}\n{insert}\nEND",
    ]


def _v6_attachments(db: Database) -> None:
    """The documents articles link (PDF, ODT, DOCX…), stored once per content.

    ``attachment_files`` holds what was read from each distinct content (by SHA-256),
    ``attachment_contents`` its bytes, in a table of their own so that listing or browsing the
    files never reads the blobs. ``attachments`` is the last fetch of each document URL and the
    content it holds now; ``attachment_versions`` the contents it held before.
    ``item_attachments`` links items to the URLs they link, fetched or not.
    """
    db.create_table(
        "attachment_files",
        {
            "id": int,
            "sha256": str,
            "media_type": str,
            "size": int,
            "pages": int,
            "title": str,
            "text": str,
            "hints": str,
            "warnings": str,
            "stored_at": str,
        },
        pk="id",
        not_null={"sha256", "media_type", "size", "text", "hints", "warnings", "stored_at"},
        defaults={"text": "", "hints": "{}", "warnings": "[]"},
    )
    _index(db, "attachment_files", ["sha256"], unique=True)
    file_key = ("attachment_files", "sha256")
    db.create_table(
        "attachment_contents",
        {"sha256": str, "content": bytes},
        pk="sha256",
        not_null={"content"},
        foreign_keys=[ForeignKey("attachment_contents", "sha256", *file_key, on_delete="CASCADE")],
    )
    db.create_table(
        "attachments",
        {
            "url": str,
            "final_url": str,
            "sha256": str,
            "status": int,
            "content_type": str,
            "etag": str,
            "last_modified": str,
            "fetched_at": str,
            "changed_at": str,
            "confirmed_at": str,
            "error": str,
            "crawl_id": int,
        },
        pk="url",
        not_null={"fetched_at"},
        foreign_keys=[
            ForeignKey("attachments", "sha256", *file_key),
            _references("attachments", "crawl_id", "crawls", on_delete="SET NULL"),
        ],
    )
    _index(db, "attachments", ["sha256"])
    db.create_table(
        "attachment_versions",
        {"id": int, "url": str, "sha256": str, "changed_at": str, "seen_at": str},
        pk="id",
        not_null={"url", "sha256", "seen_at"},
        foreign_keys=[
            ForeignKey("attachment_versions", "url", "attachments", "url", on_delete="CASCADE"),
            ForeignKey("attachment_versions", "sha256", *file_key),
        ],
    )
    _index(db, "attachment_versions", ["url"])
    db.create_table(
        "item_attachments",
        {"item_id": int, "url": str, "label": str, "first_seen": str, "last_seen": str},
        pk=("item_id", "url"),
        not_null={"item_id", "url", "first_seen", "last_seen"},
        foreign_keys=[_references("item_attachments", "item_id", "items", on_delete="CASCADE")],
    )
    _index(db, "item_attachments", ["url"])
    db.table("attachment_files").enable_fts(
        ["title", "text"], fts_version="FTS5", tokenize="unicode61 remove_diacritics 2"
    )
    # sqlite-utils has no API for triggers; column-limited ones as for items (_FTS_TRIGGERS).
    for trigger in _fts_triggers("attachment_files", ("title", "text")):
        db.execute(trigger)
    for trigger in _attachment_change_triggers():
        db.execute(trigger)


def _attachment_change_triggers() -> list[str]:
    """A new, dropped or relabelled link changes the item's export record (a new content at a
    linked URL does too: :mod:`regarchive.archive.attachments` renumbers those items)."""
    events = [
        ("attachments_insert", "AFTER INSERT ON item_attachments", "new.item_id"),
        ("attachments_delete", "AFTER DELETE ON item_attachments", "old.item_id"),
        (
            "attachments_update",
            "AFTER UPDATE OF label ON item_attachments WHEN old.label IS NOT new.label",
            "new.item_id",
        ),
    ]
    return [
        f"CREATE TRIGGER item_changes_{name} {event} BEGIN\n{_renumber(item_id)}\nEND"
        for name, event, item_id in events
    ]


# How an item's state (in ``items``, or an earlier one in ``versions``) came about.
PROVENANCE_CRAWL = "crawl"
PROVENANCE_IMPORT = "import-warc"
PROVENANCE_REEXTRACTION = "re-extraction"


def _v7_warc_and_provenance(db: Database) -> None:
    """Where each page's raw HTTP exchange is in a WARC file, and what made each item's state.

    ``pages.warc_file`` / ``pages.warc_offset``: the WARC file (absolute path) and the offset of
    the ``response`` record holding the page's body. ``items.extractor_version``: the version
    of the extractor that made the item's fields (NULL: made before versions were recorded);
    ``items.provenance``: ``crawl``, ``import-warc`` or ``re-extraction``. ``versions`` keep
    both for the state they hold, and its category and source, which a re-extraction may
    change without touching the title or the text. Every item so far came from a crawl.
    """
    pages = db.table("pages")
    pages.add_column("warc_file", str)
    pages.add_column("warc_offset", int)
    items = db.table("items")
    items.add_column("extractor_version", int)
    items.add_column("provenance", str)
    # Raw: one UPDATE over every row; Table.update() works one primary key at a time.
    db.execute("UPDATE items SET provenance = ?", [PROVENANCE_CRAWL])
    versions = db.table("versions")
    for column, kind in (
        ("category", str),
        ("source", str),
        ("extractor_version", int),
        ("provenance", str),
    ):
        versions.add_column(column, kind)
    db.execute("UPDATE versions SET provenance = ?", [PROVENANCE_CRAWL])


def _v8_page_hints(db: Database) -> None:
    """``page_hints``: the sitemap and feed dates of a page as they were at its last fetch,
    so that a later crawl can tell which known articles changed (see archive/page_hints.py)."""
    db.create_table(
        "page_hints",
        {"url": str, "source": str, "hint": str, "crawl_id": int},
        pk=("url", "source"),
        not_null={"hint"},
        foreign_keys=[_references("page_hints", "crawl_id", "crawls", on_delete="SET NULL")],
    )


def _spelled_or_same(url: str) -> str:
    try:
        return spell(url)
    except ValueError:  # a URL nothing can parse stays as it was
        return url


def _v9_url_spelling(db: Database) -> None:
    """One spelling per URL (:mod:`regarchive.archive.url_spelling`): every URL an item was
    seen at gains its new spelling as another of the item's URLs (``/Régions`` is found again
    as ``/R%C3%A9gions``); the last fetch of a page moves to its new spelling, so the next crawl
    still asks it conditionally. Nothing is dropped: the old spellings stay. (Computed here
    rather than in an SQL function: registering one can fail while another statement of the
    connection is open.)"""
    aliases = [
        (spelled, item_id)
        for url, item_id in db.execute("SELECT url, item_id FROM item_urls").fetchall()
        if (spelled := _spelled_or_same(url)) != url
    ]
    db.conn.executemany("INSERT OR IGNORE INTO item_urls (url, item_id) VALUES (?, ?)", aliases)
    moves = [
        (spelled, url)
        for (url,) in db.execute("SELECT url FROM pages").fetchall()
        if (spelled := _spelled_or_same(url)) != url
    ]
    db.conn.executemany("UPDATE OR IGNORE pages SET url = ? WHERE url = ?", moves)
    db.conn.executemany("UPDATE OR IGNORE page_hints SET url = ? WHERE url = ?", moves)


def _v10_ingested(db: Database) -> None:
    """What ``regarchive ingest`` has committed of a frontier's stream, in the transaction of
    the writes themselves: an entry read again after a crash (Redis still holds it until it is
    acknowledged) is recognised and skipped, so nothing is written twice."""
    db.create_table(
        "ingested_streams",
        {"stream": str, "last_id": str, "updated": str},
        pk="stream",
        not_null={"last_id"},
    )
    db.create_table(
        "ingested_crawlers",
        {"crawler": str, "crawl_id": int, "tally": str},
        pk="crawler",
        not_null={"crawl_id"},
        defaults={"tally": "{}"},
        foreign_keys=[_references("ingested_crawlers", "crawl_id", "crawls", on_delete="CASCADE")],
    )


MIGRATIONS: Sequence[Migration] = (
    _v1_core,
    _v2_full_text,
    _v3_listings,
    _v4_changes_and_exports,
    _v5_provenance,
    _v6_attachments,
    _v7_warc_and_provenance,
    _v8_page_hints,
    _v9_url_spelling,
    _v10_ingested,
)

SCHEMA_VERSION = len(MIGRATIONS)

# Tables whose presence identifies an archive created before application_id was checked, or
# by hand with our DDL.
ARCHIVE_TABLES = frozenset({"items", "crawls"})


# user_version and application_id live in the database header: sqlite-utils has no API for them.


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the file (0 for a new or foreign database)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def application_id(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA application_id").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Apply the pending migrations in order and return the resulting version.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so transactions are ours.
    """
    if conn.isolation_level is not None:
        raise ValueError("migrate() needs a connection opened with isolation_level=None")
    db = database(conn)
    for target, step in enumerate(migrations, start=1):
        if user_version(conn) >= target:
            continue
        # Raw BEGIN IMMEDIATE: db.atomic() opens a deferred BEGIN, and two processes could then
        # both read the old version before either takes the write lock.
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while we waited for the write lock.
            if user_version(conn) < target:
                step(db)
                conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return user_version(conn)
