"""``regarchive reextract``: today's extractor over the pages a real crawl kept, no request.

The archives are made by the real CLI crawling the sample site on 127.0.0.1. An "older
extractor" is simulated by writing, straight into the SQLite file, what such an extractor would
have got wrong (titles, dates, sources, texts), with an older ``extractor_version``: the
re-extraction must put back exactly what the crawl first archived, with a version per corrected
item, and nothing else.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from regarchive.archive import schema
from regarchive.archive.lock import ArchiveLock
from regarchive.archive.store import Archive
from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from regarchive.pipelines.extraction import EXTRACTOR_VERSION
from tests.support import (
    FAST,
    alive,
    children_of,
    export_records,
    regarchive,
    regarchive_background,
    wait_for,
)

# Every test here crawls the sample site or runs the CLI in its own process.
pytestmark = pytest.mark.e2e

OLD = EXTRACTOR_VERSION - 1


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The sample site crawled once, with WARC files; its export as the crawl left it."""
    work = tmp_path_factory.mktemp("reextract")
    db, warc = work / "archive.db", work / "warc"
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        result = regarchive(
            "crawl", *server.site.rubrics.values(), "--db", str(db), "--warc", str(warc), *FAST
        )
    assert result.returncode == 0, result.stderr
    yield {"db": db, "records": export_records(db), "site": server.site}


def copy_of(pristine: dict, tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    shutil.copy(pristine["db"], db)
    return db


def sql(db: Path, statement: str, params: tuple = ()) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn, conn:
        return conn.execute(statement, params).fetchall()


# What an older extractor got wrong, by item id: 5 titles, 3 dates, 2 sources, 2 texts.
SABOTAGE = [
    ("UPDATE items SET title = 'Ancien titre ' || id WHERE id <= 5", 5),
    ("UPDATE items SET published = '1999-01-01' WHERE id BETWEEN 6 AND 8", 3),
    ("UPDATE items SET source = 'Source lue de travers' WHERE id IN (9, 10)", 2),
    (
        "UPDATE items SET text = text || char(10) || 'Dans la même rubrique', "
        "content_hash = 'ancien' WHERE id IN (11, 12)",
        2,
    ),
]


def older_extractor(db: Path) -> None:
    for statement, _ in SABOTAGE:
        sql(db, statement)
    sql(db, "UPDATE items SET extractor_version = ?", (OLD,))


def stable(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda record: record["url"])


def test_after_a_crawl_there_is_nothing_to_do_and_a_full_pass_changes_nothing(
    pristine: dict, tmp_path: Path
) -> None:
    db = copy_of(pristine, tmp_path)
    due = regarchive("reextract", "--db", str(db))
    assert due.returncode == 0, due.stderr
    assert due.stdout.startswith(f"Re-extracted 0 items with extractor version {EXTRACTOR_VERSION}")
    full = regarchive("reextract", "--all", "--db", str(db))
    assert full.returncode == 0, full.stderr
    articles = len(pristine["site"].articles)
    assert f"Re-extracted {articles} items" in full.stdout
    assert f": 0 changed, {articles} unchanged." in full.stdout
    assert export_records(db) == pristine["records"]
    assert sql(db, "SELECT count(*) FROM versions") == [(0,)]


def test_an_older_extractors_mistakes_are_corrected_each_with_a_version(
    pristine: dict, tmp_path: Path
) -> None:
    db = copy_of(pristine, tmp_path)
    older_extractor(db)
    mark = regarchive("export", "--db", str(db), "--since-last-export", "nightly", "-o",
                      str(tmp_path / "before.jsonl"))  # fmt: skip
    assert mark.returncode == 0, mark.stderr
    result = regarchive("reextract", "--db", str(db))
    assert result.returncode == 0, result.stderr
    articles = len(pristine["site"].articles)
    changed = sum(count for _, count in SABOTAGE)
    assert f"Re-extracted {articles} items" in result.stdout
    assert f": {changed} changed, {articles - changed} unchanged." in result.stdout
    assert (
        "Items with changed 5 titles, 3 dates, 0 categories, 2 sources, 2 texts, 0 languages, "
        "0 warnings, 0 date sources, 0 category sources, 0 rubrics, 0 related links."
        in result.stdout
    )
    # Exactly what the crawl first archived, every field of every item.
    assert stable(export_records(db)) == stable(pristine["records"])
    versions = sql(db, "SELECT item_id, provenance, extractor_version, title FROM versions")
    assert sorted(item for item, *_ in versions) == list(range(1, changed + 1))
    assert {(provenance, version) for _, provenance, version, _ in versions} == {("crawl", OLD)}
    assert sql(db, "SELECT DISTINCT extractor_version FROM items") == [(EXTRACTOR_VERSION,)]
    provenance = dict(sql(db, "SELECT id, provenance FROM items"))
    assert {i for i, p in provenance.items() if p == "re-extraction"} == set(range(1, changed + 1))
    # The corrections go out with the next increment, and nothing else does.
    increment = tmp_path / "after.jsonl"
    after = regarchive("export", "--db", str(db), "--since-last-export", "nightly", "-o",
                       str(increment))  # fmt: skip
    assert after.returncode == 0, after.stderr
    assert len(increment.read_text().splitlines()) == changed
    again = regarchive("reextract", "--db", str(db))
    assert again.stdout.startswith("Re-extracted 0 items")
    history = regarchive("history", "1", "--db", str(db))
    assert "Ancien titre 1" in history.stdout
    assert "re-extraction" in history.stdout


def test_a_day_only_a_feed_gave_survives_while_the_page_gives_none(
    pristine: dict, tmp_path: Path
) -> None:
    """A page with no date of its own took its day from a feed: re-reading the page cannot
    find it again, so it stays; a day the page itself gives still replaces a feed's."""
    db = copy_of(pristine, tmp_path)
    # The sample site has an article whose only date is impossible: archived undated.
    [(undated,)] = sql(db, "SELECT id FROM items WHERE published IS NULL ORDER BY id LIMIT 1")
    [(dated, day)] = sql(
        db, "SELECT id, published FROM items WHERE published IS NOT NULL ORDER BY id LIMIT 1"
    )
    for item_id in (undated, dated):
        sql(
            db,
            "UPDATE items SET published = '2001-02-03', published_source = 'feed' WHERE id = ?",
            (item_id,),
        )
    result = regarchive("reextract", "--all", "--db", str(db))
    assert result.returncode == 0, result.stderr
    read = "SELECT published, published_source FROM items WHERE id = ?"
    assert sql(db, read, (undated,)) == [("2001-02-03", "feed")]
    [(published, source)] = sql(db, read, (dated,))
    assert (published, source != "feed") == (day, True)


def test_a_dry_run_shows_the_differences_and_writes_nothing(pristine: dict, tmp_path: Path) -> None:
    db = copy_of(pristine, tmp_path)
    older_extractor(db)
    before = db.read_bytes()
    result = regarchive("reextract", "--dry-run", "--sample", "3", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "Would re-extract" in result.stdout
    assert "12 would change" in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    shown = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert len(shown) == 3
    assert "  title: 'Ancien titre 1' → " in result.stdout
    with Archive(db, create=False) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
    assert sql(db, "SELECT count(*) FROM versions") == [(0,)]
    assert sql(db, "SELECT DISTINCT extractor_version FROM items") == [(OLD,)]
    assert sql(db, "SELECT title FROM items WHERE id = 1") == [("Ancien titre 1",)]
    sql(db, "PRAGMA wal_checkpoint(TRUNCATE)")
    assert db.read_bytes() == before


def test_pages_whose_html_is_gone_are_re_extracted_from_their_warc_records(
    pristine: dict, tmp_path: Path
) -> None:
    db = copy_of(pristine, tmp_path)
    older_extractor(db)
    sql(db, "UPDATE pages SET html = NULL")
    assert sql(db, "SELECT count(*) FROM pages WHERE warc_file IS NULL") == [(0,)]
    result = regarchive("reextract", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert ": 12 changed" in result.stdout
    assert stable(export_records(db)) == stable(pristine["records"])


def test_filters_choose_the_items(pristine: dict, tmp_path: Path) -> None:
    db = copy_of(pristine, tmp_path)
    older_extractor(db)
    in_rubric = sql(
        db,
        "SELECT count(DISTINCT item_id) FROM item_rubrics WHERE rubric = 'Régions'",
    )[0][0]
    result = regarchive("reextract", "--rubric", "regions", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert f"Re-extracted {in_rubric} items" in result.stdout
    assert (
        sql(db, "SELECT count(*) FROM items WHERE extractor_version = ?", (EXTRACTOR_VERSION,))[0][
            0
        ]
        == in_rubric
    )


def test_a_reextract_while_a_crawl_writes_the_archive_exits_75(
    pristine: dict, tmp_path: Path
) -> None:
    db = copy_of(pristine, tmp_path)
    with ArchiveLock(db):
        result = regarchive("reextract", "--db", str(db))
        dry = regarchive("reextract", "--dry-run", "--db", str(db))
    assert result.returncode == 75
    assert "is being written by" in result.stderr
    assert dry.returncode == 0, dry.stderr  # a dry run writes nothing: it may run beside


def test_no_archive_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = regarchive("reextract", "--db", str(tmp_path / "missing.db"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "missing.db").exists()


def test_kill_9_then_a_rerun_finishes_the_rest_with_nothing_lost_or_doubled(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url, articles=400)) as server:
        crawl = regarchive("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    assert crawl.returncode == 0, crawl.stderr
    truth = stable(export_records(db))
    total = len(truth)
    # Every item made wrong by the older extractor: each must get exactly one version.
    sql(db, "UPDATE items SET title = 'Ancien titre ' || id, extractor_version = ?", (OLD,))
    victim = regarchive_background("reextract", "--workers", "1", "--db", str(db))
    done = f"SELECT count(*) FROM items WHERE extractor_version = {EXTRACTOR_VERSION}"
    wait_for(lambda: committed(db, done) >= 100)
    workers = children_of(victim.pid)
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    wait_for(lambda: not [pid for pid in workers if alive(pid)], timeout=10)
    assert sql(db, "PRAGMA integrity_check") == [("ok",)]
    before = committed(db, done)
    assert 100 <= before < total, "killed mid-way"
    assert committed(db, "SELECT count(*) FROM versions") == before
    rerun = regarchive("reextract", "--db", str(db))
    assert rerun.returncode == 0, rerun.stderr
    assert f"Re-extracted {total - before} items" in rerun.stdout
    assert f": {total - before} changed" in rerun.stdout
    assert stable(export_records(db)) == truth
    assert sql(db, "SELECT count(*), count(DISTINCT item_id) FROM versions") == [(total, total)]


def committed(db: Path, statement: str) -> int:
    try:
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
            return conn.execute(statement).fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_an_archive_of_version_4_migrates_with_nothing_lost(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    conn = sqlite3.connect(db, isolation_level=None)
    assert schema.migrate(conn, schema.MIGRATIONS[:4]) == 4
    conn.execute(
        "INSERT INTO items (url, site, title, text, content_hash, first_seen, last_seen) "
        "VALUES ('https://a.example/x', 'a.example', 'Titre', 'Texte', 'h', "
        "'2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z')"
    )
    conn.execute(
        "INSERT INTO versions (item_id, seen_at, title, text, content_hash) "
        "VALUES (1, '2026-01-01T00:00:00Z', 'Avant', 'Ancien', 'g')"
    )
    conn.execute(
        "INSERT INTO pages (url, final_url, status, html, item_id) "
        "VALUES ('https://a.example/x', 'https://a.example/x', 200, x'789c', 1)"
    )
    conn.close()
    with Archive(db) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION >= 8
        record = archive.record(1)
    assert (record["title"], record["text"]) == ("Titre", "Texte")
    assert sql(db, "SELECT provenance, extractor_version FROM items") == [("crawl", None)]
    assert sql(db, "SELECT title, provenance FROM versions") == [("Avant", "crawl")]
    assert sql(db, "SELECT html, warc_file, warc_offset FROM pages") == [(b"x\x9c", None, None)]
