"""Hostile content: pages whose trouble is in their bytes, crawled for real.

Each page is linked from one listing; the crawl must go through all of them, archive what is an
article (flagging what is doubtful in ``warnings``), skip what is not, record what cannot be
extracted, expand no XML entity and write no file named by the server.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from regarchive.pipelines.extraction.core import extract_record
from regarchive.scraper.failures import CallbackErrorsMiddleware
from tests.faults import FaultServer, article_page, html_page, listing_page
from tests.support import FAST, export_records, regarchive

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

LISTING = "/-Contenus-"
TEXT = [
    "Le conseil régional a adopté mardi une délibération sur les transports scolaires.",
    "Les communes concernées seront informées par courrier dans les prochaines semaines.",
]
CLEAN = "\n".join(TEXT)
TEXTE_DIV = b'<div class="texte entry-content">'
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY a "hahahahahahahahahahaha">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
    )
    + b"]>\n"
)
# A title, a canonical link and a text as an attacker would write them into an archive.
INJECTION = "Robert'); DROP TABLE items;--"


def hostile_pages(server: FaultServer) -> dict[str, object]:
    """Path → page of every hostile page (bytes for articles, Page for the rest)."""
    pdf_path = next(path for path in server.site.pages if path.endswith(".pdf"))
    nested = article_page("Balises imbriquées", TEXT)
    return {
        "/Binaire": html_page(server.site.pages[pdf_path].body),  # a PDF said to be HTML
        "/Sans-body": html_page(
            (
                "<html><head><title>Sans body</title></head><h1>Sans body</h1>"
                "<p class='info-publi'>Publié le 12/03/2024</p>"
                + "".join(f"<p>{line}</p>" for line in TEXT)
                + "</html>"
            ).encode()
        ),
        "/Imbrique": html_page(nested.replace(TEXTE_DIV, TEXTE_DIV + b"<div><b>" * 100)),
        "/Imbrique-a-l-infini": html_page(
            nested.replace(TEXTE_DIV, TEXTE_DIV + b"<div><span>" * 5000)
        ),
        "/Octets-nuls": html_page(
            article_page("Octets nuls", TEXT).replace("régional".encode(), "r\x00égional".encode())
        ),
        "/UTF-8-annonce-windows-1252": html_page(
            article_page("Encodage mêlé", TEXT, declared="windows-1252"),
            "text/html; charset=windows-1252",
        ),
        "/UTF-8-meta-windows-1252": html_page(  # re-encoded, its <meta> left as it was
            article_page("Encodage mêlé", TEXT, declared="windows-1252"), "text/html"
        ),
        "/Windows-1252-annonce-UTF-8": html_page(
            article_page("Encodage mêlé", TEXT, charset="windows-1252", declared="utf-8"),
            "text/html",
        ),
        "/Sans-texte": html_page(article_page("Article sans texte", [])),
        "/Date-impossible": html_page(
            article_page("Date impossible", TEXT, date_line="Publié le 31/02/2024")
        ),
        "/Date-future": html_page(
            article_page("Date future", TEXT, date_line="Publié le 12/03/2099")
        ),
        "/Barre-laterale": html_page(
            article_page("Barre latérale", [*TEXT, "Imprimer cet article"])
        ),
        "/Paragraphes-repetes": html_page(  # the chapô pasted again as the text
            article_page("Répétitions", TEXT).replace(
                TEXTE_DIV,
                b'<div class="chapo">'
                + "".join(f"<p>{line}</p>" for line in TEXT).encode()
                + b"</div>"
                + TEXTE_DIV,
            )
        ),
        "/Entites": html_page(
            LAUGHS
            + b'<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Rires</title></head>'
            + b'<body class="page_article"><h1>Rires</h1><p>&i;</p><p>'
            + TEXT[0].encode()
            + b"</p></body></html>",
            "application/xhtml+xml",
        ),
        "/Canonique-cassee": html_page(
            article_page("Canonique cassée", TEXT).replace(
                b"<title>", b"<link rel='canonical' href='http://[::1' /><title>"
            )
        ),
        "/Nom-de-fichier": html_page(
            article_page("Nom de fichier", TEXT),
            **{"Content-Disposition": 'attachment; filename="../../../evil.html"'},
        ),
        "/Injection?id=1%27%20OR%20%271%27=%271": html_page(article_page(INJECTION, TEXT)),
    }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    home = tmp_path_factory.mktemp("content")
    db = home / "data" / "archive.db"
    with FaultServer() as server:
        pages = hostile_pages(server)
        for path, page in pages.items():
            server.site.pages[path] = page
        # One broken link among good ones must not cost the listing its other links.
        links = [*pages, "http://[::1/broken", "http://127.0.0.1:99999/port"]
        server.site.pages[LISTING] = html_page(listing_page("Contenus", links))
        started = time.monotonic()
        result = regarchive(
            "crawl", server.url(LISTING), "--db", str(db), *FAST, cwd=home, timeout=120
        )
        seconds = time.monotonic() - started
        records = {r["url"].removeprefix(server.base_url): r for r in export_records(db)}
        yield {
            "server": server,
            "home": home,
            "db": db,
            "result": result,
            "seconds": seconds,
            "records": records,
        }


def warnings_of(crawled: dict, path: str) -> list[str]:
    return crawled["records"][path]["warnings"]


def test_the_crawl_goes_through_every_hostile_page(crawled) -> None:
    result = crawled["result"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    requested = set(crawled["server"].paths())
    assert set(hostile_pages(crawled["server"])) <= requested


def test_a_binary_file_served_as_html_is_skipped(crawled) -> None:
    assert "/Binaire" not in crawled["records"]
    assert "1 page not HTML (binary files) skipped" in crawled["result"].stdout


@pytest.mark.parametrize("path", ["/Sans-body", "/Imbrique", "/Octets-nuls"])
def test_broken_html_is_archived_with_its_text(crawled, path: str) -> None:
    record = crawled["records"][path]
    assert record["text"] == CLEAN
    assert record["published"] == "2024-03-12"
    assert "\x00" not in record["title"] + record["text"]


def test_tags_nested_beyond_the_parser_depth_are_flagged_not_fatal(crawled) -> None:
    assert "empty text" in warnings_of(crawled, "/Imbrique-a-l-infini")


@pytest.mark.parametrize(
    ("path", "warning"),
    [
        ("/UTF-8-annonce-windows-1252", "suspicious text: wrongly decoded characters"),
        ("/Windows-1252-annonce-UTF-8", "suspicious text: bytes invalid in the declared encoding"),
    ],
)
def test_a_page_lying_about_its_encoding_is_flagged(crawled, path: str, warning: str) -> None:
    assert any(w.startswith(warning) for w in warnings_of(crawled, path))


def test_a_utf8_page_whose_meta_names_another_charset_is_read_as_utf8(crawled) -> None:
    # No charset in the HTTP header, valid UTF-8 bytes: the stale <meta> is not believed.
    record = crawled["records"]["/UTF-8-meta-windows-1252"]
    assert (record["title"], record["text"]) == ("Encodage mêlé", CLEAN)
    assert not any(w.startswith("suspicious") for w in record["warnings"])


def test_an_article_with_no_text_is_flagged(crawled) -> None:
    record = crawled["records"]["/Sans-texte"]
    assert (record["title"], record["text"]) == ("Article sans texte", "")
    assert "empty text" in record["warnings"]


@pytest.mark.parametrize(
    ("path", "warning"),
    [
        ("/Date-impossible", "impossible date '31/02/2024' ignored"),
        ("/Date-future", "future date '12/03/2099' ignored"),
    ],
)
def test_an_impossible_or_future_date_leaves_published_null(crawled, path, warning) -> None:
    record = crawled["records"][path]
    assert record["published"] is None
    assert record["warnings"] == [warning, "no publication date found"]
    assert record["text"] == CLEAN


def test_suspicious_text_is_flagged(crawled) -> None:
    assert warnings_of(crawled, "/Barre-laterale") == [
        "suspicious text: sidebar or navigation line 'Imprimer cet article' in the text"
    ]
    assert warnings_of(crawled, "/Paragraphes-repetes") == ["repeated paragraphs removed: 2"]
    assert crawled["records"]["/Paragraphes-repetes"]["text"] == CLEAN
    short = extract_record(article_page("Brève", ["Voir le document joint."]), "http://x.org/a")
    assert short["warnings"] == ["suspicious text: very short (23 characters)"]


def test_xml_entities_are_never_expanded(crawled) -> None:
    record = crawled["records"]["/Entites"]
    assert "haha" not in record["text"]
    assert len(json.dumps(record)) < 10_000
    assert crawled["seconds"] < 60


def test_a_malformed_canonical_link_does_not_cost_the_page(crawled) -> None:
    url = crawled["server"].url("/Canonique-cassee")
    record = crawled["records"]["/Canonique-cassee"]
    assert record["url"] == url
    assert record["title"] == "Canonique cassée"


def test_a_page_whose_extraction_fails_is_recorded_and_the_crawl_goes_on() -> None:
    """The safety net behind extraction: any exception becomes a recorded error item."""
    import asyncio

    from regarchive.pipelines.extractor import PageExtractor

    extractor = PageExtractor(get_crawler().stats, workers=0)
    page = {"url": "http://127.0.0.1:1/x", "status": 200, "body": "not bytes", "fetched_at": "t"}
    result = asyncio.run(extractor.extract(page))
    assert result["url"] == "http://127.0.0.1:1/x"
    assert result["stage"] == "extraction"
    assert result["error"].startswith("extraction failed: ")


def test_nothing_is_written_under_a_server_given_name(crawled) -> None:
    home: Path = crawled["home"]
    written = sorted(p.relative_to(home).as_posix() for p in home.rglob("*") if p.is_file())
    # The archive, its WAL files and its lock: nothing else, whatever the server suggested.
    assert written and all(name.startswith("data/archive.db") for name in written), written
    assert not list(home.parent.glob("evil*")) and not list(Path.cwd().glob("evil*"))


def test_hostile_strings_are_stored_as_data(crawled) -> None:
    path = "/Injection?id=1%27%20OR%20%271%27=%271"
    assert crawled["records"][path]["title"] == INJECTION
    with sqlite3.connect(crawled["db"]) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == len(crawled["records"])
    shown = regarchive("history", "x' OR '1'='1", "--db", str(crawled["db"]))
    assert shown.returncode != 0 and "Traceback" not in shown.stderr


def test_a_spider_callback_that_raises_becomes_a_recorded_failure() -> None:
    """The safety net behind the spider's own guards (malformed links are skipped first)."""
    crawler = get_crawler()
    middleware = CallbackErrorsMiddleware.from_crawler(crawler)
    response = HtmlResponse(
        "http://127.0.0.1:1/Article?utm_source=x", body=b"<html></html>", request=None
    )
    (error,) = middleware.process_spider_exception(response, KeyError("href"))
    assert (error.url, error.status) == ("http://127.0.0.1:1/Article", 200)
    assert error.error == "could not read the page: KeyError: 'href'"
    assert crawler.stats.get_value("regarchive/errors/parse") == 1
