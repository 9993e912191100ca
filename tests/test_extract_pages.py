"""Saved pages → records: every fixture page against its hand-checked expected record.

Each ``tests/fixtures/pages/NAME.html`` has a ``NAME.json`` holding the whole expected record
(``content_hash`` aside, checked against the text) and, under ``_input``, what to call
``extract_record`` with.
"""

from __future__ import annotations

import json
import pickle
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from regarchive.pipelines.extraction.core import extract_record
from regarchive.pipelines.extraction.page import block_lines, decode_body, parse_html, parse_page
from regarchive.pipelines.extraction.text import fingerprint

PAGES = Path(__file__).parent / "fixtures" / "pages"
NAMES = sorted(path.stem for path in PAGES.glob("*.json"))
# Fixed, so that "future date" stays future and every other date stays past.
TODAY = date(2025, 12, 31)
RECORD_KEYS = {
    "url", "urls", "site", "title", "category", "category_source", "rubrics", "source",
    "published",
    "published_source", "updated", "updated_source", "text", "lang", "content_hash", "related",
    "attachments", "warnings", "is_article",
}  # fmt: skip


def _load(name: str) -> tuple[bytes, dict[str, Any]]:
    expected = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return (PAGES / f"{name}.html").read_bytes(), expected


def _extract(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    body, expected = _load(name)
    given = expected.pop("_input")
    record = extract_record(
        body,
        given["url"],
        content_type=given.get("content_type"),
        final_url=given.get("final_url"),
        today=TODAY,
    )
    return record, expected


def test_there_are_enough_fixture_pages() -> None:
    assert len(NAMES) >= 12
    assert all((PAGES / f"{name}.html").exists() for name in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_record_matches_expected(name: str) -> None:
    record, expected = _extract(name)
    assert set(record) == RECORD_KEYS
    assert record["content_hash"] == fingerprint(record["text"])
    for key, value in expected.items():
        assert record[key] == value, f"{name}: {key}"


@pytest.mark.parametrize("name", NAMES)
def test_record_is_plain_data(name: str) -> None:
    record, _ = _extract(name)
    assert json.loads(json.dumps(record)) == record
    assert pickle.loads(pickle.dumps(record)) == record


def test_extraction_is_repeatable() -> None:
    first, _ = _extract("seed_regions_spip3")
    second, _ = _extract("seed_regions_spip3")
    assert first == second


def test_seed_page_keeps_what_the_naive_extraction_lost() -> None:
    record, _ = _extract("seed_regions_spip3")
    text = record["text"]
    assert text.count("Ces régions bénéficieront désormais") == 1
    assert "Commission Européenne - 2017-12-12" not in text
    assert "Dans la même rubrique" not in text
    assert "Actu - Régions" not in text and "Circ. - Régions" not in text
    assert {item["category"] for item in record["related"]} == {"Actu", "Circ."}


def test_sidebar_dates_never_date_the_article() -> None:
    record, _ = _extract("no_date")
    assert record["published"] is None
    assert record["updated"] is None  # "Dernière mise à jour du site" sits in the footer


def test_windows_1252_fixture_is_really_encoded_so() -> None:
    body = (PAGES / "windows1252_meta.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "Cœur de ville" in decode_body(body, "text/html")[1]


def test_latin1_page_needs_its_http_charset() -> None:
    body = (PAGES / "iso88591_http_header.html").read_bytes()
    encoding, text = decode_body(body, "text/html; charset=ISO-8859-1")
    assert encoding == "cp1252"  # browsers and Scrapy read ISO-8859-1 as its superset
    assert "dérogation" in text


# --- decoding and parsing -----------------------------------------------------------------


def test_decode_prefers_http_charset_over_meta() -> None:
    body = '<meta charset="utf-8"><p>Région</p>'.encode("cp1252")
    assert "Région" in decode_body(body, "text/html; charset=windows-1252")[1]


@pytest.mark.parametrize("declared", ["gb2312", "iso-8859-1", "windows-1252"])
def test_valid_utf8_is_read_as_utf8_whatever_its_meta_says(declared: str) -> None:
    # A page re-encoded to UTF-8 whose declaration was left as it was.
    body = f'<meta charset="{declared}"><p>Région, 人工智能</p>'.encode()
    assert decode_body(body, "text/html") == ("utf-8", body.decode())
    assert decode_body(body)[0] == "utf-8"


def test_the_http_charset_still_wins_over_utf8_bytes() -> None:
    body = '<meta charset="utf-8"><p>Région</p>'.encode()
    assert "RÃ©gion" in decode_body(body, "text/html; charset=windows-1252")[1]


def test_decode_reads_bom() -> None:
    body = "\ufeff<p>Région</p>".encode("utf-16-le")
    assert "Région" in decode_body(body)[1]


def test_decode_reads_meta_http_equiv() -> None:
    body = (
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>l’État</p>'
    ).encode("cp1252")
    assert "l’État" in decode_body(body)[1]


def test_nul_bytes_are_removed() -> None:
    encoding, text = decode_body(b"<p>Al\x00sace</p>", "text/html; charset=utf-8")
    assert text == "<p>Alsace</p>"


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n",
        "<title>Sans corps</title>",
        "<html><head><title>Sans corps</title></head></html>",
        "<p>Pas de <b>fermeture",
        '<?xml version="1.0" encoding="iso-8859-1"?><html><body><p>Prologue</p></body></html>',
        "<div><p>un</div><p>deux</table>",
    ],
)
def test_parse_always_gives_a_body(html: str) -> None:
    tree = parse_html(html)
    assert tree.tag == "html"
    assert tree.body is not None


def test_xml_prolog_encoding_is_ignored_once_decoded() -> None:
    body = '<?xml version="1.0" encoding="iso-8859-1"?><html><body><p>Été</p></body></html>'
    page = parse_page(body.encode("utf-8"), "text/html; charset=utf-8")
    assert block_lines(page.body) == ["Été"]


@pytest.mark.parametrize(
    "body",
    [b"", b"\x00\x00", b"<html></html>", b"<html><body></body></html>", b"\xff\xfe\x00"],
)
def test_degenerate_pages_give_an_empty_non_article(body: bytes) -> None:
    record = extract_record(body, "https://example.test/spip.php?article1", today=TODAY)
    assert record["text"] == ""
    assert record["is_article"] is False
    assert record["published"] is None


def test_empty_article_warns() -> None:
    html = '<body class="page_article"><h1 class="entry-title">Titre seul</h1></body>'
    record = extract_record(html.encode(), "https://example.test/spip.php?article2", today=TODAY)
    assert record["is_article"] is True
    assert record["text"] == ""
    assert "empty text" in record["warnings"]
    assert "no publication date found" in record["warnings"]
