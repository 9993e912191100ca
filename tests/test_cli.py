"""The CLI's edges: bad input gets one line and exit code 2; a dead site gets exit code 1."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest

from tests.support import invoke, regarchive

PAGES = Path(__file__).parent / "fixtures" / "pages"


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr
    return lines[-1]


@pytest.mark.e2e
def test_non_http_urls_are_refused(tmp_path: Path) -> None:
    for url in ("ftp://example.org/x", "file:///etc/passwd", "example.org/-Regions-"):
        result = regarchive("crawl", url, "--db", str(tmp_path / "a.db"))
        assert result.returncode == 2
        assert "not an http(s) URL" in one_line_error(result)
    assert not (tmp_path / "a.db").exists()


@pytest.mark.e2e
def test_bad_setting_override_is_refused(tmp_path: Path) -> None:
    result = regarchive(
        "crawl", "http://127.0.0.1:9/x", "-s", "DOWNLOAD_DELAY", "--db", str(tmp_path / "a")
    )
    assert result.returncode == 2
    assert "KEY=VALUE" in one_line_error(result)


@pytest.mark.e2e
def test_a_file_that_is_not_an_archive_is_refused_and_left_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my precious notes\n")
    result = regarchive("crawl", "http://127.0.0.1:9/-Regions-", "--db", str(notes))
    assert result.returncode == 2
    assert str(notes) in one_line_error(result)
    assert notes.read_text() == "my precious notes\n"


def test_export_of_a_missing_archive_says_so(tmp_path: Path) -> None:
    result = invoke("export", "--db", str(tmp_path / "none.db"))
    assert result.exit_code == 2
    assert "none.db" in result.output
    assert not (tmp_path / "none.db").exists()


def test_export_to_an_unwritable_place_says_so(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert invoke("export", "--db", str(db)).exit_code in (0, 2)
    from regarchive.archive.store import Archive

    Archive(db).close()
    result = invoke("export", "--db", str(db), "-o", str(tmp_path / "no/x.csv"))
    assert result.exit_code == 2
    assert "cannot write" in result.output


@pytest.mark.e2e
def test_unreachable_site_is_an_unhealthy_run(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a loopback port with nobody listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    db = tmp_path / "a.db"
    result = regarchive(
        "crawl", f"http://127.0.0.1:{port}/-Regions-", "--db", str(db), "-s", "RETRY_TIMES=0"
    )
    assert result.returncode == 1
    assert "unhealthy crawl: no page could be fetched" in result.stderr
    # A first crawl that archived nothing leaves no file behind (nor SQLite's, nor the lock).
    assert one_line_error(result) == (
        f"regarchive: nothing could be read from the site; {db} not kept"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.e2e
def test_a_failed_crawl_of_an_existing_archive_keeps_it(tmp_path: Path) -> None:
    from regarchive.archive.store import Archive

    db = tmp_path / "a.db"
    Archive(db).close()  # an archive that exists, even empty, is the user's: never deleted
    result = regarchive(
        "crawl", "http://127.0.0.1:9/-Regions-", "--db", str(db), "-s", "RETRY_TIMES=0"
    )
    assert result.returncode == 1
    assert db.exists()
    assert "not kept" not in result.stderr


def test_extract_prints_the_record_of_a_saved_page() -> None:
    expected = json.loads((PAGES / "seed_regions_spip3.json").read_text(encoding="utf-8"))
    page_input = expected.pop("_input")
    args = ["extract", str(PAGES / "seed_regions_spip3.html"), "--url", page_input["url"]]
    if page_input.get("content_type"):
        args += ["--content-type", page_input["content_type"]]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    for key in ("title", "category", "source", "published", "text", "rubrics"):
        assert record[key] == expected[key]
