"""Redirects and the site boundary: chains are followed, loops and off-site redirects are not
(and are recorded), links to other sites are never requested, robots.txt is obeyed.

"Another site" is a second loopback server (:class:`Bystander`) on another address (127.0.0.2)
or on another port of 127.0.0.1: Scrapy's own off-site filter only compares host names, so the
second case is the one that needs our port check.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from tests.faults import (
    Bystander,
    FaultServer,
    article_page,
    html_page,
    listing_page,
    redirect,
)
from tests.support import FAST, export_records, regarchive

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

LISTING = "/-Detours-"
TEXT = ["Une délibération du conseil départemental sur l’entretien des routes communales."]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    db = tmp_path_factory.mktemp("redirects") / "archive.db"
    with (
        FaultServer() as server,
        Bystander("127.0.0.2") as other_host,
        Bystander("127.0.0.1") as other_port,
    ):
        pages = server.site.pages
        pages["/Chaine-1"] = redirect("/Chaine-2", 301)
        pages["/Chaine-2"] = redirect(server.url("/Chaine-3"), 302)
        pages["/Chaine-3"] = redirect("/Arrivee", 307)
        pages["/Arrivee"] = html_page(article_page("Arrivée", TEXT))
        pages["/Boucle-a"] = redirect("/Boucle-b")
        pages["/Boucle-b"] = redirect("/Boucle-a")
        pages["/Vers-un-autre-hote"] = redirect(other_host.base_url + "/article")
        pages["/Vers-un-autre-port"] = redirect(other_port.base_url + "/article")
        links = [
            "/Chaine-1",
            "/Boucle-a",
            "/Vers-un-autre-hote",
            "/Vers-un-autre-port",
            other_host.base_url + "/Lien-direct",
            other_port.base_url + "/Lien-direct",
            server.site.traps["disallowed_url"],  # robots.txt: Disallow: /interne/
        ]
        pages[LISTING] = html_page(listing_page("Détours", links))
        result = regarchive(
            "crawl",
            server.url(LISTING),
            "--db",
            str(db),
            *FAST,
            "-s",
            "REGARCHIVE_EXTRACT_WORKERS=0",
        )
        yield {
            "server": server,
            "db": db,
            "result": result,
            "bystanders": (other_host, other_port),
        }


def errors(db) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT url, error FROM crawl_errors"))


def test_a_redirect_chain_is_followed_and_every_url_kept(crawled) -> None:
    server = crawled["server"]
    records = {r["url"]: r for r in export_records(crawled["db"])}
    record = records[server.url("/Arrivee")]
    assert record["text"] == TEXT[0]
    assert server.url("/Chaine-1") in record["urls"]
    assert [path for path in server.paths() if path.startswith("/Chaine")] == [
        "/Chaine-1",
        "/Chaine-2",
        "/Chaine-3",
    ]


def test_a_redirect_loop_is_recorded_not_followed_forever(crawled) -> None:
    server = crawled["server"]
    assert server.paths().count("/Boucle-a") == 1
    assert server.paths().count("/Boucle-b") == 1
    assert "redirect loop" in errors(crawled["db"])[server.url("/Boucle-a")]


@pytest.mark.parametrize("path", ["/Vers-un-autre-hote", "/Vers-un-autre-port"])
def test_a_redirect_to_another_site_is_recorded_not_followed(crawled, path: str) -> None:
    error = errors(crawled["db"])[crawled["server"].url(path)]
    assert error.startswith("redirected off site to http://127.0.0.")
    assert "not followed" in error


def test_nothing_is_ever_requested_from_another_site(crawled) -> None:
    for bystander in crawled["bystanders"]:
        assert bystander.requests == []  # neither the pages nor their robots.txt


def test_robots_txt_is_obeyed(crawled) -> None:
    assert not [p for p in crawled["server"].paths() if p.startswith("/interne/")]
    result = crawled["result"]
    assert "1 URL skipped as robots.txt asks" in result.stdout + result.stderr


def test_the_run_reports_what_it_did_not_follow(crawled) -> None:
    result = crawled["result"]
    assert "Traceback" not in result.stderr
    assert "2 redirects to other sites not followed" in (result.stdout + result.stderr)
    assert "1 page lost in redirect loops or chains" in (result.stdout + result.stderr)
