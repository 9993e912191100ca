"""``regarchive attachment get`` and the attachments in ``history``, on the sample archive."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from regarchive.archive.store import Archive
from regarchive.pipelines.documents import read_document
from tests.documents import pdf
from tests.support import invoke
from tests.test_queries import REGIONS, SAMPLE_PDF, make_sample_archive

SHA = hashlib.sha256(SAMPLE_PDF).hexdigest()
PDF_URL = f"{REGIONS}/IMG/pdf/bareme.pdf"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(make_sample_archive(tmp_path / "archive.db"))


def test_get_by_sha256_prefix_or_by_item_writes_the_bytes(db: str, tmp_path: Path) -> None:
    for wanted in (SHA, SHA[:8].upper(), "1", f"{REGIONS}/spip.php?article12"):
        target = tmp_path / "note.pdf"
        result = invoke("attachment", "get", wanted, "-o", str(target), "--db", db)
        assert result.exit_code == 0, result.output
        assert target.read_bytes() == SAMPLE_PDF
        assert result.stderr == (
            f"{len(SAMPLE_PDF)} bytes (application/pdf, sha256 {SHA[:16]}) written to {target}\n"
        )


def test_get_to_standard_output(db: str) -> None:
    result = invoke("attachment", "get", SHA, "-o", "-", "--db", db)
    assert result.exit_code == 0 and result.stdout_bytes == SAMPLE_PDF


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        ("2", "Error: item 2 has no stored attachment"),
        ("abc", "Error: no item or stored document 'abc' in {db} (a SHA256 needs at least 8 "),
        ("0" * 64, "Error: no item or stored document '" + "0" * 64 + "' in {db}"),
    ],
)
def test_get_what_is_not_there_is_one_line_and_exit_2(
    db: str, tmp_path: Path, wanted: str, message: str
) -> None:
    target = tmp_path / "out.pdf"
    result = invoke("attachment", "get", wanted, "-o", str(target), "--db", db)
    assert result.exit_code == 2
    assert result.stderr.startswith(message.format(db=db))
    assert result.stderr.count("\n") == 1
    assert not target.exists()


def test_get_never_writes_over_the_archive(db: str) -> None:
    before = Path(db).read_bytes()
    result = invoke("attachment", "get", SHA, "-o", db, "--db", db)
    assert result.exit_code == 2 and "is the archive" in result.stderr
    assert Path(db).read_bytes() == before


def test_an_item_with_several_documents_asks_for_one(db: str, tmp_path: Path) -> None:
    other = pdf(["Une seconde annexe"])
    with Archive(db) as archive:
        record = {**archive.record(1), "attachments": [{"url": f"{REGIONS}/b.pdf", "label": "B"}]}
        archive.save_item(record, None, None)
        fetched = {"url": f"{REGIONS}/b.pdf", "fetched_at": "2026-12-01T00:00:00Z", "body": other}
        archive.attachment_store.save(fetched, read_document(other), None)
    result = invoke("attachment", "get", "1", "-o", str(tmp_path / "x"), "--db", db)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: item 1 has 2 stored attachments; give the SHA256 of")
    assert SHA[:12] in result.stderr


def test_history_says_when_an_attached_document_changed(db: str, tmp_path: Path) -> None:
    new = pdf(["Barème révisé", "deuxième page"])
    with Archive(db) as archive:
        fetched = {"url": PDF_URL, "fetched_at": "2026-12-01T00:00:00Z", "body": new}
        assert archive.attachment_store.save(fetched, read_document(new), None).status == (
            "changed"
        )
    result = invoke("history", "1", "--db", db)
    assert result.exit_code == 0
    new_sha = hashlib.sha256(new).hexdigest()
    assert (
        "  1 earlier attachment content, kept:\n"
        f"    {PDF_URL}: sha256 {SHA[:16]} ({len(SAMPLE_PDF)} bytes, 1 page), "
        f"seen until 2026-11-28T09:00:00Z, then replaced by {new_sha[:16]}\n"
    ) in result.stdout
    # The earlier bytes are still there to get back.
    target = tmp_path / "old.pdf"
    assert invoke("attachment", "get", SHA, "-o", str(target), "--db", db).exit_code == 0
    assert target.read_bytes() == SAMPLE_PDF
    show = invoke("show", "1", "--db", db).stdout
    assert "    1 earlier content (regarchive history 1)\n" in show
