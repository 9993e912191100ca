"""The archive survives: a full disk mid-crawl, a damaged or foreign file, a newer schema.

The disk fills up for real: the crawl runs with a file-size limit (``RLIMIT_FSIZE``, with
``SIGXFSZ`` ignored), so SQLite's writes fail with EFBIG exactly where a full disk would fail
them. Other archive faults are covered elsewhere (see docs/RELIABILITY.md): kill -9 mid-crawl in
tests/test_incremental.py, non-SQLite files and older schemas in tests/test_archive.py and
tests/test_cli.py.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from regarchive.archive import schema
from regarchive.archive.store import Archive
from tests.faults import FaultServer, article_page, html_page, listing_page
from tests.support import FAST, export_records, regarchive

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

QUICK = [*FAST, "-s", "REGARCHIVE_EXTRACT_WORKERS=0"]
LISTING = "/-Volumineux-"
# Runs the CLI with every file it writes limited to LIMIT bytes (argv[1]).
LIMITED_CLI = (
    "import resource, runpy, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
    "limit = int(sys.argv.pop(1))\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "sys.argv[0] = 'regarchive'\n"
    "runpy.run_module('regarchive', run_name='__main__')\n"
)


def bulky_text(seed: int, paragraphs: int = 40) -> list[str]:
    """Paragraphs that compress badly: each article weighs tens of kB in the archive."""
    rng = random.Random(seed)
    return [
        " ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(60))
        for _ in range(paragraphs)
    ]


def serve(server: FaultServer, count: int) -> None:
    paths = [f"/Volumineux-{n}" for n in range(count)]
    for n, path in enumerate(paths):
        server.site.pages[path] = html_page(article_page(f"Volumineux {n}", bulky_text(n)))
    server.site.pages[LISTING] = html_page(listing_page("Volumineux", paths))


def crawl_with_file_limit(url: str, db: Path, limit: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LIMITED_CLI, str(limit), "crawl", url, "--db", str(db), *QUICK],
        capture_output=True,
        text=True,
        timeout=120,
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_a_full_disk_mid_crawl_stops_cleanly_and_keeps_what_was_committed(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    with FaultServer() as server:
        serve(server, 3)
        first = regarchive("crawl", server.url(LISTING), "--db", str(db), *QUICK)
        assert first.returncode == 0, first.stderr
        before = export_records(db)
        serve(server, 30)
        full = crawl_with_file_limit(server.url(LISTING), db, db.stat().st_size + 256 * 1024)
    assert full.returncode == 1, full.stderr
    assert "Traceback" not in full.stderr
    last = full.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "regarchive: unhealthy crawl: the archive could not be written, crawl stopped: "
        f"cannot write to archive {db}"
    )
    assert integrity(db) == "ok"
    after = {r["url"]: r for r in export_records(db)}
    for record in before:  # what the first crawl committed is all there, unchanged
        assert {k: v for k, v in after[record["url"]].items() if k != "last_seen"} == {
            k: v for k, v in record.items() if k != "last_seen"
        }
    assert len(before) < len(after) < 30  # some new items made it, whole, before the disk filled
    for url, record in after.items():
        number = int(url.rsplit("-", 1)[1])
        assert record["text"] == "\n".join(bulky_text(number))
    with Archive(db, create=False) as archive:
        assert archive.last_crawl()["finished"] is None  # shown as interrupted by `status`


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of a real archive of a few pages (large enough to damage in the middle)."""
    db = tmp_path_factory.mktemp("pristine") / "archive.db"
    with FaultServer() as server:
        serve(server, 4)
        result = regarchive("crawl", server.url(LISTING), "--db", str(db), *QUICK)
    assert result.returncode == 0, result.stderr
    assert db.stat().st_size > 16 * 4096
    assert not Path(f"{db}-wal").exists()  # checkpointed on close: the file is the archive
    return db.read_bytes()


@pytest.fixture
def archive_file(pristine: bytes, tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    db.write_bytes(pristine)
    return db


def assert_refused_and_untouched(db: Path, *expected: str) -> None:
    digest = sha256(db)
    result = regarchive("crawl", "http://127.0.0.1:9/-Regions-", "--db", str(db))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0]
    assert sha256(db) == digest


def test_a_damaged_archive_is_refused_and_never_written(archive_file: Path) -> None:
    data = bytearray(archive_file.read_bytes())
    page = 4096
    data[8 * page : 12 * page] = random.Random(1).randbytes(4 * page)  # four pages of noise
    archive_file.write_bytes(bytes(data))
    assert_refused_and_untouched(archive_file, str(archive_file), "damaged", "backup")


def test_a_truncated_archive_is_refused_and_never_written(archive_file: Path) -> None:
    data = archive_file.read_bytes()
    archive_file.write_bytes(data[: len(data) // 2])
    assert_refused_and_untouched(archive_file, str(archive_file))


def test_sqlite_header_then_garbage_is_refused_and_never_written(tmp_path: Path) -> None:
    db = tmp_path / "fake.db"
    db.write_bytes(b"SQLite format 3\x00" + random.Random(2).randbytes(8192))
    assert_refused_and_untouched(db, str(db), "left untouched")


def test_an_archive_from_a_newer_regarchive_is_refused(archive_file: Path) -> None:
    conn = sqlite3.connect(archive_file)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    assert_refused_and_untouched(archive_file, "newer than this regarchive supports", "upgrade")
