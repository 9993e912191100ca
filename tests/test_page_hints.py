"""What sitemaps and feeds said of a page at its last fetch, kept in the archive (schema v8)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from regarchive.archive import schema
from regarchive.archive.store import Archive
from tests.support import extracted_record, make_page

BASE = "https://www.regions.example"


def test_hints_recorded_at_a_fetch_are_read_back_per_source(tmp_path: Path) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        crawl = archive.start_crawl([BASE + "/-Regions-"], {})
        archive.record_fetched_hints(
            [
                (BASE + "/A", "sitemap", "2024-03-05"),
                (BASE + "/A", "feed", "2024-03-01T09:00:00Z"),
                (BASE + "/B", "sitemap", "2024-01-01"),
                (BASE + "/C", "sitemap", ""),  # listed without a date
                (BASE + "/E", "sitemap", None),  # not listed: nothing recorded
                (BASE + "/D", "gossip", "2024-01-01"),  # not a source
            ],
            crawl,
        )
        archive.record_fetched_hints([(BASE + "/B", "sitemap", "2024-02-02")], crawl)
        found = archive.fetched_hints([BASE + n for n in ("/A", "/B", "/C", "/D", "/E")])
    assert found == {
        BASE + "/A": {"sitemap": "2024-03-05", "feed": "2024-03-01T09:00:00Z"},
        BASE + "/B": {"sitemap": "2024-02-02"},
        BASE + "/C": {"sitemap": ""},
    }


def test_an_archive_of_version_7_gains_page_hints_and_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Archive(db) as archive:
        crawl = archive.start_crawl([BASE + "/-Regions-"], {})
        record = extracted_record(BASE + "/A", "Le budget a été voté.", title="Budget")
        archive.save_item(record, make_page(BASE + "/A"), crawl)
    # Back to what version 7 wrote: the same tables but page_hints and the later ones.
    with closing(sqlite3.connect(db, isolation_level=None)) as conn:
        for table in ("page_hints", "ingested_crawlers", "ingested_streams"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("PRAGMA user_version = 7")
        before = conn.execute("SELECT id, url, title, text FROM items").fetchall()
    with Archive(db) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION >= 8
        assert archive.fetched_hints([BASE + "/A"]) == {}
        archive.record_fetched_hints([(BASE + "/A", "sitemap", "2024-03-05")], None)
        assert archive.fetched_hints([BASE + "/A"]) == {BASE + "/A": {"sitemap": "2024-03-05"}}
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT id, url, title, text FROM items").fetchall() == before
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
