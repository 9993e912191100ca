"""The whole chain on every other skeleton of the sample site: the CLI in a subprocess crawls the
same articles served as a SPIPr/Zpip site, an Escal site and a WordPress site, each with its own
markup for headers, surtitres, dates, bylines, sidebars, tags and pagers; every field of every
item is checked against the site's truth, every page of every rubric is read, no listing, pager
or tag page becomes an item, and a second run adds nothing."""

from __future__ import annotations

import pytest

from regarchive.demo.server import SiteServer
from regarchive.demo.site import ArticleTruth, build_site, skeleton_names
from regarchive.pipelines.extraction.urls import normalize_url
from tests.support import FAST, export_records, regarchive

pytestmark = pytest.mark.e2e

SKELETONS = [name for name in skeleton_names() if name != "spip-dist"]
FIELDS = ("title", "category", "rubrics", "source", "published", "updated", "text")
# Enough articles for a rubric of two listing pages, few enough for a quick crawl.
ARTICLES = 36


def expected(truth: ArticleTruth, field: str) -> object:
    if field == "rubrics":
        return sorted(truth.rubrics, key=str.casefold)
    return getattr(truth, field)


@pytest.fixture(scope="module", params=SKELETONS)
def crawled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Crawl one skeleton's site twice into one archive; keep what each run said and stored."""
    skeleton = request.param
    workdir = tmp_path_factory.mktemp(skeleton)
    db = workdir / "archive.db"
    with SiteServer(lambda base: build_site(base, articles=ARTICLES, skeleton=skeleton)) as server:
        start_urls = sorted(server.site.rubrics.values())
        first = regarchive("crawl", *start_urls, "--db", str(db), *FAST, cwd=workdir)
        records = export_records(db)
        requests = [r.path for r in server.requests]
        second = regarchive("crawl", *start_urls, "--db", str(db), *FAST, cwd=workdir)
        yield {
            "skeleton": skeleton,
            "site": server.site,
            "first": first,
            "second": second,
            "records": records,
            "second_records": export_records(db),
            "requests": requests,
        }


def test_first_crawl_archives_every_article_once(crawled) -> None:
    first, site = crawled["first"], crawled["site"]
    assert first.returncode == 0, first.stderr
    assert f"items: {len(site.articles)} new, 0 updated, 0 unchanged" in first.stdout
    urls = [record["url"] for record in crawled["records"]]
    # No listing, pager, tag or home page became an item: only the articles did, once each.
    assert sorted(urls) == sorted(t.canonical_url for t in site.articles)


@pytest.mark.parametrize("field", FIELDS)
def test_every_field_of_every_item(crawled, field: str) -> None:
    by_url = {record["url"]: record for record in crawled["records"]}
    wrong = {
        t.canonical_url: (by_url[t.canonical_url][field], expected(t, field))
        for t in crawled["site"].articles
        if by_url[t.canonical_url][field] != expected(t, field)
    }
    assert not wrong, f"{crawled['skeleton']}: {len(wrong)} items with a wrong {field}: {wrong}"


def test_every_url_and_attachment_of_an_article_is_kept(crawled) -> None:
    site = crawled["site"]
    by_url = {record["url"]: record for record in crawled["records"]}
    with_pdf = set(site.traps["pdf"])
    for truth in site.articles:
        record = by_url[truth.canonical_url]
        assert {normalize_url(url) for url in truth.urls} <= set(record["urls"])
        pdfs = [a["url"] for a in record["attachments"]]
        if truth.number in with_pdf:
            assert len(pdfs) == 1 and pdfs[0].endswith(f"note-{truth.number}.pdf"), pdfs
            assert record["attachments"][0]["pages"] == 1
        else:
            assert pdfs == []


def test_every_page_of_every_rubric_is_read(crawled) -> None:
    site, requests = crawled["site"], crawled["requests"]
    listing_pages = [
        site.listing_path(rubric, page)
        for rubric in site.rubric_infos()
        for page in range(site.page_count(rubric))
    ]
    assert any(site.page_count(r) > 1 for r in site.rubric_infos()), "no rubric has a pager"
    assert not [p for p in listing_pages if p not in requests], "a listing page was not read"
    assert not [p for p in listing_pages if requests.count(p) > 1], "a listing page read twice"


def test_rerun_adds_nothing(crawled) -> None:
    second = crawled["second"]
    assert second.returncode == 0, second.stderr
    assert "items: 0 new, 0 updated" in second.stdout

    def stable(records: list[dict]) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "last_seen"} for r in records]

    assert stable(crawled["second_records"]) == stable(crawled["records"])
