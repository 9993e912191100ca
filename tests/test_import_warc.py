"""``regarchive import-warc``: archives built from WARC files made by other tools.

The sample site is served on 127.0.0.1 and captured three ways: by ``regarchive crawl --warc``,
by wget (``--warc-file``, when wget is installed), and by hand with warcio in the shapes
Heritrix and browsertrix write (WARC 1.0 with DNS records, chunked and gzip-encoded bodies,
deduplicating revisits, metadata records; WARC 1.1 with page-info resources). Whatever made
the files, the import must give the archive a crawl gives: the same items, field for field.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import sqlite3
import subprocess
from base64 import b32encode
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from regarchive.archive.lock import ArchiveLock
from regarchive.demo.server import SiteServer
from regarchive.demo.site import Site, build_site
from tests.support import FAST, export_records, regarchive

# Every test here crawls the sample site or runs the CLI in its own process.
pytestmark = pytest.mark.e2e

UNSEEN = ("id", "first_seen", "last_seen")


def comparable(records: list[dict]) -> dict[str, dict]:
    """Records by URL without what only says when or in which order they were archived."""
    return {r["url"]: {k: v for k, v in r.items() if k not in UNSEEN} for r in records}


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The sample site crawled into an archive with WARC files, and mirrored by wget."""
    work = tmp_path_factory.mktemp("import")
    db, warc = work / "crawl.db", work / "warc"
    wget_file = None
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        start_urls = sorted(server.site.rubrics.values())
        crawl = regarchive("crawl", *start_urls, "--db", str(db), "--warc", str(warc), *FAST)
        assert crawl.returncode == 0, crawl.stderr
        if shutil.which("wget"):
            wget_file = work / "wget" / "site"
            wget_file.parent.mkdir()
            # Everything wget finds, the articles' documents included; exit code 8: the
            # site's 404 traps.
            mirror = work / "wget" / "mirror"
            command = ["wget", "--recursive", "--level=inf", "--no-verbose", "--tries=1",
                       f"--warc-file={wget_file}", "--no-warc-keep-log",
                       f"--directory-prefix={mirror}", *start_urls]  # fmt: skip
            subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
            wget_file = wget_file.with_name("site.warc.gz")
        yield {
            "work": work,
            "db": db,
            "warc_files": sorted(warc.glob("*.warc.gz")),
            "wget": wget_file,
            "records": comparable(export_records(db)),
            "site": server.site,
        }


def test_a_crawls_own_warc_files_import_into_the_same_archive(captured, tmp_path: Path) -> None:
    db = tmp_path / "imported.db"
    result = regarchive("import-warc", *map(str, captured["warc_files"]), "--db", str(db))
    assert result.returncode == 0, result.stderr
    articles = len(captured["site"].articles)
    assert f"items: {articles} new, 0 updated, 0 unchanged" in result.stdout
    assert comparable(export_records(db)) == captured["records"]
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT DISTINCT provenance FROM items").fetchall() == [
            ("import-warc",)
        ]
        pointers = conn.execute("SELECT warc_file, warc_offset FROM pages").fetchall()
    assert pointers and all(Path(f) in captured["warc_files"] and o > 0 for f, o in pointers)


def test_a_wget_warc_file_gives_the_archive_a_crawl_gives(captured, tmp_path: Path) -> None:
    if captured["wget"] is None:
        pytest.skip("wget is not installed")
    assert captured["wget"].exists()
    db = tmp_path / "wget.db"
    result = regarchive("import-warc", str(captured["wget"]), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "rubric listing pages" in result.stdout
    # wget took everything it found (print versions, login pages…): skipped as a crawl would.
    assert "print versions, feeds, admin and search pages" in result.stdout
    assert comparable(export_records(db)) == captured["records"]


def test_importing_again_or_into_the_crawls_archive_duplicates_nothing(
    captured, tmp_path: Path
) -> None:
    files = [str(path) for path in captured["warc_files"]]
    db = tmp_path / "twice.db"
    assert regarchive("import-warc", *files, "--db", str(db)).returncode == 0
    again = regarchive("import-warc", *files, "--db", str(db))
    articles = len(captured["site"].articles)
    assert f"items: 0 new, 0 updated, {articles} unchanged" in again.stdout
    crawl_db = tmp_path / "crawl.db"
    shutil.copy(captured["db"], crawl_db)
    into_crawl = regarchive("import-warc", *files, "--db", str(crawl_db))
    assert f"items: 0 new, 0 updated, {articles} unchanged" in into_crawl.stdout
    for path in (db, crawl_db):
        with closing(sqlite3.connect(path)) as conn:
            assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == articles
            assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 0


# -- files written the way other crawlers write them ----------------------------------------


def payload_digest(body: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(body).digest()).decode()


def chunked(body: bytes, size: int = 1000) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


class HandWriter:
    """WARC records as another crawler would write them, with warcio."""

    def __init__(self, stream: io.BufferedWriter, version: str) -> None:
        self.writer = WARCWriter(stream, gzip=True, warc_version=version)

    def warcinfo(self, name: str, fields: dict[str, str]) -> None:
        self.writer.write_record(self.writer.create_warcinfo_record(name, fields))

    def exchange(
        self,
        url: str,
        body: bytes,
        headers: list[tuple[str, str]],
        status: str = "200 OK",
        extra: dict[str, str] | None = None,
    ) -> None:
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        response = self.writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=http, warc_headers_dict=dict(extra or {}),
        )  # fmt: skip
        path = "/" + url.split("/", 3)[3]
        request = self.writer.create_warc_record(
            url, "request",
            http_headers=StatusAndHeaders(f"GET {path} HTTP/1.1", [("Host", "x")],
                                          is_http_request=True),
        )  # fmt: skip
        self.writer.write_request_response_pair(request, response)

    def record(self, url: str, kind: str, body: bytes, content_type: str, **headers: str) -> None:
        self.writer.write_record(
            self.writer.create_warc_record(
                url, kind, payload=io.BytesIO(body), length=len(body),
                warc_content_type=content_type, warc_headers_dict=headers,
            )
        )  # fmt: skip

    def revisit(self, url: str, original_url: str, original_body: bytes) -> None:
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        self.writer.write_record(
            self.writer.create_revisit_record(
                url, digest=payload_digest(original_body), refers_to_uri=original_url,
                refers_to_date="2026-11-28T10:00:00Z", http_headers=http,
            )
        )  # fmt: skip


def page_of(site: Site, url: str) -> bytes:
    page = site.lookup(url.removeprefix(site.base_url))
    assert page is not None, url
    return page.body


def heritrix_like(site: Site, path: Path) -> list[str]:
    """WARC 1.0 as Heritrix writes it: a DNS record, a listing sent chunked and gzip-encoded
    (recorded as it came over the wire), articles, a redirect, a deduplicating revisit for
    another URL of an article already captured, a metadata record. Returns the article URLs."""
    rubric = "Régions"
    listing_url = site.rubrics[rubric]
    listed = [t for t in site.articles if rubric in t.rubrics][:4]
    with open(path, "wb") as stream:
        out = HandWriter(stream, "1.0")
        out.warcinfo(path.name, {"software": "Heritrix/3.4.0-20220727 http://crawler.archive.org",
                                 "format": "WARC File Format 1.0", "robots": "obey"})  # fmt: skip
        out.record("dns:127.0.0.1", "response", b"20261128100000\n127.0.0.1.\t3600\tIN\tA\t"
                   b"127.0.0.1\n", "text/dns")  # fmt: skip
        body = page_of(site, listing_url)
        out.exchange(listing_url, chunked(gzip.compress(body)), [
            ("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
            ("Transfer-Encoding", "chunked")])  # fmt: skip
        out.record(listing_url, "metadata", b"outlink: " + listed[0].canonical_url.encode(),
                   "application/warc-fields")  # fmt: skip
        first = listed[0]
        alias = site.base_url + "/spip.php?page=article&id_article=1"
        out.exchange(alias, b"", [("Location", first.canonical_url)], status="301 Moved")
        for truth in listed:
            article = page_of(site, truth.canonical_url)
            out.exchange(truth.canonical_url, article, [("Content-Type", "text/html")])
        out.revisit(site.base_url + "/Une-autre-adresse", first.canonical_url,
                    page_of(site, first.canonical_url))  # fmt: skip
    return [truth.canonical_url for truth in listed]


def browsertrix_like(site: Site, path: Path) -> list[str]:
    """WARC 1.1 as browsertrix-crawler writes it: page-info resources, responses carrying the
    page's id, the page's stylesheet beside it."""
    articles = [t for t in site.articles if "Communes" in t.rubrics][:3]
    with open(path, "wb") as stream:
        out = HandWriter(stream, "1.1")
        out.warcinfo(path.name, {"software": "Browsertrix-Crawler 1.5.0 (with warcio.js 2.4.2)",
                                 "format": "WARC File Format 1.1"})  # fmt: skip
        listing = site.rubrics["Communes"]
        for url in [listing, *(t.canonical_url for t in articles)]:
            extra = {"WARC-Page-ID": hashlib.md5(url.encode()).hexdigest(),  # noqa: S324
                     "WARC-Resource-Type": "document",
                     "WARC-JSON-Metadata": '{"ipType":"local","cert":{}}'}  # fmt: skip
            out.exchange(url, page_of(site, url), [("content-type", "text/html")], extra=extra)
            out.exchange(site.base_url + "/local/cache-css/spip.min.css", b"body{}",
                         [("content-type", "text/css")], extra=extra)  # fmt: skip
            out.record("urn:pageinfo:" + url, "resource", b'{"pages":1}', "application/json")
    return [truth.canonical_url for truth in articles]


def test_heritrix_and_browsertrix_shaped_files_import_like_a_crawl(
    captured, tmp_path: Path
) -> None:
    site = captured["site"]
    heritrix, browsertrix = tmp_path / "IAH-20261128.warc.gz", tmp_path / "rec-20261128.warc.gz"
    from_heritrix = heritrix_like(site, heritrix)
    from_browsertrix = browsertrix_like(site, browsertrix)
    db = tmp_path / "archive.db"
    result = regarchive("import-warc", str(heritrix), str(browsertrix), "--db", str(db))
    assert result.returncode == 0, result.stderr
    records = comparable(export_records(db))
    assert sorted(records) == sorted(from_heritrix + from_browsertrix)
    crawled = captured["records"]
    for url, record in records.items():
        expected = crawled[url]
        for name in ("title", "source", "published", "updated", "text", "lang"):
            assert record[name] == expected[name], (url, name)
        # The category may come from a listing label the files do not hold.
        assert record["category"] in (expected["category"], None)
        # Listed in the rubric whose listing page the file holds (and any its page names).
        assert set(record["rubrics"]) <= set(expected["rubrics"])
    rubric_of = {**dict.fromkeys(from_heritrix, "Régions"), **dict.fromkeys(from_browsertrix,
                 "Communes")}  # fmt: skip
    for url, rubric in rubric_of.items():
        assert rubric in records[url]["rubrics"], url
    first = records[from_heritrix[0]]
    assert site.base_url + "/Une-autre-adresse" in first["urls"], "the revisit's URL"
    assert site.base_url + "/spip.php?page=article&id_article=1" in first["urls"], "redirect"
    assert "2 rubric listing pages" in result.stdout  # the chunked, gzip-encoded one too
    assert "4 not HTML" in result.stdout  # the stylesheet, once per page


# -- faults ---------------------------------------------------------------------------------


def test_a_damaged_file_is_imported_up_to_the_damage_and_said_so(captured, tmp_path: Path) -> None:
    whole = b"".join(path.read_bytes() for path in captured["warc_files"])
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole[: len(whole) // 2] + b"\x00garbage" * 100)
    noise = tmp_path / "noise.warc.gz"
    noise.write_bytes(b"this is not a WARC file\n" * 50)
    db = tmp_path / "archive.db"
    result = regarchive("import-warc", str(cut), str(noise), "--db", str(db))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    damaged = [line for line in result.stderr.splitlines() if "is damaged" in line]
    assert len(damaged) == 2, result.stderr
    assert all(line.startswith("regarchive: ") for line in damaged)
    imported = export_records(db)
    assert 0 < len(imported) < len(captured["records"])
    for record in comparable(imported).values():
        expected = captured["records"][record["url"]]
        # A document captured after the damage is linked but not stored.
        assert [a["url"] for a in record.pop("attachments")] == [
            a["url"] for a in expected["attachments"]
        ]
        assert record == {k: v for k, v in expected.items() if k != "attachments"}


def test_a_missing_file_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    result = regarchive("import-warc", str(tmp_path / "absent.warc.gz"), "--db", str(db))
    assert result.returncode == 2
    assert (
        result.stderr.strip().splitlines()[-1] == f"Error: no WARC file {tmp_path}/absent.warc.gz"
    )
    assert not db.exists()


def test_an_import_while_a_crawl_writes_the_archive_exits_75(captured, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with ArchiveLock(db):
        result = regarchive("import-warc", str(captured["warc_files"][0]), "--db", str(db))
    assert result.returncode == 75
    assert "is being written by" in result.stderr
