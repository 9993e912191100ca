"""The archive survives what users and scripts do beside a crawl: readers during the run, an
output path that is the archive itself, a symlink to it, two exports at once.

Each case here once lost or damaged data; see docs/RELIABILITY.md.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from regarchive.demo.server import SiteServer
from tests.faults import FaultServer, article_page, html_page, listing_page
from tests.support import (
    FAST,
    export_records,
    items_in,
    lock_holder,
    regarchive,
    regarchive_background,
    wait_for,
)

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e


def test_readers_during_a_crawl_then_kill_9_lose_no_committed_item(
    server: SiteServer, tmp_path: Path
) -> None:
    """A reader in another process must never make the crawl's committed writes vanish.

    Closing any descriptor of the database file drops every POSIX lock its process holds on it
    (SQLite's included): a crawl that did so let a reader believe it was the last connection,
    checkpoint and delete the WAL that the crawl kept writing into.
    """
    db = tmp_path / "archive.db"
    server.delay = 1.0  # slow enough that the crawl is still running once 4 items are in
    crawl = regarchive_background("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    try:
        wait_for(lambda: items_in(db) >= 4)
        # Slow pages keep the crawl running (its archive open) however long the readers take
        # on a loaded machine; they are fast again once the readers are done.
        server.delay = 5.0
        for command in (
            ["status", "--db", str(db)],
            ["search", "région", "--db", str(db)],
            ["export", "--db", str(db), "-o", str(tmp_path / "out.jsonl")],
        ):
            regarchive(*command)
        assert crawl.poll() is None, "the crawl ended before the readers were done"
        assert Path(f"{db}-wal").exists(), "a reader deleted the running crawl's WAL"
        committed = items_in(db)
        server.delay = 0.2
        wait_for(lambda: items_in(db) >= committed + 3)
        committed = items_in(db)
    finally:
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait()
        server.delay = 0
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("select count(*) from items").fetchone()[0] >= committed
    assert len(export_records(db)) >= committed


SENTENCES = [
    "Le conseil régional a présenté mardi son plan pluriannuel d'investissement.",
    "Les maires ruraux réclament davantage de moyens pour l'entretien des routes.",
    "Une circulaire précise les modalités de versement de la dotation aux communes.",
    "La préfecture ouvre un appel à projets pour la rénovation énergétique des écoles.",
    "Le département expérimente un service de transport à la demande en zone rurale.",
    "Les intercommunalités devront adopter leur plan climat avant la fin de l'année.",
    "Un décret publié au Journal officiel modifie le calendrier des élections partielles.",
    "La chambre régionale des comptes publie son rapport sur la gestion des ports.",
]


def article_text(index: int, topic: str) -> list[str]:
    """Words of its own for each article: no two of them are edits of each other."""
    return [f"Cet article porte sur {topic}.", SENTENCES[index]]


def test_canonical_links_neither_merge_nor_hijack_articles(tmp_path: Path) -> None:
    """Three articles calling themselves the home page stay three items; an article calling
    itself another archived article takes nothing from it, whichever is fetched first."""
    with FaultServer() as server:
        pages = {
            "/Accueil-1": ("Premier article", "les transports", "/"),
            "/Accueil-2": ("Deuxième article", "la culture", "/"),
            "/Accueil-3": ("Troisième article", "les lycées", "/"),
            "/Rubrique-A": ("Article rubrique", "l'eau potable", "/-Hijack-"),
            "/Article-A": ("Article A", "la santé", None),
            "/Article-B": ("Article B", "le numérique", "/Article-A"),
            "/Article-D": ("Article D", "les forêts", "/Article-C"),
            "/Article-C": ("Article C", "les ports", None),
        }
        for index, (path, (title, topic, canonical)) in enumerate(pages.items()):
            server.site.pages[path] = html_page(
                article_page(title, article_text(index, topic), canonical=canonical)
            )
        server.site.pages["/-Hijack-"] = html_page(listing_page("Hijack", list(pages)))
        db = tmp_path / "archive.db"
        result = regarchive("crawl", server.url("/-Hijack-"), "--db", str(db), *FAST)
        assert result.returncode == 0, result.stderr
    records = {record["title"]: record for record in export_records(db)}
    assert set(records) == {title for title, _, _ in pages.values()}
    for path, (title, topic, _) in pages.items():
        record = records[title]
        assert topic in record["text"]
        assert record["url"] == server.url(path)
    assert not any(url.endswith("/Article-A") for url in records["Article B"]["urls"])
    assert not any(url.endswith("/Article-C") for url in records["Article D"]["urls"])
    home = "ignored: it points to the home page"
    assert any(home in warning for warning in records["Premier article"]["warnings"])
    listing = "ignored: it points to a listing"
    assert any(listing in warning for warning in records["Article rubrique"]["warnings"])
    claimed = "ignored: another archived article is there"
    assert any(claimed in warning for warning in records["Article B"]["warnings"])
    assert any(claimed in warning for warning in records["Article D"]["warnings"])
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("select count(*) from versions").fetchone()[0] == 0


def test_a_crawl_through_a_symlink_to_the_archive_is_locked_out(
    server: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    alias = tmp_path / "elsewhere" / "alias.db"
    alias.parent.mkdir()
    regarchive("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    alias.symlink_to(db)
    server.delay = 5.0  # the first crawl holds the lock until the second has tried
    first = regarchive_background("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    try:
        wait_for(lambda: f"pid {first.pid}" in lock_holder(db))
        second = regarchive("crawl", *server.site.rubrics.values(), "--db", str(alias), *FAST)
        assert second.returncode == 75, second.stderr
        assert f"pid {first.pid}" in second.stderr
    finally:
        server.delay = 0
        first.wait(timeout=300)
    assert first.returncode == 0
    assert not (alias.parent / "alias.db.lock").exists()


def test_an_export_onto_the_archive_or_its_files_is_refused(
    server: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    regarchive("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    before = db.read_bytes()
    link = tmp_path / "link.jsonl"
    link.symlink_to(db)
    hard = tmp_path / "hard.jsonl"
    os.link(db, hard)
    for output in (db, link, hard, Path(f"{db}-wal"), Path(f"{db}.lock"), tmp_path / "." / db.name):
        result = regarchive("export", "--db", str(db), "-o", str(output))
        assert result.returncode == 2, (output, result.stderr)
        assert "left untouched" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert db.read_bytes() == before
    assert len(export_records(db)) == len(server.site.articles)


def test_concurrent_exports_to_one_path_each_write_a_whole_file(
    server: SiteServer, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    regarchive("crawl", *server.site.rubrics.values(), "--db", str(db), *FAST)
    out = tmp_path / "items.out"
    mine = [tmp_path / "items.out.part", tmp_path / "pub.part", tmp_path / "pub.previous"]
    for path in mine[1:]:
        path.mkdir()
        (path / "keep.txt").write_text("mine")
    mine[0].write_text("mine")
    exports = [
        regarchive_background("export", "--db", str(db), "-f", fmt, "-o", str(out))
        for fmt in ("jsonl", "csv", "json", "jsonl", "csv", "json")
    ]
    for process in exports:
        process.communicate(timeout=120)
        assert process.returncode == 0
    text = out.read_text(encoding="utf-8-sig")
    if text.startswith("["):
        rows = json.loads(text)
    elif text.startswith("{"):
        rows = [json.loads(line) for line in text.splitlines()]
    else:
        assert text.startswith("id,"), text[:100]
        rows = list(csv.DictReader(io.StringIO(text)))
    assert len({row["url"] for row in rows}) == len(rows) == len(server.site.articles)
    for pub in ("pub", "pub2"):
        result = regarchive(
            "export", "--db", str(db), "-f", "datapackage", "-o", str(tmp_path / pub)
        )
        assert result.returncode == 0, result.stderr
    assert mine[0].read_text() == "mine"
    assert all((path / "keep.txt").read_text() == "mine" for path in mine[1:])
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
