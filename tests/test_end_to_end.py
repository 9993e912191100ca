"""The whole chain for real: the CLI in a subprocess crawls the sample SPIP site served on
127.0.0.1 into a SQLite file; every field of every item is checked against the site's own truth;
a second run changes nothing."""

from __future__ import annotations

import sqlite3

import pytest

from regarchive.demo.server import SiteServer
from regarchive.demo.site import ArticleTruth, build_site
from regarchive.pipelines.extraction.urls import normalize_url
from tests.support import FAST, export_records, regarchive

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

FIELDS = ("title", "category", "rubrics", "source", "published", "updated", "text")


def expected_record(truth: ArticleTruth) -> dict:
    return {
        "title": truth.title,
        "category": truth.category,
        "rubrics": sorted(truth.rubrics, key=str.casefold),
        "source": truth.source,
        "published": truth.published,
        "updated": truth.updated,
        "text": truth.text,
    }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    """Crawl the sample site twice into one archive; keep what each run said and stored."""
    workdir = tmp_path_factory.mktemp("cron-home")
    db = workdir / "data" / "archive.db"
    db.parent.mkdir()
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        start_urls = sorted(server.site.rubrics.values())
        first = regarchive("crawl", *start_urls, "--db", str(db), *FAST, cwd=workdir)
        first_records = export_records(db)
        first_requests = list(server.requests)
        second = regarchive("crawl", *start_urls, "--db", str(db), *FAST, cwd=workdir)
        second_records = export_records(db)
        yield {
            "site": server.site,
            "db": db,
            "first": first,
            "second": second,
            "first_records": first_records,
            "second_records": second_records,
            "requests": first_requests,
        }


def test_first_crawl_is_healthy_and_says_what_it_did(crawled) -> None:
    first = crawled["first"]
    assert first.returncode == 0, first.stderr
    truth_count = len(crawled["site"].articles)
    assert f"items: {truth_count} new, 0 updated, 0 unchanged" in first.stdout
    assert "Traceback" not in first.stderr


def test_one_item_per_article(crawled) -> None:
    records = crawled["first_records"]
    urls = [record["url"] for record in records]
    assert len(urls) == len(set(urls))
    assert sorted(urls) == sorted(t.canonical_url for t in crawled["site"].articles)


@pytest.mark.parametrize("field", FIELDS)
def test_every_field_of_every_item(crawled, field: str) -> None:
    by_url = {record["url"]: record for record in crawled["first_records"]}
    mismatches = {}
    for truth in crawled["site"].articles:
        got = by_url[truth.canonical_url][field]
        want = expected_record(truth)[field]
        if got != want:
            mismatches[truth.canonical_url] = (got, want)
    assert not mismatches, f"{len(mismatches)} items with a wrong {field}: {mismatches}"


def test_every_url_of_an_article_is_kept(crawled) -> None:
    by_url = {record["url"]: record for record in crawled["first_records"]}
    for truth in crawled["site"].articles:
        got = set(by_url[truth.canonical_url]["urls"])
        assert {normalize_url(url) for url in truth.urls} <= got


def test_never_fetched_what_is_not_an_article_or_is_forbidden(crawled) -> None:
    paths = [request.path for request in crawled["requests"]]
    assert paths.count("/robots.txt") == 1
    assert not [p for p in paths if p.startswith("/interne/")], "robots.txt was not obeyed"
    assert not [p for p in paths if "page=imprimer" in p], "a print page was fetched"
    assert not [p for p in paths if p.startswith(("/ecrire", "/prive"))]
    assert not [p for p in paths if "page=login" in p]
    # Feeds are read for what they announce, each once; never archived as articles.
    feeds = [p for p in paths if "page=backend" in p]
    assert feeds and len(feeds) == len(set(feeds))
    assert not any("page=backend" in url for r in crawled["first_records"] for url in r["urls"])
    # PDFs only as the documents articles link, each once; never as articles.
    pdfs = [p for p in paths if p.endswith(".pdf")]
    assert sorted(pdfs) == sorted(f"/IMG/pdf/note-{n}.pdf" for n in crawled["site"].traps["pdf"])


def test_user_agent_names_regarchive(crawled) -> None:
    agents = {request.headers.get("User-Agent", "") for request in crawled["requests"]}
    assert agents and all(agent.startswith("regarchive/") for agent in agents)


def test_rerun_adds_nothing_and_changes_nothing(crawled) -> None:
    second = crawled["second"]
    assert second.returncode == 0, second.stderr
    assert "items: 0 new, 0 updated" in second.stdout

    def stable(records: list[dict]) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "last_seen"} for r in records]

    assert stable(crawled["second_records"]) == stable(crawled["first_records"])


def test_archive_is_consistent_and_records_both_runs(crawled) -> None:
    with sqlite3.connect(crawled["db"]) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        runs = conn.execute(
            "select finish_reason, items_new, items_updated from crawls order by id"
        ).fetchall()
        versions = conn.execute("select count(*) from versions").fetchone()[0]
    assert runs == [("finished", len(crawled["site"].articles), 0), ("finished", 0, 0)]
    assert versions == 0
