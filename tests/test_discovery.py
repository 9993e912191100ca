"""Reading what sites announce: robots.txt Sitemap: lines, sitemaps, feeds, feed links.

The readers are pure functions over bytes, so hostile documents are given to them directly
here; tests/test_discovery_crawl.py serves them to a real crawl.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from pathlib import Path

import pytest

from regarchive.scraper.discovery.changes import changed_since_fetch, collect
from regarchive.scraper.discovery.feeds import read_feed
from regarchive.scraper.discovery.hint_dates import normalize_hint
from regarchive.scraper.discovery.links import feed_links_in_html
from regarchive.scraper.discovery.sitemaps import (
    default_sitemap_url,
    page_urls,
    read_sitemap,
    sitemaps_from_robots,
)
from regarchive.scraper.discovery.tracker import Discovery, rubric_of_feed
from regarchive.scraper.discovery.xml_reader import BadXml, inflate

SITE = "https://www.example.org"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def urlset(*entries: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {NS}>{"".join(entries)}</urlset>'.encode()
    )


def url(loc: str, lastmod: str | None = None) -> str:
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<url><loc>{loc}</loc>{mod}</url>"


SPIP_ROBOTS = b"""User-agent: *
Allow:    /local/cache-css/
Disallow: /ecrire/
Disallow: /spip.php?action=*
Sitemap: https://www.example.org/sitemap.xml
sitemap: /sitemap.xml?annee=2023
SITEMAP: https://www.example.org/sitemap.xml
Sitemap: https://evil.example.net/sitemap.xml
"""


# -- robots.txt -------------------------------------------------------------------------------


def test_sitemap_lines_of_robots_txt_on_the_site_each_once() -> None:
    found = sitemaps_from_robots(SPIP_ROBOTS, f"{SITE}/robots.txt")
    assert found == [f"{SITE}/sitemap.xml", f"{SITE}/sitemap.xml?annee=2023"]


def test_no_sitemap_line_means_the_default_place() -> None:
    assert sitemaps_from_robots(b"User-agent: *\nDisallow: /ecrire/\n", f"{SITE}/robots.txt") == []
    assert default_sitemap_url(f"{SITE}/-Communes-?x=1") == f"{SITE}/sitemap.xml"


def test_robots_txt_naming_thousands_of_sitemaps_is_capped() -> None:
    body = "".join(f"Sitemap: /s{n}.xml\n" for n in range(5000)).encode()
    assert len(sitemaps_from_robots(body, f"{SITE}/robots.txt")) == 50


def test_robots_txt_in_binary_garbage_gives_nothing() -> None:
    assert sitemaps_from_robots(b"\xff\xfe\x00Sitemap:\xff\xfe", f"{SITE}/robots.txt") == []


# -- sitemaps ---------------------------------------------------------------------------------


def test_a_spip_urlset_gives_every_page_with_its_lastmod() -> None:
    body = urlset(
        url(f"{SITE}/"),
        url(f"{SITE}/-Communes-"),
        url(f"{SITE}/Budget-2024", "2024-03-05T10:00:00+01:00"),
        url(f"{SITE}/spip.php?article12&amp;utm_source=x", "2024-03-05"),
        url(f"{SITE}/Budget-2024", "2024-03-04"),
    )
    sitemap = read_sitemap(body, f"{SITE}/sitemap.xml")
    assert not sitemap.warnings and not sitemap.is_index
    assert [(e.url, e.lastmod) for e in sitemap.entries] == [
        (f"{SITE}/", None),
        (f"{SITE}/-Communes-", None),
        (f"{SITE}/Budget-2024", "2024-03-05T09:00:00Z"),
        (f"{SITE}/spip.php?article12", "2024-03-05"),
    ]


def test_a_sitemap_index_lists_sitemaps_and_a_gzipped_one_is_read() -> None:
    index = (
        f"<sitemapindex {NS}><sitemap><loc>{SITE}/sitemap-1.xml.gz</loc>"
        "<lastmod>2024-01-01</lastmod></sitemap>"
        f"<sitemap><loc>/sitemap-2.xml</loc></sitemap></sitemapindex>"
    ).encode()
    sitemap = read_sitemap(index, f"{SITE}/sitemap.xml")
    assert sitemap.is_index and not sitemap.entries
    assert [e.url for e in sitemap.sitemaps] == [
        f"{SITE}/sitemap-1.xml.gz",
        f"{SITE}/sitemap-2.xml",
    ]
    zipped = gzip.compress(urlset(url(f"{SITE}/A", "2024-02-02")))
    child = read_sitemap(zipped, f"{SITE}/sitemap-1.xml.gz")
    assert [(e.url, e.lastmod) for e in child.entries] == [(f"{SITE}/A", "2024-02-02")]


def test_urls_of_other_sites_and_other_schemes_are_ignored() -> None:
    body = urlset(
        url("https://evil.example.net/A"),
        url("http://www.example.org:8080/B"),
        url("javascript:alert(1)"),
        url("file:///etc/passwd"),
        url(f"{SITE}/C"),
        "<url><lastmod>2024-01-01</lastmod></url>",
    )
    sitemap = read_sitemap(body, f"{SITE}/sitemap.xml")
    assert [e.url for e in sitemap.entries] == [f"{SITE}/C"]
    assert sitemap.warnings == [f"sitemap {SITE}/sitemap.xml: 4 URLs not on this site ignored"]


def test_page_urls_keep_the_latest_lastmod_of_a_url_listed_twice() -> None:
    first = read_sitemap(
        urlset(url(f"{SITE}/A", "2024-01-01"), url(f"{SITE}/B")), "https://www.example.org/1"
    )
    second = read_sitemap(urlset(url(f"{SITE}/A", "2024-02-01")), f"{SITE}/2")
    assert page_urls([first, second]) == {f"{SITE}/A": "2024-02-01", f"{SITE}/B": None}


# -- hostile sitemaps -------------------------------------------------------------------------


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">'.encode()
        for n in range(1, 10)
    )
    + f"]>\n<urlset {NS}><url><loc>{SITE}/&lol9;</loc></url></urlset>".encode()
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    + f"<urlset {NS}><url><loc>{SITE}/&xxe;</loc></url></urlset>".encode()
)
EXTERNAL_DTD = (
    b'<?xml version="1.0"?>\n<!DOCTYPE urlset SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
    + urlset(url(f"{SITE}/A")).split(b"\n", 1)[1]
)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
def test_entity_declarations_are_refused_never_expanded(body: bytes) -> None:
    started = time.perf_counter()
    sitemap = read_sitemap(body, f"{SITE}/sitemap.xml")
    assert time.perf_counter() - started < 5
    assert sitemap.entries == []
    assert sitemap.warnings == [
        f"sitemap {SITE}/sitemap.xml: declares XML entities (refused: sitemaps and feeds need none)"
    ]


def test_an_external_dtd_is_never_fetched() -> None:
    # Port 9 (discard) on loopback: nothing listens; a fetch would fail or hang, not pass.
    sitemap = read_sitemap(EXTERNAL_DTD, f"{SITE}/sitemap.xml")
    assert [e.url for e in sitemap.entries] == [f"{SITE}/A"]


def peak_memory_growth_kb(code: str, data: Path) -> int:
    """How much a fresh Python process's peak memory grows while it runs ``code`` on the bytes
    of ``data`` (``body``), in kB: measured apart, since this process's peak is already high."""
    script = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from regarchive.scraper.discovery.sitemaps import read_sitemap\n"
        "from regarchive.scraper.discovery.xml_reader import read_records\n"
        f"body = Path({str(data)!r}).read_bytes()\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"{code}\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


@pytest.mark.e2e  # measured in a process of its own
def test_a_gzip_bomb_is_refused_at_the_limit_without_inflating_it(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml.gz"
    bomb.write_bytes(gzip.compress(b"<urlset>" + b" " * (200 * 1024 * 1024) + b"</urlset>", 9))
    sitemap = read_sitemap(bomb.read_bytes(), f"{SITE}/s.xml.gz", max_bytes=5 * 1024 * 1024)
    assert sitemap.warnings == [
        f"sitemap {SITE}/s.xml.gz: inflates to more than {5 * 1024 * 1024} bytes (refused)"
    ]
    # With the default limit (50 MB) the bomb's 200 MB are never all in memory.
    grown_kb = peak_memory_growth_kb("print(read_sitemap(body, 'http://a/s').warnings)", bomb)
    assert grown_kb < 120 * 1024
    with pytest.raises(BadXml, match="damaged gzip"):
        inflate(bomb.read_bytes()[:10] + b"\xff" * 50)


def test_an_oversized_sitemap_is_refused() -> None:
    body = urlset(*(url(f"{SITE}/{n}") for n in range(2000)))
    sitemap = read_sitemap(body, f"{SITE}/sitemap.xml", max_bytes=10_000)
    assert sitemap.entries == [] and "over the limit of 10000" in sitemap.warnings[0]


def test_a_sitemap_with_more_urls_than_the_limit_keeps_the_first() -> None:
    body = urlset(*(url(f"{SITE}/{n}") for n in range(500)))
    sitemap = read_sitemap(body, f"{SITE}/sitemap.xml", max_urls=100)
    assert [e.url for e in sitemap.entries] == [f"{SITE}/{n}" for n in range(100)]
    assert sitemap.warnings == [f"sitemap {SITE}/sitemap.xml: more than 100 URLs; the first kept"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        (b"\x00\x01\x02 binary", "not XML"),
        (b"<!DOCTYPE html><html><body><p>Page introuvable</p></body></html>", "not a sitemap"),
        (b'{"urlset": []}', "not XML"),
    ],
    ids=["empty", "binary", "html", "json"],
)
def test_what_is_not_a_sitemap_is_a_warning(body: bytes, reason: str) -> None:
    sitemap = read_sitemap(body, f"{SITE}/sitemap.xml")
    assert sitemap.entries == []
    assert len(sitemap.warnings) == 1 and reason in sitemap.warnings[0]
    assert "\n" not in sitemap.warnings[0]


def test_a_sitemap_cut_off_midway_keeps_what_came_before() -> None:
    body = urlset(*(url(f"{SITE}/{n}") for n in range(10)))[:-60]
    sitemap = read_sitemap(body, f"{SITE}/sitemap.xml")
    assert [e.url for e in sitemap.entries][:8] == [f"{SITE}/{n}" for n in range(8)]


def test_php_warnings_before_the_declaration_are_skipped() -> None:
    body = b"<br />\n<b>Warning</b>: Undefined index in spip.php on line 12<br />\n" + urlset(
        url(f"{SITE}/A")
    )
    assert [e.url for e in read_sitemap(body, f"{SITE}/sitemap.xml").entries] == [f"{SITE}/A"]


def test_deep_nesting_and_huge_text_stay_within_bounds() -> None:
    deep = f"<urlset {NS}>".encode() + b"<x>" * 100_000 + b"</x>" * 100_000 + b"</urlset>"
    sitemap = read_sitemap(deep, f"{SITE}/sitemap.xml")
    assert sitemap.entries == []
    huge = urlset(url(f"{SITE}/{'a' * 20_000_000}"), url(f"{SITE}/B"))
    sitemap = read_sitemap(huge, f"{SITE}/sitemap.xml")
    assert all(len(e.url) < 5000 for e in sitemap.entries)


@pytest.mark.e2e  # measured in a process of its own
def test_a_million_non_record_elements_keep_memory_flat(tmp_path: Path) -> None:
    junk = tmp_path / "junk.xml"
    junk.write_bytes(
        f"<urlset {NS}>".encode()
        + b"<junk>x</junk>" * 1_000_000
        + url(f"{SITE}/A").encode()
        + b"</urlset>"
    )
    grown_kb = peak_memory_growth_kb(
        "assert len(read_records(body, frozenset({'url'})).records) == 1", junk
    )
    # Kept whole, the tree of a million elements takes several hundred MB.
    assert grown_kb < 60 * 1024


# -- feeds ------------------------------------------------------------------------------------

SPIP_BACKEND = f"""<?xml
version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel xml:lang="fr">
  <title>Territoires</title>
  <link>{SITE}/</link>
  <generator>SPIP - www.spip.net</generator>
  <item xml:lang="fr">
    <title>Budget 2024 : le d&#233;tail</title>
    <link>{SITE}/Budget-2024</link>
    <guid isPermaLink="true">{SITE}/Budget-2024</guid>
    <dc:date>2024-03-05T09:00:00Z</dc:date>
    <dc:format>text/html</dc:format>
    <dc:creator>Marie Dupont</dc:creator>
    <dc:subject>Finances</dc:subject>
    <dc:subject>Conseil municipal</dc:subject>
    <description>Le budget a &#233;t&#233; vot&#233;.
-
&lt;a href="{SITE}/-Communes-" rel="directory"&gt;Communes&lt;/a&gt;
/ &lt;a href="{SITE}/+Finances+" rel="tag"&gt;Finances&lt;/a&gt;
    </description>
  </item>
  <item>
    <title>Sans lien</title>
    <guid isPermaLink="false">urn:uuid:1234</guid>
  </item>
  <item>
    <title>Par guid</title>
    <guid>{SITE}/spip.php?article7</guid>
    <pubDate>Tue, 05 Mar 2024 10:00:00 +0100</pubDate>
    <category>Voirie</category>
  </item>
  <item><title>Ailleurs</title><link>https://evil.example.net/x</link></item>
</channel>
</rss>
""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Territoires</title>
  <entry>
    <title type="html">Voirie</title>
    <link rel="edit" href="/edit/3"/>
    <link rel="alternate" type="text/html" href="/Voirie-3"/>
    <published>2024-01-02T08:00:00+01:00</published>
    <updated>2024-02-03T08:00:00+01:00</updated>
    <category term="travaux" label="Travaux"/>
  </entry>
</feed>
"""

RDF = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="{SITE}/"><title>T</title></channel>
  <item rdf:about="{SITE}/Ecoles"><title>Écoles</title><dc:date>2023-09-01</dc:date></item>
</rdf:RDF>
""".encode()


def test_a_spip_backend_feed_gives_links_dates_keywords_and_rubric() -> None:
    feed = read_feed(SPIP_BACKEND, f"{SITE}/spip.php?page=backend&id_rubrique=3")
    budget, by_guid = feed.entries
    assert budget.url == f"{SITE}/Budget-2024" and budget.title == "Budget 2024 : le détail"
    assert budget.published == "2024-03-05T09:00:00Z" and budget.updated is None
    assert budget.date_hint == "2024-03-05T09:00:00Z"
    assert budget.categories == ("Finances", "Conseil municipal")
    assert (budget.rubric_url, budget.rubric_name) == (f"{SITE}/-Communes-", "Communes")
    assert by_guid.url == f"{SITE}/spip.php?article7"
    assert by_guid.published == "2024-03-05T09:00:00Z" and by_guid.categories == ("Voirie",)
    assert feed.warnings == [
        f"feed {SITE}/spip.php?page=backend&id_rubrique=3: 1 links to other sites ignored"
    ]


def test_atom_and_rss_1_feeds_are_read() -> None:
    (entry,) = read_feed(ATOM, f"{SITE}/feed.atom").entries
    assert entry.url == f"{SITE}/Voirie-3"
    assert (entry.published, entry.updated) == ("2024-01-02T07:00:00Z", "2024-02-03T07:00:00Z")
    assert entry.date_hint == entry.updated and entry.categories == ("Travaux",)
    (item,) = read_feed(RDF, f"{SITE}/rss").entries
    assert (item.url, item.title, item.published) == (f"{SITE}/Ecoles", "Écoles", "2023-09-01")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (BILLION_LAUGHS.replace(b"urlset", b"rss"), "declares XML entities"),
        (b"<html><body>Erreur 500</body></html>", "not an RSS or Atom feed"),
        (gzip.compress(b"<rss>" + b" " * (20 * 1024 * 1024)), "inflates to more than"),
        (b"not xml at all", "not XML"),
    ],
    ids=["entities", "html", "gzip-bomb", "garbage"],
)
def test_a_hostile_or_broken_feed_is_one_warning(body: bytes, reason: str) -> None:
    feed = read_feed(body, f"{SITE}/spip.php?page=backend")
    assert feed.entries == [] and len(feed.warnings) == 1 and reason in feed.warnings[0]


def test_a_feed_with_thousands_of_items_is_capped() -> None:
    items = "".join(f"<item><link>{SITE}/{n}</link></item>" for n in range(3000))
    feed = read_feed(f"<rss><channel>{items}</channel></rss>".encode(), f"{SITE}/rss")
    assert len(feed.entries) == 1000 and "more than 1000 entries" in feed.warnings[0]


# -- feed links on pages ----------------------------------------------------------------------


def test_feed_links_announced_by_a_spip_rubric_page() -> None:
    page = b"""<html><head>
    <link rel="alternate" type="application/rss+xml" title="Syndiquer tout le site"
      href="spip.php?page=backend">
    <link rel="alternate" type="application/rss+xml" title="Communes"
      href="spip.php?page=backend&amp;id_rubrique=3">
    <link rel="alternate" type="application/rss+xml" href="https://evil.example.net/rss">
    <link rel="stylesheet" type="text/css" href="style.css">
    <link rel="alternate" hreflang="en" href="/en/">
    </head><body><a href="spip.php?page=backend" type="application/rss+xml">RSS 2.0</a>
    </body></html>"""
    links = feed_links_in_html(page, f"{SITE}/-Communes-")
    assert [(link.url, link.title) for link in links] == [
        (f"{SITE}/spip.php?page=backend", "Syndiquer tout le site"),
        (f"{SITE}/spip.php?page=backend&id_rubrique=3", "Communes"),
    ]
    assert feed_links_in_html(b"", SITE) == [] and feed_links_in_html(b"\x00\xff", SITE) == []


# -- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("2024-03-05", "2024-03-05"),
        ("2024-03-05T10:00:00+01:00", "2024-03-05T09:00:00Z"),
        ("2024-03-05T09:00Z", "2024-03-05T09:00:00Z"),
        ("2024-03-05T10:00:00", "2024-03-05T10:00:00"),
        ("Tue, 05 Mar 2024 10:00:00 +0100", "2024-03-05T09:00:00Z"),
        ("mardi 5 mars 2024", "mardi 5 mars 2024"),
        ("2024-02-31", "2024-02-31"),
        ("  ", None),
        (None, None),
        ("x" * 500, "x" * 64),
    ],
)
def test_one_date_gives_one_hint(text: str | None, hint: str | None) -> None:
    assert normalize_hint(text) == hint


# -- changes since the last fetch -------------------------------------------------------------


def test_sitemaps_and_feeds_are_collected_into_one_listing_per_page() -> None:
    sitemap = read_sitemap(
        urlset(url(f"{SITE}/Budget-2024", "2024-03-05"), url(f"{SITE}/Vieux")), f"{SITE}/s.xml"
    )
    feed = read_feed(SPIP_BACKEND, f"{SITE}/spip.php?page=backend&id_rubrique=3")
    listed = collect([sitemap], [(feed, "Rubrique du flux")])
    budget = listed[f"{SITE}/Budget-2024"]
    assert budget.hints == {"sitemap": "2024-03-05", "feed": "2024-03-05T09:00:00Z"}
    assert budget.rubric == "Communes"  # the item's own rel="directory" wins over the feed's
    assert budget.categories == ("Finances", "Conseil municipal")
    assert budget.published == "2024-03-05T09:00:00Z"
    assert listed[f"{SITE}/Vieux"].hints == {"sitemap": ""}
    assert listed[f"{SITE}/spip.php?article7"].rubric == "Rubrique du flux"


@pytest.mark.parametrize(
    ("now", "at_fetch", "changed"),
    [
        ({"sitemap": "2024-03-05"}, {"sitemap": "2024-03-05"}, False),
        ({"sitemap": "2024-03-06"}, {"sitemap": "2024-03-05"}, True),
        ({"sitemap": ""}, {"sitemap": "2024-03-05"}, False),  # lastmod gone: SPIP after a day
        ({}, {"sitemap": "2024-03-05"}, False),
        ({"sitemap": "2024-03-05"}, None, True),  # dated for the first time
        ({"sitemap": "2024-03-05"}, {"sitemap": ""}, True),
        ({"sitemap": ""}, None, False),
        ({"sitemap": "2024-03-05", "feed": "2024-01-01"}, {"sitemap": "2024-03-05"}, True),
        ({"feed": "2024-01-01"}, {"sitemap": "2024-03-05", "feed": "2024-01-01"}, False),
    ],
)
def test_a_page_changed_when_a_source_dates_it_otherwise_than_at_its_last_fetch(
    now: dict[str, str], at_fetch: dict[str, str] | None, changed: bool
) -> None:
    assert changed_since_fetch(now, at_fetch) is changed


# -- the books of a crawl's discovery ----------------------------------------------------------


def test_a_site_is_complete_once_robots_sitemaps_listings_and_feeds_are_all_answered() -> None:
    roots = [f"{SITE}/-Communes-", f"{SITE}/-Regions-"]
    discovery = Discovery([*roots, "https://other.example/-X-"], sites=[SITE[8:]])
    assert discovery.of("https://other.example/-X-") is None
    assert discovery.complete("https://other.example/-X-")
    assert not discovery.complete(roots[0]) and discovery.listed(roots[0]) == {}
    index = (
        f"<sitemapindex {NS}><sitemap><loc>{SITE}/s1.xml</loc></sitemap>"
        f"<sitemap><loc>{SITE}/s2.xml</loc></sitemap></sitemapindex>"
    ).encode()
    assert discovery.robots(f"{SITE}/robots.txt", SPIP_ROBOTS) == [
        f"{SITE}/sitemap.xml",
        f"{SITE}/sitemap.xml?annee=2023",
    ]
    assert discovery.robots(f"{SITE}/robots.txt", SPIP_ROBOTS) == []  # once
    assert discovery.sitemap(f"{SITE}/sitemap.xml", index) == [f"{SITE}/s1.xml", f"{SITE}/s2.xml"]
    assert discovery.sitemap(f"{SITE}/sitemap.xml?annee=2023", None) == []  # failed
    discovery.sitemap(f"{SITE}/s1.xml", urlset(url(f"{SITE}/Budget-2024", "2024-03-05")))
    discovery.sitemap(f"{SITE}/s2.xml", b"<html>404</html>")
    feeds = feed_links_in_html(
        b'<link rel="alternate" type="application/rss+xml" '
        b'href="/spip.php?page=backend&amp;id_rubrique=3">',
        roots[0],
    )
    assert discovery.listing_read(roots[0], feeds) == [
        f"{SITE}/spip.php?page=backend&id_rubrique=3"
    ]
    assert discovery.listing_read(roots[1], feeds) == []  # asked already
    assert not discovery.complete(roots[0])  # the feed is pending
    rubric = rubric_of_feed(feeds[0].url, "Communes")
    discovery.feed(feeds[0].url, SPIP_BACKEND, rubric)
    assert discovery.complete(roots[0])
    listed = discovery.listed(roots[1])
    assert listed[f"{SITE}/Budget-2024"].hints == {
        "sitemap": "2024-03-05",
        "feed": "2024-03-05T09:00:00Z",
    }
    assert listed[f"{SITE}/spip.php?article7"].rubric == "Communes"
    books = discovery.of(roots[0])
    assert books is not None and books.sitemap_read
    assert any("not a sitemap" in warning for warning in books.warnings)


def test_without_sitemap_lines_the_default_is_asked_and_a_stalled_site_can_be_given_up() -> None:
    discovery = Discovery([f"{SITE}/-Communes-"], sites=[SITE[8:]])
    assert discovery.robots(f"{SITE}/robots.txt", None) == [f"{SITE}/sitemap.xml"]
    assert discovery.give_up() == [SITE[8:]]
    assert discovery.complete(f"{SITE}/-Communes-") and discovery.listed(SITE) == {}
    assert rubric_of_feed(f"{SITE}/spip.php?page=backend", "Communes") is None


def test_a_site_announcing_hundreds_of_sitemaps_gets_fifty_read() -> None:
    discovery = Discovery([f"{SITE}/-Communes-"], sites=[SITE[8:]])
    discovery.robots(f"{SITE}/robots.txt", None)
    children = "".join(f"<sitemap><loc>/s{n}.xml</loc></sitemap>" for n in range(500))
    index = f"<sitemapindex {NS}>{children}</sitemapindex>"
    asked = discovery.sitemap(f"{SITE}/sitemap.xml", index.encode())
    assert len(asked) == 49  # and the first one
    books = discovery.of(SITE)
    assert books is not None and any("more than 50 sitemaps" in w for w in books.warnings)
