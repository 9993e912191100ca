"""Sitemaps and feeds in a real crawl: reruns that ask only what changed, articles found beyond
the listing pages walked, and hostile announcements that cost nothing but a warning."""

from __future__ import annotations

import gzip
import re
import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from regarchive.demo.content import RUBRICS, RubricInfo
from regarchive.demo.server import SiteServer
from regarchive.demo.site import Site, build_site
from tests.faults import Bystander, FaultServer, Status, html_page
from tests.support import FAST, export_records, regarchive
from tests.test_discovery import BILLION_LAUGHS, EXTERNAL_ENTITY

pytestmark = pytest.mark.e2e

ARTICLES = 80  # several listing pages per rubric: old articles lie beyond the first


def is_announcement(path: str) -> bool:
    return path in ("/robots.txt", "/sitemap.xml") or path.startswith("/spip.php?page=backend")


def crawl(server: SiteServer, db: Path, *more: str):
    result = regarchive(
        "crawl", *sorted(server.site.rubrics.values()), "--db", str(db), *FAST, *more
    )
    assert result.returncode == 0, result.stderr
    return result


def test_reruns_fetch_only_what_the_sitemap_says_changed(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url, articles=ARTICLES)) as server:
        site = server.site
        first_pages = {urlsplit_path(url) for url in site.rubrics.values()}
        feeds = 1 + len(site.rubrics)  # the site's feed and one per rubric
        crawl(server, db)
        server.reset()

        unchanged = crawl(server, db)
        paths = [record.path for record in server.requests]
        # robots.txt + the sitemap + the feeds + the first page of each rubric: no article.
        assert sorted(paths) == sorted(
            ["/robots.txt", "/sitemap.xml", *feed_paths(site), *first_pages]
        )
        assert len(paths) == 2 + feeds + len(first_pages)
        assert "items: 0 new, 0 updated, 0 unchanged" in unchanged.stdout
        assert f"{len(site.articles)} known articles unchanged according to" in unchanged.stdout

        # Three old articles are corrected on the site, far beyond the first listing pages
        # (not those with an attached PDF: its document would be checked again too).
        with_pdf = set(site.traps["pdf"])
        oldest = sorted(
            (a for a in site.articles if a.published and a.number not in with_pdf),
            key=lambda a: (a.published, a.number),
        )[:3]
        today = date.today().isoformat()
        for article in oldest:
            site.update_article(
                article.number, text=article.text + "\nUn paragraphe ajouté.", updated=today
            )
        server.reset()
        changed = crawl(server, db)
        paths = [record.path for record in server.requests]
        articles = [path for path in paths if not is_announcement(path) and path not in first_pages]
        assert sorted(articles) == sorted(urlsplit_path(a.canonical_url) for a in oldest)
        assert len(paths) == 2 + feeds + len(first_pages) + 3
        assert "items: 0 new, 3 updated, 0 unchanged" in changed.stdout
        assert "3 known articles changed according to the site's sitemap or feeds" in changed.stdout
    records = {record["url"]: record for record in export_records(db)}
    for article in oldest:
        record = records[article.canonical_url]
        assert record["updated"] == today and record["text"].endswith("Un paragraphe ajouté.")
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("select count(*) from versions").fetchone()[0] == 3
        # What the sitemap said at each fetch is what the next run compares with.
        hints = dict(conn.execute("select url, hint from page_hints where source = 'sitemap'"))
    assert {hints[article.canonical_url] for article in oldest} == {today}


def test_an_article_beyond_the_listing_pages_walked_is_archived(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url, articles=ARTICLES)) as server:
        crawl(server, db)
        # Published late but dated long ago: last in its listing, where the walk that stops
        # at the first page does not go; and the feeds, served from a stale cache, do not have
        # it. Only the sitemap shows it.
        feeds = {path: server.site.pages[path] for path in feed_paths(server.site)}
        (added,) = server.site.add_articles(1, published=date(2019, 3, 4))
        for path, page in feeds.items():
            server.site.pages[path] = page
        server.reset()
        result = crawl(server, db)
        fetched = [record.path for record in server.requests]
    assert urlsplit_path(added.canonical_url) in fetched
    assert "1 page only a sitemap or feed lists fetched to learn their rubric" in result.stdout
    records = {record["url"]: record for record in export_records(db)}
    assert records[added.canonical_url]["title"] == added.title
    assert records[added.canonical_url]["published"] == "2019-03-04"


def test_pages_a_sitemap_lists_outside_the_crawled_rubrics_are_looked_at_once(
    tmp_path: Path,
) -> None:
    with SiteServer(lambda base_url: build_site(base_url, articles=ARTICLES)) as server:
        regions = server.site.rubrics["Régions"]
        db = tmp_path / "archive.db"
        all_new = ("-s", "REGARCHIVE_DISCOVERY_MAX_NEW=1000")
        # The first crawl reads the listing to its end: nothing of it can be beyond.
        first = regarchive("crawl", regions, "--db", str(db), *FAST, *all_new)
        assert first.returncode == 0, first.stderr
        assert "only a sitemap or feed lists" not in first.stdout
        # A rerun stops paging at the first page: the sitemap's dated pages nothing linked are
        # looked at, once, and those of other rubrics are not archived.
        second = regarchive("crawl", regions, "--db", str(db), *FAST, *all_new)
        assert second.returncode == 0, second.stderr
        looked = re.search(r"(\d+) pages? of rubrics not crawled looked at", second.stdout)
        assert looked is not None and int(looked.group(1)) > 10, second.stdout
        # Exactly what a crawl without discovery archives: nothing of the other rubrics.
        plain = tmp_path / "plain.db"
        without = regarchive(
            "crawl", regions, "--db", str(plain), *FAST, "-s", "REGARCHIVE_DISCOVERY=False"
        )
        assert without.returncode == 0, without.stderr
        assert {r["url"] for r in export_records(db)} == {r["url"] for r in export_records(plain)}
        server.reset()
        third = regarchive("crawl", regions, "--db", str(db), *FAST, *all_new)
        assert third.returncode == 0, third.stderr
        # Remembered as looked at: not fetched again while the sitemap says nothing new.
        assert all(is_announcement(r.path) or r.path == "/-Regions-" for r in server.requests)


def test_an_article_only_its_rubric_feed_shows_is_archived_under_that_rubric(
    tmp_path: Path,
) -> None:
    db = tmp_path / "archive.db"
    with FaultServer(lambda base_url: build_site(base_url, articles=24)) as server:
        crawl(server, db)
        # The listing is served from a stale cache; the rubric's feed has the new article.
        communes = urlsplit_path(server.site.rubrics["Communes"])
        stale = server.site.pages[communes]
        (added,) = server.site.add_articles(1, published=date.today())
        server.site.pages[communes] = stale
        crawl(server, db)
    records = {record["url"]: record for record in export_records(db)}
    if added.canonical_url not in records:
        pytest.fail(f"{added.canonical_url} not archived")
    assert "Communes" in records[added.canonical_url]["rubrics"]


def test_a_feed_date_fills_in_a_page_that_shows_none_and_says_so(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with FaultServer() as server:
        base = server.base_url
        server.site.pages["/robots.txt"] = html_page(b"User-agent: *\n", "text/plain")
        server.site.pages["/-Breves-"] = html_page(
            (
                "<html><head><title>Brèves</title><link rel='alternate' "
                "type='application/rss+xml' href='/spip.php?page=backend&amp;id_rubrique=9'>"
                "</head><body><main><h1>Brèves</h1><ul><li class='hentry'>"
                "<a href='/Breve-sans-date'>Une brève</a></li></ul></main></body></html>"
            ).encode()
        )
        server.site.pages["/Breve-sans-date"] = html_page(
            (
                "<html lang='fr'><head><title>Une brève</title></head><body><main>"
                "<h1 class='entry-title'>Une brève sans date</h1><div class='texte'>"
                "<p>Le syndicat des eaux a renouvelé son bureau lors de sa dernière séance, "
                "et fixé le calendrier des travaux de l’année.</p></div></main></body></html>"
            ).encode()
        )
        server.site.pages["/spip.php?page=backend&id_rubrique=9"] = html_page(
            (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item>'
                f"<title>Une brève sans date</title><link>{base}/Breve-sans-date</link>"
                "<dc:date>2024-05-06T08:00:00Z</dc:date></item></channel></rss>"
            ).encode(),
            "application/rss+xml",
        )
        result = regarchive("crawl", f"{base}/-Breves-", "--db", str(db), *FAST)
        assert result.returncode == 0, result.stderr
    (record,) = export_records(db)
    assert record["published"] == "2024-05-06" and record["published_source"] == "feed"
    assert "publication date from the site's feed (the page shows none)" in record["warnings"]
    assert "no publication date found" not in record["warnings"]


def test_hostile_sitemaps_and_feeds_cost_a_warning_and_the_crawl_goes_on(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    log = tmp_path / "crawl.log"
    with (
        FaultServer(lambda base_url: build_site(base_url, articles=24)) as server,
        Bystander() as other,
    ):
        site = server.site
        robots = site.pages["/robots.txt"].body.decode()  # its Disallow rules, its sitemap
        site.pages["/robots.txt"] = html_page(
            (
                f"{robots}Sitemap: {server.base_url}/bomb.xml.gz\n"
                f"Sitemap: {other.base_url}/sitemap.xml\n"
            ).encode(),
            "text/plain",
        )
        site.pages["/sitemap.xml"] = html_page(BILLION_LAUGHS, "application/xml")
        site.pages["/bomb.xml.gz"] = html_page(
            gzip.compress(b"<urlset>" + b" " * (80 * 1024 * 1024) + b"</urlset>", 9),
            "application/gzip",
        )
        for path in feed_paths(site)[:2]:
            site.pages[path] = html_page(EXTERNAL_ENTITY.replace(b"urlset", b"rss"), "text/xml")
        for path in feed_paths(site)[2:]:
            site.pages[path] = html_page(b"<rss><channel><item><link>/A</link>", "text/xml")
        result = regarchive(
            "crawl", *sorted(site.rubrics.values()), "--db", str(db), "--log-file", str(log), *FAST
        )
        assert other.requests == []
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    archived = {record["url"] for record in export_records(db)}
    assert archived == {article.canonical_url for article in site.articles}, archived ^ {
        article.canonical_url for article in site.articles
    }
    text = log.read_text(encoding="utf-8")
    assert "declares XML entities (refused" in text
    assert "inflates to more than" in text
    assert "problems with sitemaps or feeds, which were read as far as possible" in result.stdout
    assert "/etc/passwd" not in "".join(r["text"] for r in export_records(db))


def test_discovery_can_be_turned_off_per_site(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url, articles=24)) as server:
        urls = ", ".join(f'"{url}"' for url in sorted(server.site.rubrics.values()))
        config = tmp_path / "sites.toml"
        config.write_text(
            f'[[site]]\nname = "demo"\nstart_urls = [{urls}]\ndiscovery = false\n'
            "max_pages_per_rubric = 1\n",
            encoding="utf-8",
        )
        result = regarchive("crawl", "--config", str(config), "--db", str(db), *FAST)
        assert result.returncode == 0, result.stderr
        paths = [record.path for record in server.requests]
    assert "/sitemap.xml" not in paths and not any("page=backend" in p for p in paths)
    assert not any("debut_articles" in p for p in paths)  # one listing page per rubric
    assert "rubrics stopped at the page limit" in result.stdout


def feed_paths(site: Site) -> list[str]:
    return ["/spip.php?page=backend"] + [
        f"/spip.php?page=backend&id_rubrique={rubric.id}" for rubric in site_rubrics(site)
    ]


def site_rubrics(site: Site) -> list[RubricInfo]:
    return [rubric for rubric in RUBRICS if rubric.name in site.rubrics]


def urlsplit_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_sitemaps_and_feeds_in_error_are_warnings_not_failed_pages(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with FaultServer(lambda base_url: build_site(base_url, articles=24)) as server:
        server.fault("/sitemap.xml", Status(status=500))
        for path in feed_paths(server.site):
            server.fault(path, Status(status=404))
        result = crawl(server, db)
        assert "could not be fetched (see the log)" in result.stdout
        assert len(export_records(db)) == len(server.site.articles)
        # Not on the list of failed pages the next run tries again as articles.
        assert "failed in an earlier run" not in crawl(server, db).stdout
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("select count(*) from crawl_errors").fetchone()[0] == 0
