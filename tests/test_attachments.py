"""Attachments in the archive: stored once per content, linked to items, versioned by URL,
searchable, exported; old archives migrate to them. A real SQLite file throughout."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from regarchive.archive import schema
from regarchive.archive.queries import Filters
from regarchive.archive.store import Archive
from regarchive.pipelines.documents import read_document
from tests import documents
from tests.support import Clock, extracted_record

SITE = "https://www.regions.example"
NOTE = f"{SITE}/IMG/pdf/note.pdf"
ANNEX = f"{SITE}/IMG/pdf/annexe.pdf"


def article(number: int, text: str, *links: tuple[str, str]) -> dict[str, Any]:
    return extracted_record(
        f"{SITE}/article{number}",
        text,
        title=f"Circulaire {number}",
        category="Circ.",
        published="2024-03-0" + str(number),
        attachments=[{"url": url, "label": label} for url, label in links],
    )


def fetch(url: str, body: bytes | None, *, at: str = "2026-11-28T10:00:00Z", **extra: Any):
    return {
        "url": url,
        "final_url": url,
        "status": extra.pop("status", 200),
        "content_type": extra.pop("content_type", "application/pdf"),
        "etag": extra.pop("etag", None),
        "last_modified": None,
        "fetched_at": at,
        "body": body,
        **extra,
    }


def save_document(archive: Archive, url: str, body: bytes, **extra: Any):
    reading = read_document(body, content_type="application/pdf")
    return archive.attachment_store.save(fetch(url, body, **extra), reading, None)


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path / "archive.db", clock=Clock()) as opened:
        yield opened


def test_one_copy_however_many_items_and_urls_link_it(archive: Archive) -> None:
    body = documents.pdf(["Dotation globale de fonctionnement"], title="Note DGF")
    first = archive.save_item(article(1, "Premier texte.", (NOTE, "Note de synthèse")), None, None)
    second = archive.save_item(article(2, "Second texte.", (NOTE, "La note")), None, None)
    assert save_document(archive, NOTE, body).status == "new"
    assert save_document(archive, ANNEX, body).status == "new"  # the same bytes elsewhere
    with closing(sqlite3.connect(archive.path)) as conn:
        assert conn.execute("SELECT count(*) FROM attachment_contents").fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM attachments").fetchone() == (2,)
    for result, label in ((first, "Note de synthèse"), (second, "La note")):
        (entry,) = archive.record(result.item_id)["attachments"]
        assert entry == {
            "url": NOTE,
            "label": label,
            "title": "Note DGF",
            "media_type": "application/pdf",
            "size": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
            "pages": 1,
            "text_length": len("Dotation globale de fonctionnement"),
        }
    assert archive.attachment_store.content(hashlib.sha256(body).hexdigest()) == body


def test_a_link_not_fetched_is_listed_with_url_and_label_only(archive: Archive) -> None:
    saved = archive.save_item(article(1, "Texte.", (NOTE, "Note")), None, None)
    (entry,) = archive.record(saved.item_id)["attachments"]
    assert entry["url"] == NOTE and entry["label"] == "Note"
    assert entry["sha256"] is None and entry["size"] is None


def test_changed_bytes_keep_the_earlier_version(archive: Archive) -> None:
    saved = archive.save_item(article(1, "Texte.", (NOTE, "Note")), None, None)
    old, new = documents.pdf(["Version un"]), documents.pdf(["Version deux", "page 2"])
    save_document(archive, NOTE, old, at="2026-11-01T00:00:00Z")
    mark = archive.change_mark()
    assert save_document(archive, NOTE, old, at="2026-11-02T00:00:00Z").status == "unchanged"
    assert archive.change_mark() == mark  # nothing changed for the item's export
    assert save_document(archive, NOTE, new, at="2026-11-03T00:00:00Z").status == "changed"
    assert archive.change_mark() > mark
    store = archive.attachment_store
    (version,) = store.versions_of_item(saved.item_id)
    assert version["sha256"] == hashlib.sha256(old).hexdigest()
    assert version["seen_at"] == "2026-11-02T00:00:00Z"
    assert version["replaced_by"] == hashlib.sha256(new).hexdigest()
    assert store.content(version["sha256"]) == old  # the earlier bytes are still there
    (entry,) = archive.record(saved.item_id)["attachments"]
    assert entry["sha256"] == hashlib.sha256(new).hexdigest() and entry["pages"] == 2


def test_a_failed_fetch_keeps_the_content_and_warns_on_the_item(archive: Archive) -> None:
    saved = archive.save_item(article(1, "Texte.", (NOTE, "Note")), None, None)
    body = documents.pdf(["Texte du document"])
    save_document(archive, NOTE, body)
    failed = fetch(NOTE, None, status=200, content_type="application/pdf")
    failed["error"] = "an HTML page, not a document (an error page?)"
    result = archive.attachment_store.save(failed, None, None)
    assert result.status == "failed" and result.sha256 == hashlib.sha256(body).hexdigest()
    record = archive.record(saved.item_id)
    assert record["attachments"][0]["sha256"] == hashlib.sha256(body).hexdigest()
    assert record["warnings"][-1] == (
        f"attachment {NOTE}: not fetched: an HTML page, not a document (an error page?)"
    )


def test_reading_warnings_reach_the_item(archive: Archive) -> None:
    saved = archive.save_item(article(1, "Texte.", (NOTE, "Note")), None, None)
    save_document(archive, NOTE, documents.encrypted_pdf("secret"))
    record = archive.record(saved.item_id)
    assert (
        f"attachment {NOTE}: encrypted PDF: it needs a password, its text was not read"
        in (record["warnings"])
    )


def test_an_item_is_found_by_words_only_its_attachment_holds(archive: Archive) -> None:
    one = archive.save_item(article(1, "Le budget régional.", (NOTE, "Note")), None, None)
    two = archive.save_item(article(2, "Un autre texte sur le budget.", (ANNEX, "A")), None, None)
    save_document(archive, NOTE, documents.pdf(["Les dotations d'équipement rural"]))
    save_document(archive, ANNEX, documents.pdf(["Rien de particulier"]))
    (hit,) = archive.find_items(Filters(query="equipement"))
    assert hit["id"] == one.item_id
    assert hit["attachment"] == NOTE
    assert "\x02équipement\x03" in hit["snippet"]
    assert archive.count_items(Filters(query="equipement")) == 1
    assert [r["id"] for r in archive.iter_export(Filters(query="équipement"))] == [one.item_id]
    # A match in the article itself says so, and comes before attachment-only matches.
    both = archive.find_items(Filters(query="rural OR autre"))
    assert [(row["id"], row["attachment"]) for row in both] == [
        (two.item_id, None),
        (one.item_id, NOTE),
    ]
    assert archive.facets(Filters(query="equipement"))["items"] == 1


def test_export_with_attachment_text(archive: Archive) -> None:
    saved = archive.save_item(article(1, "Texte.", (NOTE, "Note")), None, None)
    save_document(archive, NOTE, documents.pdf(["Ligne une", "Ligne deux"]))
    (plain,) = archive.iter_export(Filters())
    assert "text" not in plain["attachments"][0]
    (full,) = archive.iter_export(Filters(), attachment_text=True)
    assert full["id"] == saved.item_id
    assert full["attachments"][0]["text"] == "Ligne une\nLigne deux"
    assert full["attachments"][0]["text_length"] == len("Ligne une\nLigne deux")


def test_a_version_4_archive_migrates_with_nothing_lost(tmp_path: Path) -> None:
    path = tmp_path / "v4.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, schema.MIGRATIONS[:4]) == 4
    conn.execute(
        "INSERT INTO items (id, url, site, title, text, content_hash, first_seen, last_seen) "
        "VALUES (3, ?, 'www.regions.example', 'Ancienne', 'Ancien texte.', 'h', 'x', 'x')",
        (f"{SITE}/article3",),
    )
    conn.close()
    with Archive(path, clock=Clock()) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        record = archive.record(3)
        assert record["title"] == "Ancienne" and record["attachments"] == []
        assert [row["id"] for row in archive.find_items(Filters(query="ancien"))] == [3]
        saved = archive.save_item(article(3, "Ancien texte.", (NOTE, "Note")), None, None)
        save_document(archive, NOTE, documents.pdf(["Nouveau mot: zygomatique"]))
        assert [row["id"] for row in archive.find_items(Filters(query="zygomatique"))] == [
            saved.item_id
        ]
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        conn.execute(
            "INSERT INTO attachment_files_fts (attachment_files_fts) VALUES ('integrity-check')"
        )
