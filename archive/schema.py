"""The archive's SQLite schema, as an ordered list of migrations.

The schema version lives in ``PRAGMA user_version`` and ``PRAGMA application_id`` marks the file
as a regarchive archive (so ``file archive.db`` and our own open check can tell it from other
SQLite databases). Migration *n* (1-based) takes a database from version *n - 1* to *n*, in its
own ``BEGIN IMMEDIATE`` transaction together with the version bump: a failed migration leaves the
file at the previous version, and two processes opening a fresh file at once cannot both apply it.

The DDL is plain SQL rather than sqlite-utils ``create()`` calls because it needs what that API
cannot express: an expression unique index (sightings), ``ON DELETE`` actions and FTS5 triggers
limited to the indexed columns. The result is an ordinary SQLite file, so ``sqlite-utils`` and
``datasette`` work on it directly.

Conventions: timestamps are ISO 8601 UTC strings with a ``Z`` (``2026-11-28T10:00:00Z``), the
site's own dates stay dates (``YYYY-MM-DD``), JSON columns hold UTF-8 JSON text.

Tables (version 2):

``items``: one row per article (news item or circular).
    ``id`` INTEGER PK; ``url`` TEXT UNIQUE, the canonical URL; ``site`` host[:port];
    ``title``; ``category`` (``Actu``, ``Circ.`` or NULL); ``source`` (byline author/body);
    ``published``, ``updated`` (``YYYY-MM-DD``, from the page); ``text`` clean article text;
    ``lang``; ``content_hash`` sha256 of the normalised text (indexed, used for dedup);
    ``warnings`` JSON array of extraction warnings; ``first_seen``, ``last_seen`` timestamps.
``item_urls``: every URL an item was seen at. ``url`` PK -> ``item_id``.
``item_rubrics``: (``item_id``, ``rubric``) PK; an item listed in several rubrics has several rows.
``related``: the "Dans la même rubrique" block of an item: (``item_id``, ``url``) PK, ``label``,
    ``category``, ``rubric``, ``title``.
``sightings``: links to articles seen on listing pages or related blocks, possibly before the
    article itself is fetched: ``url``, ``rubric``, ``label``, ``category`` (hint from the
    label), ``found_on``, ``crawl_id``, ``first_seen``, ``last_seen``; unique on
    (url, rubric, label) with NULL treated as ''.
``versions``: earlier states of items whose title or text changed: ``item_id``, ``seen_at`` (the
    last time that state was seen), ``title``, ``text``, ``content_hash``, ``updated``,
    ``published``.
``pages``: the last fetch of each URL: ``url`` PK, ``final_url``, ``status``, ``content_type``,
    ``etag``, ``last_modified``, ``fetched_at``, ``body_hash`` (sha256 of the raw body), ``html``
    (raw body bytes, zlib-compressed), ``item_id``, ``crawl_id``.
``crawls``: one row per run: ``started``, ``finished``, ``finish_reason``, ``start_urls`` and
    ``args`` (JSON), counts ``requests``, ``pages_ok``, ``pages_not_modified``, ``errors``,
    ``items_new``, ``items_updated``, ``items_unchanged``, and ``stats`` (JSON, everything else).
``crawl_errors``: ``crawl_id``, ``url``, ``status`` (NULL for network errors), ``error``, ``at``.
``items_fts``: FTS5 index over ``items.title`` and ``items.text`` (``unicode61
    remove_diacritics 2``), external content kept in sync by triggers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]

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


def _sql(*statements: str) -> Migration:
    """A migration made of SQL statements, run one by one inside the migration's transaction.

    ``executescript`` is avoided on purpose: it commits any open transaction first.
    """

    def run(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return run


_CRAWL_COUNTS_DDL = ",\n".join(
    f"    {name} INTEGER NOT NULL DEFAULT 0" for name in CRAWL_COUNT_COLUMNS
)

_CRAWLS_DDL = f"""CREATE TABLE crawls (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    finish_reason TEXT,
    start_urls TEXT NOT NULL DEFAULT '[]',
    args TEXT NOT NULL DEFAULT '{{}}',
{_CRAWL_COUNTS_DDL},
    stats TEXT NOT NULL DEFAULT '{{}}'
)"""

_V1_CORE = _sql(
    f"PRAGMA application_id = {APPLICATION_ID}",
    _CRAWLS_DDL,
    """CREATE TABLE items (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    site TEXT NOT NULL,
    title TEXT,
    category TEXT,
    source TEXT,
    published TEXT,
    updated TEXT,
    text TEXT NOT NULL DEFAULT '',
    lang TEXT,
    content_hash TEXT NOT NULL,
    warnings TEXT NOT NULL DEFAULT '[]',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
)""",
    "CREATE INDEX items_content_hash ON items (content_hash)",
    "CREATE INDEX items_published ON items (published)",
    """CREATE TABLE item_urls (
    url TEXT PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE
)""",
    "CREATE INDEX item_urls_item_id ON item_urls (item_id)",
    """CREATE TABLE item_rubrics (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    rubric TEXT NOT NULL,
    PRIMARY KEY (item_id, rubric)
)""",
    """CREATE TABLE related (
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    label TEXT,
    category TEXT,
    rubric TEXT,
    title TEXT,
    PRIMARY KEY (item_id, url)
)""",
    """CREATE TABLE sightings (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    rubric TEXT,
    label TEXT,
    category TEXT,
    found_on TEXT,
    crawl_id INTEGER REFERENCES crawls (id),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
)""",
    # NULL rubric/label would make every row distinct in a plain UNIQUE index.
    """CREATE UNIQUE INDEX sightings_key
    ON sightings (url, COALESCE(rubric, ''), COALESCE(label, ''))""",
    """CREATE TABLE versions (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id) ON DELETE CASCADE,
    seen_at TEXT NOT NULL,
    title TEXT,
    text TEXT,
    content_hash TEXT,
    updated TEXT,
    published TEXT
)""",
    "CREATE INDEX versions_item_id ON versions (item_id)",
    """CREATE TABLE pages (
    url TEXT PRIMARY KEY,
    final_url TEXT,
    status INTEGER,
    content_type TEXT,
    etag TEXT,
    last_modified TEXT,
    fetched_at TEXT,
    body_hash TEXT,
    html BLOB,
    item_id INTEGER REFERENCES items (id) ON DELETE SET NULL,
    crawl_id INTEGER REFERENCES crawls (id)
)""",
    "CREATE INDEX pages_item_id ON pages (item_id)",
    """CREATE TABLE crawl_errors (
    id INTEGER PRIMARY KEY,
    crawl_id INTEGER REFERENCES crawls (id),
    url TEXT NOT NULL,
    status INTEGER,
    error TEXT NOT NULL,
    at TEXT NOT NULL
)""",
    "CREATE INDEX crawl_errors_crawl_id ON crawl_errors (crawl_id)",
)

# Triggers fire only when title or text are in the SET clause, so bumping last_seen on an
# unchanged item costs no re-indexing.
_V2_FULL_TEXT = _sql(
    """CREATE VIRTUAL TABLE items_fts USING fts5 (
    title, text, content='items', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
)""",
    """CREATE TRIGGER items_fts_insert AFTER INSERT ON items BEGIN
    INSERT INTO items_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END""",
    """CREATE TRIGGER items_fts_delete AFTER DELETE ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
END""",
    """CREATE TRIGGER items_fts_update AFTER UPDATE OF title, text ON items BEGIN
    INSERT INTO items_fts (items_fts, rowid, title, text)
    VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO items_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END""",
    "INSERT INTO items_fts (items_fts) VALUES ('rebuild')",
)

MIGRATIONS: Sequence[Migration] = (_V1_CORE, _V2_FULL_TEXT)

SCHEMA_VERSION = len(MIGRATIONS)

# Tables whose presence identifies an archive created before application_id was checked, or
# by hand with our DDL.
ARCHIVE_TABLES = frozenset({"items", "crawls"})


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
    for target, step in enumerate(migrations, start=1):
        if user_version(conn) >= target:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have applied it while we waited for the write lock.
            if user_version(conn) < target:
                step(conn)
                conn.execute(f"PRAGMA user_version = {target}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return user_version(conn)
