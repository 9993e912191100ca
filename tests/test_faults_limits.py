"""Limits: each has a sane default, is a setting, stops what it must and is reported when hit.

One crawl over six start URLs, each a trap: endless pagination (page limit), a listing linking
to itself, 10,000 links on one page (links limit), a chain of related articles (depth limit),
pages too big to be articles (size limit: 50 MB with and without Content-Length, a gzip bomb),
and a related link too long to be a URL (URL length limit). Limits are lowered with ``-s`` /
``--max-pages-per-rubric`` to keep the run short; the defaults are checked on their own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from regarchive.scraper import settings as defaults
from regarchive.scraper.setting_table import BY_NAME
from tests.faults import (
    FaultServer,
    Huge,
    article_page,
    gzip_bomb,
    html_page,
    listing_page,
)
from tests.support import FAST, export_records, regarchive

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

TEXT = ["Le syndicat intercommunal a voté son budget primitif pour l’année à venir."]
MAX_PAGES = 5
MAX_LINKS = 100
DEPTH = 3
CROWD = 10_000
CHAIN = 8
LONG_PATH = "Trop-" + "long-" * 500  # 2,505 characters: over Scrapy's URLLENGTH_LIMIT (2,083)
BIG = 50 * 1024 * 1024


def chain_page(number: int) -> bytes:
    """Article ``number`` of the chain, whose "Dans la même rubrique" block links the next."""
    aside = (
        '<aside class="aside"><div class="menu"><h2>Dans la même rubrique</h2><ul>'
        f'<li><a href="/Chaine-{number + 1}">Chaîne {number + 1}</a></li></ul></div></aside>'
    )
    return article_page(f"Chaîne {number}", TEXT, aside=aside)


def overlong_link_page() -> bytes:
    """An article whose "Dans la même rubrique" block links a URL longer than URLLENGTH_LIMIT."""
    aside = (
        '<aside class="aside"><div class="menu"><h2>Dans la même rubrique</h2><ul>'
        f'<li><a href="/{LONG_PATH}">Trop long</a></li>'
        '<li><a href="/Voisin">Voisin</a></li></ul></div></aside>'
    )
    return article_page("Lien trop long", TEXT, aside=aside)


def build_traps(server: FaultServer) -> list[str]:
    pages = server.site.pages
    for offset in range(0, 10 * 50, 10):  # far more pages than MAX_PAGES
        path = "/-Sans-fin-" + (f"?debut_articles={offset}" if offset else "")
        nxt = f"/-Sans-fin-?debut_articles={offset + 10}"
        pages[path] = html_page(listing_page("Sans fin", ["/Fin-1", "/Fin-2"], next_href=nxt))
    for path in ("/Fin-1", "/Fin-2"):
        pages[path] = html_page(article_page(path[1:], TEXT))
    pages["/-Miroir-"] = html_page(
        listing_page("Miroir", ["/-Miroir-", "/Reflet"], next_href="/-Miroir-")
    )
    pages["/Reflet"] = html_page(article_page("Reflet", TEXT))
    pages["/-Foule-"] = html_page(listing_page("Foule", [f"/Foule-{i}" for i in range(CROWD)]))
    for i in range(MAX_LINKS):
        pages[f"/Foule-{i}"] = html_page(article_page(f"Foule {i}", TEXT))
    pages["/-Chaine-"] = html_page(listing_page("Chaîne", ["/Chaine-1"]))
    for number in range(1, CHAIN + 1):
        pages[f"/Chaine-{number}"] = html_page(chain_page(number))
    pages["/-Lourd-"] = html_page(
        listing_page("Lourd", ["/Lourd-annonce", "/Lourd-flux", "/Bombe", "/Leger"])
    )
    server.fault("/Lourd-annonce", Huge(size=BIG, content_length=True))
    server.fault("/Lourd-flux", Huge(size=BIG, content_length=False))
    pages["/Bombe"] = gzip_bomb(BIG)
    pages["/Leger"] = html_page(article_page("Léger", TEXT))
    pages["/-Long-"] = html_page(listing_page("Long", ["/Lien-long"]))
    pages["/Lien-long"] = html_page(overlong_link_page())
    pages["/Voisin"] = html_page(article_page("Voisin", TEXT))
    return ["/-Sans-fin-", "/-Miroir-", "/-Foule-", "/-Chaine-", "/-Lourd-", "/-Long-"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    db = tmp_path_factory.mktemp("limits") / "archive.db"
    with FaultServer() as server:
        starts = build_traps(server)
        result = regarchive(
            "crawl",
            *(server.url(path) for path in starts),
            "--db",
            str(db),
            "--max-pages-per-rubric",
            str(MAX_PAGES),
            *FAST,
            *("-s", "REGARCHIVE_EXTRACT_WORKERS=0"),
            *("-s", f"REGARCHIVE_MAX_LINKS_PER_PAGE={MAX_LINKS}"),
            *("-s", f"DEPTH_LIMIT={DEPTH}"),
        )
        yield {"server": server, "db": db, "result": result, "output": result.stdout}


def paths(crawled: dict, prefix: str) -> list[str]:
    return [p for p in crawled["server"].paths() if p.startswith(prefix)]


def test_the_run_survives_every_trap(crawled) -> None:
    result = crawled["result"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_endless_pagination_stops_at_the_page_limit(crawled) -> None:
    assert len(paths(crawled, "/-Sans-fin-")) == MAX_PAGES
    assert (
        "1 rubric stopped at the page limit (REGARCHIVE_MAX_PAGES_PER_RUBRIC)"
        in (crawled["output"])
    )


def test_a_listing_linking_to_itself_is_read_once(crawled) -> None:
    assert paths(crawled, "/-Miroir-") == ["/-Miroir-"]
    assert paths(crawled, "/Reflet") == ["/Reflet"]


def test_ten_thousand_links_on_one_page_are_capped(crawled) -> None:
    assert len(paths(crawled, "/Foule-")) == MAX_LINKS
    assert (
        "1 listing page with more links than REGARCHIVE_MAX_LINKS_PER_PAGE" in (crawled["output"])
    )
    archived = [r for r in export_records(crawled["db"]) if "/Foule-" in r["url"]]
    assert len(archived) == MAX_LINKS


def test_the_depth_limit_stops_a_chain_of_related_articles(crawled) -> None:
    # listing (depth 0) → Chaine-1 (1) → Chaine-2 (2) → Chaine-3 (3); Chaine-4 is too deep
    assert paths(crawled, "/Chaine-") == [f"/Chaine-{n}" for n in range(1, DEPTH + 1)]
    assert "1 link beyond DEPTH_LIMIT not followed" in crawled["output"]


def test_an_overlong_related_link_is_not_followed(crawled) -> None:
    assert paths(crawled, "/Voisin") == ["/Voisin"]  # its neighbour in the block is
    assert paths(crawled, "/Trop-") == []
    assert "1 link longer than URLLENGTH_LIMIT not followed" in crawled["output"]


def test_pagination_does_not_count_as_depth(crawled) -> None:
    # Five listing pages deep, yet their articles were fetched with DEPTH_LIMIT=3.
    assert paths(crawled, "/Fin-") and len(paths(crawled, "/-Sans-fin-")) > DEPTH


@pytest.mark.parametrize(
    ("path", "what"),
    [("/Lourd-annonce", "body"), ("/Lourd-flux", "body"), ("/Bombe", "decompressed body")],
)
def test_a_page_over_the_size_limit_is_skipped_and_recorded(crawled, path: str, what: str) -> None:
    with sqlite3.connect(crawled["db"]) as conn:
        (error,) = conn.execute(
            "SELECT error FROM crawl_errors WHERE url = ?", (crawled["server"].url(path),)
        ).fetchone()
    assert error == f"{what} larger than 20 MB (DOWNLOAD_MAXSIZE): skipped"
    assert "3 pages over the size limit (DOWNLOAD_MAXSIZE) skipped" in crawled["output"]
    assert crawled["server"].url("/Leger") in {r["url"] for r in export_records(crawled["db"])}


def test_limits_have_sane_defaults_and_are_checked_settings() -> None:
    assert defaults.DOWNLOAD_TIMEOUT == 30
    assert defaults.DOWNLOAD_MAXSIZE == 20 * 1024 * 1024
    assert defaults.DOWNLOAD_WARNSIZE == 5 * 1024 * 1024
    assert defaults.DEPTH_LIMIT == 50
    assert defaults.REGARCHIVE_MAX_PAGES_PER_RUBRIC == 500
    assert defaults.REGARCHIVE_MAX_LINKS_PER_PAGE == 1000
    assert defaults.REGARCHIVE_MAX_QUERY_VARIANTS == 50
    assert defaults.REGARCHIVE_RETRY_AFTER_MAX == 120
    limits = {
        "DOWNLOAD_TIMEOUT",
        "DOWNLOAD_MAXSIZE",
        "DOWNLOAD_WARNSIZE",
        "DEPTH_LIMIT",
        "URLLENGTH_LIMIT",
        "REGARCHIVE_MAX_PAGES_PER_RUBRIC",
        "REGARCHIVE_MAX_LINKS_PER_PAGE",
        "REGARCHIVE_MAX_QUERY_VARIANTS",
        "REGARCHIVE_RETRY_AFTER_MAX",
    }
    assert limits <= set(BY_NAME)
