"""The SQLite archive, on real files: opening, migrations, dedup, sightings, pages, crawls."""

from __future__ import annotations

import hashlib
import importlib
import multiprocessing
import os
import pkgutil
import sqlite3
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from regarchive.archive import schema, store
from regarchive.archive.errors import (
    ArchiveBusyError,
    ArchiveError,
    ArchiveMissingError,
    NotAnArchiveError,
    SchemaTooNewError,
)
from regarchive.archive.records import EXPORT_FIELDS
from regarchive.archive.store import Archive, SaveResult
from tests.support import Clock, extracted_record, make_page

SITE = "www.regions.example"
BASE = f"https://{SITE}"
LONG_TEXT = "La Commission européenne adopte un nouveau programme régional. " * 5


def stamp(hours: int) -> str:
    return (datetime(2026, 11, 28, 10) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_record(path: str = "/Un-article", **overrides: Any) -> dict[str, Any]:
    url = overrides.pop("url", BASE + path)
    defaults = {
        "site": SITE,
        "title": "Un article",
        "category": "Actu",
        "source": "Commission Européenne",
        "published": "2017-12-12",
    }
    return extracted_record(url, overrides.pop("text", LONG_TEXT), **(defaults | overrides))


@pytest.fixture
def archive(db_path: Path):
    with Archive(db_path, clock=Clock()) as opened:
        yield opened


def query(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_the_archive_raises_one_hierarchy_of_errors() -> None:
    """Every exception class of the archive layer is declared in archive/errors.py and is an
    ArchiveError: one ``except ArchiveError`` catches whatever the archive refuses."""
    package = importlib.import_module("regarchive.archive")
    declared = {
        (module.name, name)
        for module in pkgutil.iter_modules(package.__path__, "regarchive.archive.")
        for name, value in vars(importlib.import_module(module.name)).items()
        if isinstance(value, type)
        and issubclass(value, BaseException)
        and value.__module__ == module.name
    }
    assert declared and {module for module, _ in declared} == {"regarchive.archive.errors"}
    errors = importlib.import_module("regarchive.archive.errors")
    assert all(issubclass(getattr(errors, name), ArchiveError) for _, name in declared)


# -- opening and migrations ---------------------------------------------------------------------


def test_new_archive_is_migrated_in_wal_mode(db_path: Path) -> None:
    Archive(db_path).close()
    assert query(db_path, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)]
    assert query(db_path, "PRAGMA application_id") == [(schema.APPLICATION_ID,)]
    assert query(db_path, "PRAGMA journal_mode") == [("wal",)]
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    tables = {name for (name,) in query(db_path, "SELECT name FROM sqlite_master")}
    expected = {
        "items",
        "item_urls",
        "item_rubrics",
        "related",
        "sightings",
        "versions",
        "pages",
        "crawls",
        "crawl_errors",
        "items_fts",
    }
    assert expected <= tables


def test_reopening_keeps_data(db_path: Path) -> None:
    with Archive(db_path) as archive:
        archive.save_item(make_record(), None, None)
    with Archive(db_path, create=False) as archive:
        assert archive.item_count() == 1
        assert archive.schema_version == schema.SCHEMA_VERSION


def test_empty_file_is_initialised(db_path: Path) -> None:
    db_path.touch()
    with Archive(db_path) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION


def test_migration_from_version_1_indexes_existing_items(db_path: Path) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert schema.migrate(conn, schema.MIGRATIONS[:1]) == 1
    conn.execute(
        "INSERT INTO items (url, site, title, text, content_hash, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (BASE + "/a", SITE, "Énergie", "texte", "h", stamp(0), stamp(0)),
    )
    conn.close()
    with Archive(db_path) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        assert [hit["url"] for hit in archive.search("energie")] == [BASE + "/a"]


def test_a_version_4_archive_gains_provenance_columns_empty_and_loses_nothing(
    db_path: Path,
) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert schema.migrate(conn, schema.MIGRATIONS[:4]) == 4
    conn.execute(
        "INSERT INTO items (url, site, title, category, published, updated, text, content_hash,"
        " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (BASE + "/a", SITE, "Énergie", "Actu", "2024-01-02", "2024-02-03", "texte", "h",
         stamp(0), stamp(0)),
    )  # fmt: skip
    conn.close()
    with Archive(db_path) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        (record,) = list(archive.iter_records())
        mark = archive.change_mark()
        assert (record["title"], record["category"], record["published"], record["updated"]) == (
            "Énergie", "Actu", "2024-01-02", "2024-02-03",
        )  # fmt: skip
        assert (
            record["published_source"], record["updated_source"], record["category_source"]
        ) == (None, None, None)  # fmt: skip
        # Re-extracted, the item gets its provenance, and that is a change of its record.
        archive.save_item(
            extracted_record(
                BASE + "/a", "texte", title="Énergie", category="Actu", category_source="label",
                published="2024-01-02", published_source="byline",
            ),
            None,
            None,
        )  # fmt: skip
        (record,) = list(archive.iter_records())
        assert (record["published_source"], record["category_source"]) == ("byline", "label")
        assert record["updated"] == "2024-02-03" and record["updated_source"] is None
        assert archive.change_mark() > mark


def test_a_version_6_archive_finds_its_items_under_their_new_url_spelling(
    db_path: Path,
) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert schema.migrate(conn, schema.MIGRATIONS[:6]) == 6
    for url in (BASE + "/Régions", BASE + "/r%c3%a9f%7e"):
        conn.execute(
            "INSERT INTO items (url, site, title, text, content_hash, first_seen, last_seen) "
            "VALUES (?, ?, 'T', 'texte', 'h', ?, ?)",
            (url, SITE, stamp(0), stamp(0)),
        )
        conn.execute("INSERT INTO item_urls (url, item_id) VALUES (?, last_insert_rowid())", (url,))
    conn.execute(
        "INSERT INTO pages (url, status, fetched_at) VALUES (?, 200, ?)",
        (BASE + "/Régions", stamp(0)),
    )
    conn.close()
    with Archive(db_path) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        assert archive.known_item_urls(
            [BASE + "/R%C3%A9gions", BASE + "/r%C3%A9f~", BASE + "/Régions"]
        ) == {BASE + "/R%C3%A9gions", BASE + "/r%C3%A9f~", BASE + "/Régions"}
        # Saved again under the new spelling, the item is the same item.
        archive.save_item(extracted_record(BASE + "/R%C3%A9gions", "texte"), None, None)
        assert len(list(archive.iter_records())) == 2
    assert query(db_path, "SELECT url FROM pages") == [(BASE + "/R%C3%A9gions",)]


def test_provenance_moves_only_with_its_field(archive: Archive) -> None:
    url = BASE + "/p"
    archive.save_item(
        extracted_record(url, "un", published="2024-01-02", published_source="json-ld"), None, None
    )
    archive.save_item(extracted_record(url, "deux", published_source="url"), None, None)
    (record,) = list(archive.iter_records())
    assert (record["published"], record["published_source"]) == ("2024-01-02", "json-ld")


def test_migrate_is_idempotent(db_path: Path) -> None:
    Archive(db_path).close()
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert schema.migrate(conn) == schema.SCHEMA_VERSION
    conn.close()


def _open_when_all_are_ready(db_path: Path, ready: Any) -> None:
    ready.wait()
    Archive(db_path).close()


@pytest.mark.e2e
def test_processes_opening_a_new_archive_at_once_migrate_it_once(db_path: Path) -> None:
    """Each step is applied under the write lock, after reading the version again: the
    processes that wait for the first one find the archive migrated, instead of failing to
    create its tables a second time."""
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(6)
    openers = [
        context.Process(target=_open_when_all_are_ready, args=(db_path, ready)) for _ in range(6)
    ]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(60)
    assert [opener.exitcode for opener in openers] == [0] * 6
    assert query(db_path, "PRAGMA user_version") == [(schema.SCHEMA_VERSION,)]
    assert query(db_path, "SELECT count(*) FROM sqlite_master WHERE name = 'items'") == [(1,)]


def test_non_sqlite_file_is_refused_and_untouched(db_path: Path) -> None:
    content = b"id,title\n1,Mon tableur\n" * 10
    db_path.write_bytes(content)
    with pytest.raises(NotAnArchiveError, match="not an SQLite file"):
        Archive(db_path)
    assert db_path.read_bytes() == content
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
        # Same table names as ours, but never marked as a regarchive archive.
        "CREATE TABLE items (id INTEGER PRIMARY KEY); CREATE TABLE crawls (id INTEGER)",
    ],
)
def test_foreign_sqlite_database_is_refused_and_untouched(db_path: Path, ddl: str) -> None:
    conn = sqlite3.connect(db_path)
    conn.executescript(ddl)
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(NotAnArchiveError, match="another application"):
        Archive(db_path)
    assert db_path.read_bytes() == before
    assert query(db_path, "PRAGMA journal_mode") == [("delete",)]


def test_newer_schema_is_refused(db_path: Path) -> None:
    Archive(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError, match="upgrade regarchive"):
        Archive(db_path)


def test_missing_archive_without_create(db_path: Path) -> None:
    with pytest.raises(ArchiveMissingError, match="no archive at"):
        Archive(db_path, create=False)
    assert not db_path.exists()


def test_missing_parent_directories_are_created(tmp_path: Path) -> None:
    path = tmp_path / "data" / "regarchive" / "archive.db"
    Archive(path).close()
    assert path.is_file()


def test_parent_that_is_a_file_gives_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ArchiveError) as caught:
        Archive(tmp_path / "file" / "archive.db")
    assert "\n" not in str(caught.value)
    assert "cannot create archive" in str(caught.value)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores modes")
def test_unwritable_directory_gives_one_line_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ArchiveError, match="not writable") as caught:
            Archive(locked / "archive.db")
        assert "\n" not in str(caught.value)
    finally:
        locked.chmod(0o700)


def test_directory_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="is a directory"):
        Archive(tmp_path)


def test_busy_archive_raises_busy_error(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 50)
    archive = Archive(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(ArchiveBusyError, match="locked by another process"):
            archive.save_item(make_record(), None, None)
    finally:
        other.execute("ROLLBACK")
        other.close()
        archive.close()


# -- saving items -------------------------------------------------------------------------------


def test_insert_then_unchanged_then_updated(db_path: Path, archive: Archive) -> None:
    first = archive.save_item(make_record(), None, None)  # clock 0
    assert first == SaveResult("inserted", first.item_id)

    again = archive.save_item(make_record(), None, None)  # clock 1
    assert again == SaveResult("unchanged", first.item_id)

    changed_text = LONG_TEXT + "Mise à jour : le programme est prolongé."
    changed = make_record(text=changed_text, updated="2018-01-05")
    updated = archive.save_item(changed, None, None)  # clock 2
    assert updated == SaveResult("updated", first.item_id)

    record = archive.record(first.item_id)
    assert record is not None
    assert record["text"] == changed_text
    assert record["updated"] == "2018-01-05"
    assert (record["first_seen"], record["last_seen"]) == (stamp(0), stamp(2))

    versions = archive.versions(first.item_id)
    assert len(versions) == 1
    assert versions[0]["text"] == LONG_TEXT
    assert versions[0]["seen_at"] == stamp(1)
    assert versions[0]["updated"] is None
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert query(db_path, "PRAGMA foreign_key_check") == []


def test_title_change_is_an_update(archive: Archive) -> None:
    item = archive.save_item(make_record(), None, None)
    result = archive.save_item(make_record(title="Un article (corrigé)"), None, None)
    assert result.status == "updated"
    assert archive.versions(item.item_id)[0]["title"] == "Un article"


def test_unchanged_merges_urls_rubrics_related_without_rewriting(archive: Archive) -> None:
    item = archive.save_item(make_record(category=None, source=None), None, None)
    variant = BASE + "/spip.php?article12"
    again = make_record(
        urls=[BASE + "/Un-article", variant],
        rubrics=["Europe"],
        related=[{"url": BASE + "/Autre", "label": "Autre", "category": "Actu"}],
        category="Circ.",
        source="Préfecture",
        warnings=["new warning"],
    )
    assert archive.save_item(again, None, None).status == "unchanged"
    record = archive.record(item.item_id)
    assert record is not None
    assert record["urls"] == sorted([BASE + "/Un-article", variant])
    assert record["rubrics"] == ["Europe"]
    assert [r["url"] for r in record["related"]] == [BASE + "/Autre"]
    # Missing metadata is filled, existing state is not rewritten.
    assert record["category"] == "Circ."
    assert record["source"] == "Préfecture"
    assert record["warnings"] == []
    assert archive.versions(item.item_id) == []


def test_dedup_by_url_variant(archive: Archive) -> None:
    spip = BASE + "/spip.php?article12"
    first = archive.save_item(make_record(urls=[BASE + "/Un-article", spip]), make_page(spip), None)
    # Fetched later under the spip URL only, with another canonical and another text.
    second = make_record(url=spip, urls=[spip], text="Texte court modifié")
    result = archive.save_item(second, make_page(spip), None)
    assert result == SaveResult("updated", first.item_id)
    assert archive.item_count() == 1
    record = archive.record(spip)
    assert record is not None and record["url"] == BASE + "/Un-article"


def test_page_urls_are_linked(archive: Archive) -> None:
    final = BASE + "/Un-article"
    requested = BASE + "/spip.php?article12&var_mode=calcul"
    result = archive.save_item(make_record(), make_page(requested, final_url=final), None)
    assert archive.item_id(requested) == result.item_id
    assert archive.item_id(final) == result.item_id


def test_url_mapped_to_another_item_stays_with_it(archive: Archive) -> None:
    a = archive.save_item(make_record("/a", text="texte A"), None, None)
    b = archive.save_item(make_record("/b", text="texte B", urls=[BASE + "/b"]), None, None)
    # Record b claims /a too: /a is already a's, b is found by its own canonical URL first.
    archive.save_item(
        make_record("/b", text="texte B", urls=[BASE + "/b", BASE + "/a"]), None, None
    )
    assert archive.item_id(BASE + "/a") == a.item_id
    assert archive.item_id(BASE + "/b") == b.item_id


def test_dedup_by_content_hash_for_long_texts(archive: Archive) -> None:
    first = archive.save_item(make_record("/Un-article"), None, None)
    copy = archive.save_item(make_record("/Un-article-copie"), None, None)
    assert copy == SaveResult("unchanged", first.item_id)
    record = archive.record(first.item_id)
    assert record is not None
    assert record["urls"] == [BASE + "/Un-article", BASE + "/Un-article-copie"]


def test_no_dedup_by_content_hash_for_short_texts(archive: Archive) -> None:
    first = archive.save_item(make_record("/a", text=""), None, None)
    second = archive.save_item(make_record("/b", text=""), None, None)
    third = archive.save_item(make_record("/c", text="Lire la suite"), None, None)
    fourth = archive.save_item(make_record("/d", text="Lire la suite"), None, None)
    assert len({first.item_id, second.item_id, third.item_id, fourth.item_id}) == 4
    assert archive.item_count() == 4


def test_no_dedup_by_content_hash_across_sites(archive: Archive) -> None:
    first = archive.save_item(make_record(), None, None)
    other = make_record(url="https://autre.example/Un-article", site="autre.example")
    second = archive.save_item(other, None, None)
    assert second.status == "inserted"
    assert second.item_id != first.item_id


def test_save_is_atomic(archive: Archive) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        archive.save_item(make_record(), make_page(BASE + "/Un-article"), crawl_id=999)
    assert archive.item_count() == 0
    assert archive.page_html(BASE + "/Un-article") is None


# -- sightings ----------------------------------------------------------------------------------


def sighting(url: str, rubric: str | None, category: str | None = None, **extra: Any) -> dict:
    return {
        "url": url,
        "rubric": rubric,
        "label": extra.get("label", "Un article"),
        "category": category,
        "found_on": BASE + "/-Europe-",
    }


def test_sightings_before_the_item_give_rubrics_and_category(archive: Archive) -> None:
    url = BASE + "/Un-article"
    assert (
        archive.add_sightings([sighting(url, "Europe", "Circ."), sighting(url, "Régions")], None)
        == 2
    )
    result = archive.save_item(make_record(category=None, rubrics=["Actualités"]), None, None)
    record = archive.record(result.item_id)
    assert record is not None
    assert (record["category"], record["category_source"]) == ("Circ.", "listing")
    assert record["rubrics"] == ["Actualités", "Europe", "Régions"]


def test_sightings_of_a_url_variant_before_the_item(archive: Archive) -> None:
    spip = BASE + "/spip.php?article12"
    archive.add_sightings([sighting(spip, "Europe", "Actu")], None)
    result = archive.save_item(
        make_record(category=None, urls=[BASE + "/Un-article", spip]), None, None
    )
    record = archive.record(result.item_id)
    assert record is not None
    assert (record["category"], record["rubrics"]) == ("Actu", ["Europe"])


def test_sightings_after_the_item(archive: Archive) -> None:
    categorised = archive.save_item(make_record("/a", text="A", category="Actu"), None, None)
    bare = archive.save_item(make_record("/b", text="B", category=None), None, None)
    archive.add_sightings(
        [sighting(BASE + "/a", "europe", "Circ."), sighting(BASE + "/b", "Europe", "Circ.")],
        None,
    )
    a = archive.record(categorised.item_id)
    b = archive.record(bare.item_id)
    assert a is not None and b is not None
    assert (a["category"], a["rubrics"]) == ("Actu", ["europe"])
    assert (b["category"], b["category_source"], b["rubrics"]) == ("Circ.", "listing", ["Europe"])


def test_two_rubrics_for_one_item(archive: Archive) -> None:
    result = archive.save_item(make_record(rubrics=["Régions"]), None, None)
    archive.add_sightings([sighting(BASE + "/Un-article", "Agriculture")], None)
    record = archive.record(result.item_id)
    assert record is not None
    assert record["rubrics"] == ["Agriculture", "Régions"]


def test_sightings_are_upserted(db_path: Path, archive: Archive) -> None:
    crawl = archive.start_crawl([BASE], {})
    url = BASE + "/x"
    archive.add_sightings([sighting(url, None), sighting(url, "Europe")], crawl)
    archive.add_sightings([sighting(url, None), sighting(url, "", label="  ")], crawl)
    rows = query(
        db_path,
        "SELECT rubric, label, first_seen, last_seen FROM sightings ORDER BY id",
    )
    assert rows == [
        (None, "Un article", stamp(1), stamp(2)),
        ("Europe", "Un article", stamp(1), stamp(1)),
        (None, None, stamp(2), stamp(2)),
    ]


def test_writes_grouped_in_one_transaction_commit_or_roll_back_together(
    db_path: Path, archive: Archive
) -> None:
    with pytest.raises(sqlite3.IntegrityError), archive.transaction():
        archive.save_item(make_record("/Un"), None, None)
        archive.add_sightings([sighting(BASE + "/Deux", "Europe")], None)
        page = make_page(BASE + "/Trois")
        archive.save_item(make_record("/Trois", text="Autre. " * 40), page, crawl_id=999)
    assert archive.item_count() == 0
    assert query(db_path, "SELECT count(*) FROM sightings") == [(0,)]
    with archive.transaction():
        archive.save_item(make_record("/Un"), None, None)
        archive.add_sightings([sighting(BASE + "/Deux", "Europe")], None)
        assert query(db_path, "SELECT count(*) FROM items") == [(0,)]  # not committed yet
    assert archive.item_count() == 1
    assert query(db_path, "SELECT count(*) FROM sightings") == [(1,)]


# -- pages --------------------------------------------------------------------------------------


def test_page_html_round_trip_compressed(db_path: Path, archive: Archive) -> None:
    body = "<html><p>Région Île-de-France — été</p></html>".encode("cp1252") * 50
    url = BASE + "/spip.php?article12"
    final = BASE + "/Un-article"
    archive.save_item(make_record(), make_page(url, body, final_url=final), None)
    assert archive.page_html(url) == body
    assert archive.page_html(final) == body
    assert archive.page_html(BASE + "/inconnu") is None
    stored, body_hash = query(db_path, "SELECT html, body_hash FROM pages")[0]
    assert len(stored) < len(body)
    assert zlib.decompress(stored) == body
    assert body_hash == hashlib.sha256(body).hexdigest()


def test_not_modified_page_keeps_the_stored_body(archive: Archive) -> None:
    url = BASE + "/Un-article"
    archive.save_item(make_record(), make_page(url, b"<html>v1</html>"), None)
    archive.save_page(
        make_page(url, b"", status=304, etag=None, fetched_at="2026-12-01T00:00:00Z"), None
    )
    info = archive.page_info(url)
    assert info is not None
    assert (info["status"], info["etag"], info["fetched_at"]) == (
        200,
        '"abc"',
        "2026-12-01T00:00:00Z",
    )
    assert archive.page_html(url) == b"<html>v1</html>"


# -- crawls -------------------------------------------------------------------------------------


def test_crawl_lifecycle(archive: Archive) -> None:
    crawl_id = archive.start_crawl([BASE + "/-Europe-"], {"max_pages": 10})
    archive.record_error(crawl_id, BASE + "/cassé", 500, "HTTP 500")
    archive.record_error(crawl_id, BASE + "/injoignable", None, "DNS lookup failed")
    archive.finish_crawl(
        crawl_id,
        finish_reason="finished",
        counts={"requests": 12, "pages_ok": 10, "errors": 2, "items_new": 3, "sightings": 40},
        stats={"start_time": datetime(2026, 11, 28, tzinfo=timezone.utc)},
    )
    crawl = archive.crawl(crawl_id)
    assert crawl["start_urls"] == [BASE + "/-Europe-"]
    assert crawl["args"] == {"max_pages": 10}
    assert (crawl["requests"], crawl["pages_ok"], crawl["items_new"]) == (12, 10, 3)
    assert crawl["items_updated"] == 0
    assert crawl["stats"] == {"sightings": 40, "start_time": "2026-11-28T00:00:00+00:00"}
    assert crawl["finish_reason"] == "finished"
    assert (crawl["started"], crawl["finished"]) == (stamp(0), stamp(3))
    assert crawl["error_rows"] == 2
    assert [e["status"] for e in archive.crawl_errors(crawl_id)] == [500, None]
    assert archive.last_crawl() == crawl


def test_unknown_crawl(archive: Archive) -> None:
    with pytest.raises(ArchiveError, match="no crawl #42"):
        archive.crawl(42)
    with pytest.raises(ArchiveError, match="no crawl #42"):
        archive.finish_crawl(42, finish_reason="finished", counts={})
    assert archive.last_crawl() is None


# -- reading ------------------------------------------------------------------------------------


def test_iter_records_order_and_shape(archive: Archive) -> None:
    archive.save_item(make_record("/c", text="C", published=None), None, None)
    archive.save_item(make_record("/b", text="B", published="2020-05-01"), None, None)
    archive.save_item(make_record("/a", text="A", published=None), None, None)
    archive.save_item(
        make_record(
            "/d",
            text="D",
            published="2019-01-01",
            rubrics=["régions", "Europe", "Agriculture", "europe"],
            related=[
                {"url": BASE + "/z", "label": "Z"},
                {"url": BASE + "/m", "label": "M", "title": "Titre M"},
            ],
            warnings=["no update date found"],
        ),
        None,
        None,
    )
    records = list(archive.iter_records())
    assert [r["url"].rsplit("/", 1)[1] for r in records] == ["d", "b", "c", "a"]
    assert all(tuple(r) == EXPORT_FIELDS for r in records)
    first = records[0]
    assert first["rubrics"] == ["Agriculture", "Europe", "régions"]
    assert [r["url"] for r in first["related"]] == [BASE + "/m", BASE + "/z"]
    assert first["related"][0] == {
        "url": BASE + "/m",
        "label": "M",
        "category": None,
        "rubric": None,
        "title": "Titre M",
    }
    assert first["warnings"] == ["no update date found"]


def test_search_ignores_accents_and_punctuation(archive: Archive) -> None:
    archive.save_item(
        make_record(title="Énergie en Île-de-France", text="Le plan de l'Europe"), None, None
    )
    assert len(archive.search("energie ile")) == 1
    assert len(archive.search("l'Europe")) == 1
    assert archive.search("absent") == []
    assert archive.search("   ") == []
    with pytest.raises(ArchiveError, match="invalid search query"):
        archive.search('"unbalanced', raw=True)


def test_summary(archive: Archive) -> None:
    archive.save_item(make_record("/a", text="A"), None, None)
    archive.save_item(make_record("/b", text="B", category=None), None, None)
    summary = archive.summary()
    assert summary["items"] == 2
    assert summary["by_category"] == {"Actu": 1, "": 1}
    assert summary["by_site"] == {SITE: 2}


def test_an_archive_of_version_9_migrates_to_the_ingest_tables_with_nothing_lost(
    db_path: Path,
) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None)
    assert schema.migrate(conn, schema.MIGRATIONS[:9]) == 9
    conn.execute(
        "INSERT INTO items (url, site, title, text, content_hash, first_seen, last_seen) "
        "VALUES ('https://a.example/x', 'a.example', 'Titre', 'Texte', 'h', "
        "'2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')"
    )
    conn.close()
    with Archive(db_path) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        record = archive.record(1)
        assert (record["title"], record["text"]) == ("Titre", "Texte")
        assert archive.ingested_up_to("regarchive:stream") is None
        archive.mark_ingested("regarchive:stream", "1-0")
        assert archive.ingested_up_to("regarchive:stream") == "1-0"
