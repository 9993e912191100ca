"""``regarchive init URL``: a handful of requests, then a [[site]] table that works as it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from regarchive.scraper.site_config import parse_sites
from tests.faults import FaultServer, html_page, listing_page
from tests.support import FAST, export_records, regarchive

pytestmark = pytest.mark.e2e

# robots.txt, the page, SPIP's site map, the sitemap, the feed, one article.
MAX_REQUESTS = 6


def test_init_on_a_spip_site_finds_its_rubrics_feeds_sitemap_and_a_sample(tmp_path: Path) -> None:
    with FaultServer() as server:
        result = regarchive("init", server.url("/"))
        assert result.returncode == 0, result.stderr
        requests = [record.path for record in server.requests]
        assert len(requests) <= MAX_REQUESTS and requests[0] == "/robots.txt"
        assert not any(path.startswith(("/ecrire", "/interne")) for path in requests)
        block = result.stdout
        assert "# CMS: SPIP 4" in block
        assert f"# sitemap: {server.url('/sitemap.xml')}: " in block
        assert f"# feeds: {server.url('/spip.php?page=backend')} (" in block
        assert "# sample article: " in block and "characters of text" in block
        (site,) = parse_sites(block)
        assert sorted(site.start_urls) == sorted(server.site.rubrics.values())
        assert site.discovery is True
        # The block is ready to use: pasted into a sites file, it crawls the whole site.
        config = tmp_path / "sites.toml"
        config.write_text(block, encoding="utf-8")
        db = tmp_path / "archive.db"
        crawl = regarchive("crawl", "--config", str(config), "--db", str(db), *FAST)
        assert crawl.returncode == 0, crawl.stderr
        assert len(export_records(db)) == len(server.site.articles)


def test_init_says_what_it_could_not_work_out(tmp_path: Path) -> None:
    with FaultServer() as server:
        for path in ("/robots.txt", "/sitemap.xml"):
            del server.site.pages[path]
        server.site.pages["/Liste"] = html_page(listing_page("Liste", ["/A", "/B"]))
        result = regarchive("init", server.url("/Liste"))
        assert result.returncode == 0, result.stderr
        unknown = result.stdout.split("# Could not work out:\n", 1)[1].splitlines()
        assert unknown == [
            "# - robots.txt: none (the crawl will fetch everything it finds)",
            "# - no rubric found in the menus or the site map: list the rubric pages in start_urls",
            "# - which CMS the site runs (no <meta name=generator>)",
            f"# - no sitemap at {server.url('/sitemap.xml')}: changes are found from listings only",
            "# - no feed announced (<link rel=alternate type=application/rss+xml>)",
            "# - no sample article (no feed or sitemap listing one)",
        ]
        (site,) = parse_sites(result.stdout)
        assert site.start_urls == (server.url("/Liste"),) and site.discovery is False
        assert server.count() == 3  # robots.txt, the page, /sitemap.xml


def test_init_of_a_site_that_is_down_is_one_line_and_exit_1() -> None:
    result = regarchive("init", "http://127.0.0.1:9/")
    assert result.returncode == 1
    assert result.stderr.strip() == "regarchive: could not read http://127.0.0.1:9/ (no answer)"
    bad = regarchive("init", "ftp://example.org/")
    assert bad.returncode == 2 and "not an http(s) URL" in bad.stderr
