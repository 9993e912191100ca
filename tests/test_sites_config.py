"""Sites as configuration: the TOML sites file, ``sites check``, and ``crawl --config``."""

from __future__ import annotations

from pathlib import Path

import pytest

from regarchive.demo.server import SiteServer
from regarchive.demo.site import build_site
from regarchive.pipelines.extraction.hints import ExtractionHints, compile_hint
from regarchive.scraper.site_config import (
    SiteConfigError,
    crawl_overrides,
    parse_sites,
    site_as_dict,
    site_from_dict,
)
from tests.faults import FaultServer
from tests.support import FAST, export_records, regarchive

MINIMAL = """
[[site]]
name = "territoires"
start_urls = ["https://example.org/-Regions-", "https://example.org/-Communes-"]
"""

FULL = """
# Two sites, every key.
[[site]]
name = "territoires"
start_urls = [
    "https://example.org/-Regions-",
    "https://example.org/-Communes-?utm_source=rss",
]
delay = 2
concurrency = 1
discovery = false
revisit_recent_days = 10
revisit_old_every_days = 3
max_pages_per_rubric = 40
attachment_hosts = ["*.gouv.fr", "docs.example.net:8080"]

[site.hints]
article = "div.texte"
byline = "//span[@class='auteurs']"
date = "abbr.published::attr(title)"
category = "p.arbo a:last-of-type"

[[site]]
name = "prefecture"
start_urls = ["https://www.prefecture.example/Actualites"]
hints = { article = "main article" }
"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(SiteConfigError) as caught:
        parse_sites(text, "sites.toml")
    return caught.value.problems


def test_the_minimal_file_is_a_name_and_start_urls() -> None:
    (site,) = parse_sites(MINIMAL)
    assert site.name == "territoires" and site.site == "example.org"
    assert site.start_urls == ("https://example.org/-Regions-", "https://example.org/-Communes-")
    assert site.discovery is True and site.delay is None and not site.hints
    assert site.line == 2


def test_every_key_of_a_site_table_is_read() -> None:
    territoires, prefecture = parse_sites(FULL)
    assert territoires.start_urls[1] == "https://example.org/-Communes-"  # tracking dropped
    assert (territoires.delay, territoires.concurrency, territoires.discovery) == (2.0, 1, False)
    assert (territoires.revisit_recent_days, territoires.revisit_old_every_days) == (10, 3)
    assert territoires.max_pages_per_rubric == 40
    assert territoires.attachment_hosts == ("*.gouv.fr", "docs.example.net:8080")
    assert prefecture.attachment_hosts == ()
    assert territoires.hints.article == compile_hint("div.texte")
    assert territoires.hints.byline is not None and territoires.hints.byline.language == "xpath"
    assert territoires.hints.date is not None
    assert territoires.hints.date.xpath.endswith("/@title")
    assert prefecture.hints == ExtractionHints(article=compile_hint("main article"))
    assert prefecture.delay is None and prefecture.line == 23
    # What the crawl gets: one download slot per site that asks for one, the rest as data.
    overrides = crawl_overrides([territoires, prefecture])
    assert overrides["DOWNLOAD_SLOTS"] == {
        "example.org": {"delay": 2.0, "jitter": 0.0, "concurrency": 1}
    }
    assert [site_from_dict(data) for data in overrides["REGARCHIVE_SITES"]] == [
        territoires,
        prefecture,
    ]
    assert site_as_dict(prefecture)["hints"]["article"]["language"] == "css"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            MINIMAL + "dealy = 2\n",
            "sites.toml:5: unknown key 'dealy' in [[site]] 'territoires'; did you mean 'delay'?",
        ),
        (
            MINIMAL + "concurrency = 0\n",
            "sites.toml:5: concurrency = 0: expected how many requests at once to the site, "
            "a whole number >= 1",
        ),
        (
            MINIMAL + "discovery = 'yes'\n",
            "sites.toml:5: discovery = 'yes': expected true or false",
        ),
        (
            MINIMAL + "attachment_hosts = ['https://www.gouv.fr/docs']\n",
            "sites.toml:5: attachment_hosts = ['https://www.gouv.fr/docs']: expected a list of "
            "host patterns",
        ),
        (
            MINIMAL + "[site.hints]\narticle = 'div..texte'\n",
            "sites.toml:6: hints.article: invalid CSS selector 'div..texte'",
        ),
        (
            MINIMAL + "[site.hints]\ndate = '//abbr['\n",
            "sites.toml:6: hints.date: invalid XPath '//abbr['",
        ),
        (
            MINIMAL + "[site.hints]\ndates = 'abbr'\n",
            "sites.toml:6: unknown hint 'dates' in [[site]] 'territoires'; did you mean 'date'?",
        ),
        (
            '[[site]]\nname = "a"\nstart_urls = ["ftp://example.org/x"]\n',
            "sites.toml:3: start_urls: 'ftp://example.org/x': not an http(s) URL",
        ),
        (
            '[[site]]\nname = "a"\nstart_urls = [\n  "https://a.org/x",\n  "http://[::1",\n]\n',
            "sites.toml:3: start_urls: 'http://[::1': malformed URL",
        ),
        (
            '[[site]]\nname = "a"\nstart_urls = ["https://a.org/x", "https://b.org/y"]\n',
            "sites.toml:3: start_urls: https://b.org/y is not on a.org like the first one; "
            "give each site its own [[site]] table",
        ),
        (
            '[[site]]\nname = "a"\nstart_urls = "https://a.org/x"\n',
            "sites.toml:3: start_urls = 'https://a.org/x': expected a list of rubric URLs",
        ),
        ('[[site]]\nname = "a"\n', "sites.toml:1: [[site]] 'a' has no start_urls; write"),
        (
            MINIMAL + MINIMAL.replace("example.org", "other.org"),
            "sites.toml:6: a second [[site]] named 'territoires' (the first is at line 2); "
            "give it another name",
        ),
        (
            MINIMAL + MINIMAL.replace("territoires", "bis"),
            "sites.toml:6: [[site]] 'bis' is on example.org, like 'territoires' (line 2); put "
            "its start_urls in 'territoires'",
        ),
        ("[site]\nname = 'a'\n", "sites.toml:1: write [[site]], not [site]"),
        ("[[sites]]\nname = 'a'\n", "sites.toml:1: unknown table or key 'sites'; did you mean"),
        ("", "sites.toml:1: no [[site]] table"),
        ("[[site]\n", "sites.toml:1: not valid TOML: "),
        ('[[site]]\nname = "a b/c"\nstart_urls = ["https://a.org/"]\n', "sites.toml:2: name ="),
    ],
    ids=lambda value: value.split(":")[2][:30] if value.startswith("sites.toml") else None,
)
def test_each_problem_names_its_line_and_what_to_write(text: str, expected: str) -> None:
    problems = problems_of(text)
    assert any(problem.startswith(expected) for problem in problems), problems
    assert all("\n" not in problem for problem in problems)


def test_every_problem_of_a_file_is_reported_in_line_order() -> None:
    problems = problems_of(FULL.replace("delay = 2", "dealy = 2").replace("div.texte", "div..x"))
    assert [problem.split(":")[1] for problem in problems] == ["9", "18"]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sites.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.e2e
def test_sites_check_says_ok_or_lists_problems_with_exit_code_2(tmp_path: Path) -> None:
    good = regarchive("sites", "check", str(write(tmp_path, FULL)))
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip().endswith(": 2 sites (territoires, prefecture), 3 start URLs: ok")
    bad = regarchive("sites", "check", str(write(tmp_path, MINIMAL + "dealy = 2\nfoo = 1\n")))
    assert bad.returncode == 2 and bad.stdout == ""
    lines = bad.stderr.splitlines()
    assert len(lines) == 2 and all(
        line.startswith(f"Error: {tmp_path}/sites.toml:") for line in lines
    )
    assert "did you mean 'delay'?" in lines[0] and "Traceback" not in bad.stderr
    missing = regarchive("sites", "check", str(tmp_path / "nowhere.toml"))
    assert missing.returncode == 2 and "nowhere.toml: no such file" in missing.stderr


@pytest.mark.e2e
def test_a_crawl_with_a_bad_config_stops_before_any_request(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with SiteServer(lambda base_url: build_site(base_url)) as server:
        config = (
            f'[[site]]\nname = "demo"\nstart_urls = ["{server.url("/-Regions-")}"]\n'
            '[site.hints]\narticle = "div..texte"\n'
        )
        result = regarchive("crawl", "--config", str(write(tmp_path, config)), "--db", str(db))
        assert result.returncode == 2
        assert result.stderr.strip() == (
            f"Error: {tmp_path}/sites.toml:5: hints.article: invalid CSS selector 'div..texte' "
            "(Expected ident, got <DELIM '.' at 4>)"
        )
        assert server.count() == 0 and not db.exists()
        both = regarchive("crawl", server.url("/-Regions-"), "--config", str(tmp_path / "x"))
        assert both.returncode == 2 and "not both" in both.stderr


def site_table(name: str, server: SiteServer, **keys: object) -> str:
    urls = ", ".join(f'"{url}"' for url in sorted(server.site.rubrics.values()))
    more = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return f'[[site]]\nname = "{name}"\nstart_urls = [{urls}]\n{more}\n'


@pytest.mark.e2e
def test_a_crawl_of_a_config_archives_every_site_and_reports_each(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with (
        SiteServer(lambda base_url: build_site(base_url, articles=12)) as first,
        SiteServer(lambda base_url: build_site(base_url, articles=14, seed=3)) as second,
    ):
        config = site_table("un", first, concurrency=2) + site_table("deux", second)
        path = str(write(tmp_path, config))
        result = regarchive("crawl", "--config", path, "--db", str(db), *FAST)
        assert result.returncode == 0, result.stderr
        records = export_records(db)
        hosts = {first.base_url.split("//")[1]: first, second.base_url.split("//")[1]: second}
        assert {record["site"] for record in records} == set(hosts)
        assert len(records) == len(first.site.articles) + len(second.site.articles)
        # The summary and status have a line per site, with that site's counts.
        for name, host in (("un", first.base_url[7:]), ("deux", second.base_url[7:])):
            server = hosts[host]
            articles = len(server.site.articles)
            line = next(line for line in result.stdout.splitlines() if f"{name} ({host}):" in line)
            assert f" {server.count()} requests," in line
            assert f"items: {articles} new, 0 updated, 0 unchanged" in line
        status = regarchive("status", "--db", str(db))
        sites = status.stdout.split("Sites (run #1)", 1)[1].split("\n\n")[0].splitlines()[2:]
        assert sorted(row.split()[0] for row in sites) == ["deux", "un"]


@pytest.mark.e2e
def test_each_site_keeps_its_own_delay_and_sites_are_crawled_at_once(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with (
        FaultServer(lambda base_url: build_site(base_url, articles=12)) as slow,
        FaultServer(lambda base_url: build_site(base_url, articles=12, seed=5)) as quick,
    ):
        config = site_table("lent", slow, delay=0.4, concurrency=1) + site_table("vif", quick)
        path = str(write(tmp_path, config))
        # AutoThrottle on, starting from no delay at all: it must not lower the slow site's.
        throttled = [
            *FAST,
            *("-s", "AUTOTHROTTLE_ENABLED=True", "-s", "AUTOTHROTTLE_START_DELAY=0"),
        ]
        result = regarchive("crawl", "--config", path, "--db", str(db), *throttled)
        assert result.returncode == 0, result.stderr
        slow_times = sorted(t for p in set(slow.paths()) for t in slow.hits(p))
        quick_times = sorted(t for p in set(quick.paths()) for t in quick.hits(p))
        gaps = [b - a for a, b in zip(slow_times, slow_times[1:], strict=False)]
        # Measured where the server answers, so a little shorter or longer than 0.4 s; without
        # the floor AutoThrottle would bring them to a few ms, and Scrapy's jitter to 0.2 s.
        assert len(gaps) > 15 and min(gaps) >= 0.3, gaps
        # The quick site did not wait for the slow one: it was done while the slow one went on.
        assert quick_times[-1] < slow_times[-1] - 2
