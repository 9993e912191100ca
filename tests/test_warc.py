"""``crawl --warc DIR``: every HTTP exchange of a real crawl of the sample site, written as WARC
files that the tools archivists use accept (``warcio check``, ``warcio index``,
``cdxj-indexer``), and pages of the archive that point at the records holding their bodies."""

from __future__ import annotations

import gzip
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import zlib
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from regarchive.archive.warc.files import WarcFileWriter, complete_members_end
from regarchive.archive.warc.reader import iter_responses, read_response
from regarchive.archive.warc.records import HttpExchange
from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from tests.faults import FaultServer, Status, article_page, html_page, listing_page, redirect
from tests.support import (
    FAST,
    alive,
    children_of,
    items_in,
    regarchive,
    regarchive_background,
    wait_for,
)
from tests.test_faults_archive import LIMITED_CLI

# Every test here crawls the sample site or runs the CLI in its own process.
pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent
# Small enough that the sample site's 36 articles fill several files.
TINY_WARC = "60000"
NAME = re.compile(r"^regarchive-\d{17}-(\d{5})-[A-Za-z0-9.-]+\.warc\.gz$")


def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """An archivist's command-line tool, installed with the test extra."""
    return subprocess.run(
        [str(BIN / name), *args], capture_output=True, text=True, timeout=120, check=False
    )


def warc_index(path: Path) -> list[dict[str, str]]:
    fields = "warc-type,warc-target-uri,warc-record-id,warc-concurrent-to,warc-profile,"
    fields += "warc-refers-to-date,warc-refers-to,http:status,offset,length"
    result = tool("warcio", "index", "-f", fields, str(path))
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def warc_files(directory: Path) -> list[Path]:
    return sorted(directory.iterdir(), key=lambda path: path.name)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    """The sample site crawled with --warc into one directory, then re-checked (--full, so
    every article answers 304) into another."""
    work = tmp_path_factory.mktemp("warc")
    db = work / "archive.db"
    first_dir, second_dir = work / "warc-1", work / "warc-2"
    size = ["-s", f"REGARCHIVE_WARC_MAX_SIZE={TINY_WARC}"]
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        start_urls = sorted(server.site.rubrics.values())
        first = regarchive("crawl", *start_urls, "--db", str(db), "--warc", str(first_dir),
                           *FAST, *size)  # fmt: skip
        first_requests = list(server.requests)
        server.reset()
        second = regarchive("crawl", *start_urls, "--db", str(db), "--warc", str(second_dir),
                            "--full", *FAST, *size)  # fmt: skip
        yield {
            "site": server.site,
            "db": db,
            "first": first,
            "second": second,
            "first_dir": first_dir,
            "second_dir": second_dir,
            "first_requests": first_requests,
            "second_requests": list(server.requests),
        }


def test_the_crawls_are_healthy_and_say_they_wrote_warc_files(crawled) -> None:
    for run in (crawled["first"], crawled["second"]):
        assert run.returncode == 0, run.stderr
        assert "HTTP exchanges written to WARC files" in run.stdout


def test_warcio_check_passes_on_every_file(crawled) -> None:
    for directory in (crawled["first_dir"], crawled["second_dir"]):
        files = warc_files(directory)
        assert files
        for path in files:
            result = tool("warcio", "check", "-v", str(path))
            assert result.returncode == 0, result.stdout + result.stderr
            assert "digest pass" in result.stdout
            assert "fail" not in result.stdout.lower()


def test_files_are_named_rotated_and_each_starts_with_warcinfo(crawled) -> None:
    files = warc_files(crawled["first_dir"])
    assert len(files) >= 3, "a tiny REGARCHIVE_WARC_MAX_SIZE rotates files"
    serials = []
    for path in files:
        match = NAME.match(path.name)
        assert match, path.name
        serials.append(int(match.group(1)))
        # A file is closed once it reaches the size: its last exchange may take it over.
        assert path.stat().st_size < int(TINY_WARC) + 64 * 1024
        records = warc_index(path)
        assert records[0]["warc-type"] == "warcinfo"
        assert [r["warc-type"] for r in records].count("warcinfo") == 1
    assert serials == list(range(len(files)))
    info = next(iter_warcinfo(files[0]))
    assert info["software"].startswith("regarchive/")
    assert info["robots"] == "obey"
    assert info["format"] == "WARC File Format 1.1"
    assert set(info["start-urls"].split()) == set(crawled["site"].rubrics.values())
    assert not list(crawled["first_dir"].glob("*.open")), "every file was finalised"


def iter_warcinfo(path: Path):
    with open(path, "rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "warcinfo":
                assert record.rec_headers.protocol == "WARC/1.1"
                text = record.content_stream().read().decode()
                yield dict(line.split(": ", 1) for line in text.splitlines() if line)


def test_every_exchange_is_a_request_and_a_response_record(crawled) -> None:
    """What the server answered is what the files hold: robots.txt, listings, articles, the
    redirects and 404s of the site's traps, each a response with its request."""
    base = crawled["site"].base_url
    records = [r for path in warc_files(crawled["first_dir"]) for r in warc_index(path)]
    responses = [r for r in records if r["warc-type"] == "response"]
    requests = {r["warc-concurrent-to"]: r for r in records if r["warc-type"] == "request"}
    answered = Counter(base + request.path for request in crawled["first_requests"])
    assert Counter(r["warc-target-uri"] for r in responses) == answered
    for response in responses:
        request = requests[response["warc-record-id"]]
        assert request["warc-target-uri"] == response["warc-target-uri"]
    statuses = Counter(r["http:status"] for r in responses)
    assert statuses["200"] > len(crawled["site"].articles)
    assert base + "/robots.txt" in answered
    by_status = {r.status for r in crawled["first_requests"]}
    assert {int(s) for s in statuses} == by_status


def test_a_304_is_a_revisit_referring_to_the_record_of_the_body(crawled) -> None:
    second = [r for path in warc_files(crawled["second_dir"]) for r in warc_index(path)]
    revisits = [r for r in second if r["warc-type"] == "revisit"]
    not_modified = [r for r in crawled["second_requests"] if r.status == 304]
    assert len(revisits) == len(not_modified) == len(crawled["site"].articles)
    first = {
        r["warc-record-id"]: r
        for path in warc_files(crawled["first_dir"])
        for r in warc_index(path)
    }
    for revisit in revisits:
        assert revisit["http:status"] == "304"
        assert revisit["warc-profile"].endswith("/revisit/server-not-modified")
        earlier = first[revisit["warc-refers-to"]]
        assert earlier["warc-type"] == "response"
        assert earlier["warc-target-uri"] == revisit["warc-target-uri"]
        assert revisit["warc-refers-to-date"]


def test_cdxj_indexer_indexes_every_page(crawled) -> None:
    files = [str(path) for path in warc_files(crawled["first_dir"])]
    result = tool("cdxj-indexer", "--sort", *files)
    assert result.returncode == 0, result.stderr
    lines = [line.split(" ", 2) for line in result.stdout.splitlines()]
    entries = [json.loads(entry) for _, _, entry in lines]
    urls = {entry["url"] for entry in entries}
    site = crawled["site"]
    assert {t.canonical_url for t in site.articles} <= urls
    assert set(site.rubrics.values()) <= urls
    assert site.base_url + "/robots.txt" in urls
    assert {Path(entry["filename"]).name for entry in entries} == {Path(f).name for f in files}
    # SURT keys, sorted, as replay tools (pywb) load them.
    keys = [key for key, _, _ in lines]
    assert keys == sorted(keys)
    assert all(key.startswith("1,0,0,127:") for key in keys)


def test_pages_point_to_the_record_holding_their_body(crawled) -> None:
    with sqlite3.connect(crawled["db"]) as conn:
        pages = conn.execute(
            "SELECT url, final_url, html, warc_file, warc_offset FROM pages"
        ).fetchall()
    assert len(pages) >= len(crawled["site"].articles)
    for url, final_url, html, warc_file, warc_offset in pages:
        assert warc_file is not None, url
        # The first crawl fetched the body; the second only got 304s, which keep the pointer.
        assert Path(warc_file).parent == crawled["first_dir"]
        stored = read_response(warc_file, warc_offset)
        assert stored.url == final_url
        assert stored.status == 200
        assert stored.body == zlib.decompress(html)


# -- redirects, retries, compression --------------------------------------------------------


def test_redirects_retries_and_compressed_bodies_are_recorded_as_received(
    tmp_path: Path,
) -> None:
    """A 301, a 503 that is retried, a gzip-encoded article: each exchange is a record; the
    gzip body is kept compressed (its digest is the server's bytes) and reads back decoded."""
    warc_dir = tmp_path / "warc"
    text = ["Le conseil communautaire a adopté le schéma de mutualisation des services."]
    with FaultServer() as server:
        pages = server.site.pages
        pages["/Ancien"] = redirect("/Nouveau", 301)
        pages["/Nouveau"] = html_page(article_page("Nouveau", text))
        pages["/Fragile"] = html_page(article_page("Fragile", text + ["Encore une phrase."]))
        server.fault("/Fragile", Status(times=1, status=503))
        compressed = gzip.compress(article_page("Compressé", text + ["Une autre phrase."]))
        pages["/Compresse"] = html_page(compressed, **{"Content-Encoding": "gzip"})
        links = ["/Ancien", "/Fragile", "/Compresse"]
        pages["/-Pannes-"] = html_page(listing_page("Pannes", links))
        result = regarchive(
            "crawl", server.url("/-Pannes-"), "--db", str(tmp_path / "a.db"),
            "--warc", str(warc_dir), *FAST, "-s", "REGARCHIVE_RETRY_BACKOFF=0.1",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (path,) = warc_files(warc_dir)
    assert tool("warcio", "check", str(path)).returncode == 0
    seen = [(urlsplit(r.url).path, r.status) for r in iter_responses(path)]
    for exchange in [("/Ancien", 301), ("/Nouveau", 200), ("/Fragile", 503), ("/Fragile", 200)]:
        assert exchange in seen
    (stored,) = [r for r in iter_responses(path) if r.url.endswith("/Compresse")]
    assert stored.header("Content-Encoding") == "gzip"
    assert "Compressé" in stored.body.decode()
    raw = [r for r in warc_index(path) if r.get("warc-target-uri", "").endswith("/Compresse")]
    assert raw and raw[0]["warc-type"] == "response"
    with sqlite3.connect(tmp_path / "a.db") as conn:
        (warc_file, offset), = conn.execute(
            "SELECT warc_file, warc_offset FROM pages WHERE url LIKE '%/Ancien'"
        ).fetchall()  # fmt: skip
    landed = read_response(warc_file, offset)
    assert (urlsplit(landed.url).path, landed.status) == ("/Nouveau", 200)


# -- crash safety ---------------------------------------------------------------------------


def exchange(number: int, size: int = 2000) -> HttpExchange:
    body = (f"<html><body><p>Page {number}</p>" + "x" * size + "</body></html>").encode()
    return HttpExchange(
        url=f"http://127.0.0.1:8000/page-{number}",
        method="GET",
        target=f"/page-{number}",
        host="127.0.0.1:8000",
        request_headers=[("User-Agent", "regarchive/test")],
        status=200,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=body,
    )


WRITE_THEN_DIE = """
import os, sys
from regarchive.archive.warc.files import WarcFileWriter, open_path_of
from tests.test_warc import exchange
writer = WarcFileWriter(sys.argv[1])
for number in range(5):
    ref = writer.write_exchange(exchange(number))
# Half of one more record, as a kill in the middle of a write would leave it.
response, request = writer._maker.exchange(exchange(5))
os.write(writer._fd, response[: len(response) // 2])
print(ref.path)
sys.stdout.flush()
os._exit(9)
"""


def test_a_file_left_open_by_a_killed_writer_is_cut_to_its_whole_records_and_finished(
    tmp_path: Path,
) -> None:
    died = subprocess.run(
        [sys.executable, "-c", WRITE_THEN_DIE, str(tmp_path)],
        capture_output=True, text=True, timeout=60, cwd=Path(__file__).parent.parent,
    )  # fmt: skip
    assert died.returncode == 9, died.stderr
    final = Path(died.stdout.strip())
    left = final.with_name(final.name + ".open")
    assert left.exists() and not final.exists()
    with pytest.raises(EOFError), gzip.open(left) as torn:  # the torn record is there
        torn.read()
    with open(left, "rb") as stream:
        whole = complete_members_end(stream)
    assert 0 < whole < left.stat().st_size
    # Records can be read from the unfinished file meanwhile (pages may point into it).
    assert read_response(final, first_response_offset(left)).status == 200
    writer = WarcFileWriter(tmp_path)  # the next crawl in the same directory
    writer.write_exchange(exchange(99))
    writer.close()
    assert final.exists() and not left.exists()
    assert final.stat().st_size == whole
    assert tool("warcio", "check", "-v", str(final)).returncode == 0
    with gzip.open(final) as healed:
        healed.read()
    urls = [r.url for r in iter_responses(final)]
    assert urls == [f"http://127.0.0.1:8000/page-{n}" for n in range(5)]
    assert len(writer.files) == 1 and writer.files[0] != final


def first_response_offset(path: Path) -> int:
    with open(path, "rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            if record.rec_type == "response":
                return iterator.get_record_offset()
    raise AssertionError("no response record")


def test_a_file_another_writer_is_writing_is_left_alone(tmp_path: Path) -> None:
    live = WarcFileWriter(tmp_path)
    live.write_exchange(exchange(1))
    (open_file,) = tmp_path.glob("*.open")
    other = WarcFileWriter(tmp_path)
    other.write_exchange(exchange(2))
    other.close()
    assert open_file.exists(), "a live writer's file is not recovered under its feet"
    live.write_exchange(exchange(3))
    live.close()
    for path in tmp_path.iterdir():
        assert path.suffix == ".gz"
        assert tool("warcio", "check", str(path)).returncode == 0


def test_kill_9_mid_crawl_leaves_whole_records_and_the_next_crawl_finishes_the_file(
    tmp_path: Path,
) -> None:
    db, warc_dir = tmp_path / "archive.db", tmp_path / "warc"
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        start_urls = sorted(server.site.rubrics.values())
        server.delay = 0.05
        victim = regarchive_background(
            "crawl", *start_urls, "--db", str(db), "--warc", str(warc_dir), *FAST
        )
        wait_for_items(db, 6)
        workers = children_of(victim.pid)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        for pid in workers:
            wait_gone(pid)
        server.delay = 0
        (left,) = warc_dir.glob("*.warc.gz.open")
        with sqlite3.connect(db) as conn:
            pointers = conn.execute("SELECT warc_file, warc_offset, html FROM pages").fetchall()
        assert pointers
        for warc_file, offset, html in pointers:  # readable before any recovery
            assert read_response(warc_file, offset).body == zlib.decompress(html)
        rerun = regarchive("crawl", *start_urls, "--db", str(db), "--warc", str(warc_dir), *FAST)
    assert rerun.returncode == 0, rerun.stderr
    assert not list(warc_dir.glob("*.open"))
    finished = left.with_name(left.name.removesuffix(".open"))
    assert finished.exists()
    for path in warc_files(warc_dir):
        assert tool("warcio", "check", str(path)).returncode == 0, path
    with sqlite3.connect(db) as conn:
        pointers = conn.execute("SELECT warc_file, warc_offset, html FROM pages").fetchall()
    for warc_file, offset, html in pointers:
        assert read_response(warc_file, offset).body == zlib.decompress(html)


def wait_for_items(db: Path, count: int) -> None:
    wait_for(lambda: items_in(db) >= count)


def wait_gone(pid: int) -> None:
    wait_for(lambda: not alive(pid), timeout=10)


# -- failures -------------------------------------------------------------------------------


def test_an_unwritable_warc_directory_is_refused_before_the_crawl(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = regarchive(
        "crawl", "http://127.0.0.1:9/-Regions-", "--db", str(tmp_path / "a.db"),
        "--warc", str(blocker / "warc"),
    )  # fmt: skip
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("Error: cannot write WARC files in")
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize(
    "setting",
    ["REGARCHIVE_WARC_MAX_SIZE=0", "REGARCHIVE_WARC_PREFIX=../x", "REGARCHIVE_WARC_SITE_DIRS=[1"],
)
def test_bad_warc_settings_are_refused(tmp_path: Path, setting: str) -> None:
    result = regarchive(
        "crawl", "http://127.0.0.1:9/-Regions-", "--db", str(tmp_path / "a.db"), "-s", setting
    )
    assert result.returncode == 2
    assert f"bad value for {setting.split('=')[0]}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_full_disk_stops_the_crawl_and_leaves_whole_records(tmp_path: Path) -> None:
    """Files that cannot grow (``RLIMIT_FSIZE``, as a full disk fails writes): the crawl stops
    with one line, the write that failed is undone, the file is finished and reads whole."""
    db, warc_dir = tmp_path / "archive.db", tmp_path / "warc"
    rng = random.Random(7)
    with FaultServer() as server:
        paths = [f"/Donnees-{n}" for n in range(40)]
        for path in paths:  # not articles (not HTML): only the WARC files grow
            server.site.pages[path] = html_page(rng.randbytes(50_000), "application/octet-stream")
        server.site.pages["/-Donnees-"] = html_page(listing_page("Données", paths))
        limit = 600_000
        result = subprocess.run(
            [sys.executable, "-c", LIMITED_CLI, str(limit), "crawl", server.url("/-Donnees-"),
             "--db", str(db), "--warc", str(warc_dir), *FAST],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "regarchive: unhealthy crawl: the WARC files could not be written, crawl stopped: "
        "cannot write the WARC file "
    ), last
    (path,) = warc_files(warc_dir)
    assert path.name.endswith(".warc.gz"), "finished (renamed) even so"
    assert path.stat().st_size <= limit
    assert tool("warcio", "check", "-v", str(path)).returncode == 0
    with gzip.open(path) as whole:
        whole.read()
    recorded = [r for r in iter_responses(path) if "/Donnees-" in r.url]
    assert 0 < len(recorded) < len(paths)
    assert all(len(r.body) == 50_000 for r in recorded)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_site_can_have_its_own_warc_directory(tmp_path: Path) -> None:
    """REGARCHIVE_WARC_SITE_DIRS, for configurations that set the directory site by site."""
    own, default = tmp_path / "own", tmp_path / "default"
    with SiteServer(lambda base_url: build_site(base_url, articles=12)) as server:
        site = urlsplit(server.base_url).netloc
        result = regarchive(
            "crawl", *server.site.rubrics.values(), "--db", str(tmp_path / "a.db"),
            "--warc", str(default), "-s", f'REGARCHIVE_WARC_SITE_DIRS={{"{site}": "{own}"}}',
            *FAST,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert not default.exists() or not list(default.iterdir())
    (path,) = warc_files(own)
    assert {urlsplit(r.url).netloc for r in iter_responses(path)} == {site}
