"""The bundled sample SPIP site and its loopback server: what is served, and that the truth the
end-to-end tests compare against really is what the pages say."""

from __future__ import annotations

import hashlib
import html
import http.client
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, timezone
from email.utils import format_datetime
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
import pytest

from regarchive.demo.content import CP1252_PARAGRAPH, affdate
from regarchive.demo.server import SiteServer
from regarchive.demo.site import ArticleTruth, Page, Site, build_site
from tests import support

LABEL = re.compile(r"^(Actu|Circ\.) - ")


@pytest.fixture(scope="module")
def shared_server() -> Iterator[SiteServer]:
    """One server for the module (tests/conftest.py's ``server`` is one per test)."""
    support.require_e2e("the sample site's server")
    with SiteServer(lambda base_url: build_site(base_url)) as running:
        yield running


@pytest.fixture()
def fresh(shared_server: SiteServer) -> SiteServer:
    """The shared server, its request log and pages as they were at the start."""
    shared_server.reset()
    return shared_server


@pytest.fixture(scope="module")
def site() -> Site:
    return build_site("http://127.0.0.1:8000")


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def tree(body: bytes) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(body)


def squash(text: str) -> str:
    return " ".join(text.split())


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def html_pages(site: Site) -> Iterator[tuple[str, lxml.html.HtmlElement]]:
    for path in site.pages:
        page = site.pages[path]
        if page.content_type.startswith("text/html"):
            yield site.url(path), tree(page.body)


def links_to(site: Site, truth: ArticleTruth) -> list[tuple[str, str, str]]:
    """(page url, absolute href without fragment, label) of every link to the article."""
    found = []
    targets = set(truth.urls)
    for page_url, root in html_pages(site):
        for anchor in root.iter("a"):
            href = anchor.get("href")
            if not href:
                continue
            absolute = urldefrag(urljoin(page_url, href))[0].split("?utm_", 1)[0]
            if absolute in targets:
                found.append((page_url, absolute, squash(anchor.text_content())))
    return found


# --- served over HTTP ------------------------------------------------------------------------


@pytest.mark.e2e
def test_robots_txt(fresh: SiteServer) -> None:
    status, headers, body = fetch(fresh.url("/robots.txt"))
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    lines = body.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for rule in ("Disallow: /ecrire/", "Disallow: /spip.php?page=login*", "Disallow: /interne/"):
        assert rule in lines
    assert f"Sitemap: {fresh.base_url}/sitemap.xml" in lines


@pytest.mark.e2e
def test_listing_has_ten_items_and_spip_pagination(fresh: SiteServer) -> None:
    site = fresh.site
    status, _, body = fetch(site.rubrics["Régions"])
    assert status == 200
    root = tree(body)
    assert root.body.get("class") == "pas_surlignable page_rubrique"
    items = root.cssselect("li.hentry")
    assert len(items) == 10
    for item in items:
        assert item.cssselect("strong > a") and item.cssselect("div.introduction")
    assert [a.get("href") for a in root.cssselect("link[rel=next]")] == [
        site.url("/-Regions-?debut_articles=10")
    ]
    page_links = root.cssselect("nav.pagination a.lien_pagination")
    assert [a.get("href") for a in page_links] == [
        "-Regions-?debut_articles=10#pagination_articles"
    ]
    assert page_links[0].get("rel") == "nofollow"
    assert root.cssselect("nav.pagination li.on.active > span")[0].text == "0"

    status, _, body = fetch(site.url("/-Regions-?debut_articles=10"))
    second = tree(body)
    assert status == 200 and 1 <= len(second.cssselect("li.hentry")) <= 10
    assert second.cssselect("link[rel=canonical]")[0].get("href") == site.rubrics["Régions"]

    _, _, body = fetch(site.rubrics["Départements"])
    departements = tree(body)
    assert not departements.cssselect("link[rel=next]")
    (suivant,) = [a for a in departements.cssselect("nav.pagination a") if "Suivant" in a.text]
    assert suivant.get("href") == "spip.php?rubrique2&debut_articles=10#pagination_articles"
    assert fetch(site.url("/spip.php?rubrique2&debut_articles=10"))[0] == 200


def test_listing_labels_and_mixed_links(site: Site) -> None:
    labelled = tree(site.pages["/-Regions-"].body).cssselect("li.hentry strong > a")
    assert any(LABEL.match(a.text_content()) for a in labelled)
    hrefs = [a.get("href") for a in labelled]
    assert any(h.startswith("http://") for h in hrefs) and any(
        not h.startswith("http") for h in hrefs
    )
    plain = tree(site.pages["/spip.php?rubrique2"].body).cssselect("li.hentry strong > a")
    assert not any(LABEL.match(a.text_content()) for a in plain)


@pytest.mark.e2e
def test_windows_1252_page(fresh: SiteServer) -> None:
    truth = fresh.site.article(fresh.site.traps["windows_1252"])
    assert truth.encoding == "windows-1252"
    status, headers, body = fetch(truth.canonical_url)
    assert status == 200 and headers["Content-Type"] == "text/html"
    assert b'content="text/html; charset=windows-1252"' in body
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    text = body.decode("cp1252")
    for char in "éè’«»œ€":
        assert char in text
    assert CP1252_PARAGRAPH in squash(html.unescape(text))
    assert CP1252_PARAGRAPH in truth.text


@pytest.mark.e2e
def test_article_served_at_two_urls_with_one_canonical(fresh: SiteServer) -> None:
    site = fresh.site
    truth = site.article(site.traps["two_urls"])
    propre, numbered = truth.urls
    assert truth.canonical_url == propre and "spip.php?article" in numbered
    bodies = [fetch(url)[2] for url in truth.urls]
    assert bodies[0] == bodies[1]
    assert tree(bodies[0]).cssselect("link[rel=canonical]")[0].get("href") == propre
    links = links_to(site, truth)
    assert any(url == propre and "/-Regions-" in page for page, url, _ in links)
    assert any(
        url == numbered and label.startswith(("Actu - Régions", "Circ. - Régions"))
        for _, url, label in links
    )


@pytest.mark.e2e
def test_etag_last_modified_and_conditional_requests(fresh: SiteServer) -> None:
    truth = fresh.site.articles[0]
    status, headers, body = fetch(truth.canonical_url)
    assert status == 200
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert etag == '"' + hashlib.sha1(body).hexdigest() + '"'
    assert int(headers["Content-Length"]) == len(body)
    assert headers["Composed-By"].startswith("SPIP ")

    assert fetch(truth.canonical_url, **{"If-None-Match": etag})[0] == 304
    assert fetch(truth.canonical_url, **{"If-None-Match": '"other"'})[0] == 200
    assert fetch(truth.canonical_url, **{"If-Modified-Since": last_modified})[0] == 304
    old = format_datetime(datetime(2000, 1, 1, tzinfo=timezone.utc), usegmt=True)
    assert fetch(truth.canonical_url, **{"If-Modified-Since": old})[0] == 200
    # Listings carry no validators: always a full answer.
    listing = fresh.site.rubrics["Communes"]
    assert fetch(listing, **{"If-Modified-Since": last_modified})[0] == 200
    assert [r.status for r in fresh.requests] == [200, 304, 200, 304, 200, 200]


@pytest.mark.e2e
def test_keep_alive_head_and_get(fresh: SiteServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", fresh.port, timeout=10)
    try:
        connection.request("HEAD", "/-Communes-")
        head = connection.getresponse()
        assert head.status == 200 and head.read() == b""
        length = int(head.headers["Content-Length"])
        for _ in range(3):
            connection.request("GET", "/-Communes-")
            response = connection.getresponse()
            assert len(response.read()) == length
        connection.request("GET", "/nothing-here")
        missing = connection.getresponse()
        assert missing.status == 404 and b"Page introuvable" in missing.read()
    finally:
        connection.close()
    assert [(r.method, r.status) for r in fresh.requests] == [("HEAD", 200)] + [
        ("GET", 200)
    ] * 3 + [("GET", 404)]


@pytest.mark.e2e
def test_request_log(fresh: SiteServer) -> None:
    site = fresh.site
    fetch(site.rubrics["Régions"], **{"User-Agent": "regarchive-test/1"})
    fetch(site.url("/-Regions-?debut_articles=10"))
    fetch(site.traps["disallowed_url"])  # served, so a crawl test can spot the violation
    fetch(site.traps["utm_url"])
    assert fresh.count() == 4
    assert fresh.count("/-Regions-") == 2
    assert fresh.count("/interne/") == 1
    first = fresh.requests[0]
    assert (first.method, first.path, first.status) == ("GET", "/-Regions-", 200)
    assert first.headers["User-Agent"] == "regarchive-test/1"
    assert fresh.requests[-1].path == path_of(site.traps["utm_url"])
    assert fresh.requests[-1].status == 200
    fresh.reset()
    assert fresh.count() == 0 and fresh.requests == []


@pytest.mark.e2e
def test_not_found_and_dynamic_pages(fresh: SiteServer) -> None:
    status, headers, body = fetch(fresh.url("/spip.php?article99999"))
    assert status == 404 and headers["Content-Type"].startswith("text/html")
    assert b"Page introuvable" in body
    assert fetch(fresh.url("/spip.php?page=login&url=-Communes-"))[0] == 200
    assert fetch(fresh.url("/spip.php?page=recherche&recherche=budget"))[0] == 200
    assert fetch(fresh.url("/ecrire/"))[0] == 200
    assert fresh.requests[0].status == 404


@pytest.mark.e2e
def test_feed_sitemap_and_non_article_pages(fresh: SiteServer) -> None:
    site = fresh.site
    status, headers, body = fetch(site.url("/spip.php?page=backend"))
    assert status == 200 and "rss" in headers["Content-Type"]
    assert b'<rss version="2.0"' in body and site.articles[-1].canonical_url.encode() in body
    status, _, body = fetch(site.url("/sitemap.xml"))
    assert status == 200 and body.count(b"<url>") == len(site.articles) + 1 + len(site.rubrics)
    number = site.articles[0].number
    status, _, body = fetch(site.url(f"/spip.php?page=imprimer&id_article={number}"))
    assert status == 200 and b"page_imprimer" in body and b"noindex" in body
    pdf = next(p for p in site.pages if p.endswith(".pdf"))
    status, headers, body = fetch(site.url(pdf))
    assert headers["Content-Type"] == "application/pdf" and body.startswith(b"%PDF-")
    for path in ("/+Apprentissage+", "/_Regions-de-France_", "/spip.php?page=plan"):
        assert fetch(site.url(path))[0] == 200


@pytest.mark.e2e
def test_replacing_and_updating_the_site(fresh: SiteServer) -> None:
    original = fresh.site
    try:
        fresh.site = build_site(fresh.base_url, seed=1)
        titles = {t.title for t in fresh.site.articles}
        assert titles != {t.title for t in original.articles}
        truth = fresh.site.articles[3]
        _, headers, before = fetch(truth.canonical_url)
        new = fresh.site.update_article(
            truth.number, text="Nouveau chapô.\nNouveau paragraphe.", updated="2025-07-01"
        )
        assert new.text == "Nouveau chapô.\nNouveau paragraphe." and new.updated == "2025-07-01"
        assert fresh.site.article(truth.number) == new
        status, after_headers, after = fetch(
            truth.canonical_url, **{"If-None-Match": headers["ETag"]}
        )
        assert status == 200 and after != before and b"Nouveau paragraphe." in after
        assert after_headers["ETag"] != headers["ETag"]
        assert after_headers["Last-Modified"].startswith("Tue, 01 Jul 2025")
        assert b"mis \xc3\xa0 jour le 1er juillet 2025" in after
        renamed = fresh.site.update_article(truth.number, title="Un titre tout neuf")
        assert renamed.title == "Un titre tout neuf" and renamed.text == new.text
        assert b"Un titre tout neuf" in fetch(truth.canonical_url)[2]
    finally:
        fresh.site = original


def test_pages_can_be_added_and_overridden() -> None:
    pages = build_site("http://h").pages
    count = len(pages)
    pages["/extra.html"] = Page(b"<p>extra</p>", "text/html; charset=utf-8")
    pages["/robots.txt"] = Page(b"User-agent: *\nDisallow: /\n", "text/plain")
    assert len(pages) == count + 1 and "/extra.html" in pages
    assert pages["/robots.txt"].body.endswith(b"Disallow: /\n")
    pages.invalidate()
    assert pages["/extra.html"].body == b"<p>extra</p>"
    del pages["/extra.html"]
    assert "/extra.html" not in pages and len(pages) == count


# --- the truth --------------------------------------------------------------------------------


def test_truth_invariants(site: Site) -> None:
    articles = site.articles
    assert len(articles) >= 30
    assert len(site.rubrics) >= 3
    assert set(site.rubrics) == {"Régions", "Départements", "Communes", "Intercommunalités"}
    assert any(len(t.rubrics) == 2 for t in articles)
    assert any(len(t.urls) == 2 for t in articles)
    categories = {t.category for t in articles}
    assert categories == {"Actu", "Circ.", None}
    assert sum(t.category is None for t in articles) == 2
    assert any(t.published is None for t in articles)
    assert any(t.updated for t in articles)
    assert {t.encoding for t in articles} == {"utf-8", "windows-1252"}
    assert len({t.text for t in articles}) == len(articles)
    paragraphs = [line for t in articles for line in t.text.split("\n")]
    assert len(paragraphs) == len(set(paragraphs))
    assert len({t.title for t in articles}) == len(articles)
    assert len({t.canonical_url for t in articles}) == len(articles)
    for truth in articles:
        assert 3 <= len(truth.text.split("\n")) <= 6
        assert len(truth.title) <= 110 and " - " not in truth.title
        assert truth.rubrics == sorted(truth.rubrics)
        assert truth.canonical_url == truth.urls[0]
        for day in (truth.published, truth.updated):
            assert day is None or "2017-01-01" <= day <= "2025-12-31"
    sources = [t.source for t in articles]
    assert None in sources and len({s for s in sources if s}) >= 5


def test_traps_are_where_the_index_says(site: Site) -> None:
    traps = site.traps
    styles = traps["date_styles"]
    assert all(len(styles[name]) >= 3 for name in styles if name != "no_date")
    assert len(styles["no_date"]) == 1
    assert site.article(traps["no_date"]).published is None
    assert len(traps["repeated_chapo"]) >= 4
    assert set(traps["no_category"]) == {t.number for t in site.articles if t.category is None}
    retyped = site.article(traps["retyped_chapo"])
    chapo = retyped.text.split("\n")[0]
    assert "«" in chapo and "’" in chapo
    body = site.pages[path_of(retyped.canonical_url)].body.decode()
    texte = body[body.index('<div class="texte') :]
    assert "«" not in texte.split("</p>")[0] and '"' in texte.split("</p>")[0]
    assert site.article(traps["two_rubrics"]).rubrics == ["Départements", "Régions"]
    assert "utm_source=newsletter&utm_medium=email" in traps["utm_url"]
    assert traps["disallowed_url"].startswith(site.url("/interne/"))


def _article_root(site: Site, truth: ArticleTruth) -> lxml.html.HtmlElement:
    page = site.pages[path_of(truth.canonical_url)]
    return tree(
        page.body.decode(truth.encoding)
        .encode("utf-8")
        .replace(b"charset=windows-1252", b"charset=utf-8")
    )


def test_every_truth_value_is_on_the_page_or_its_links(site: Site) -> None:
    for truth in site.articles:
        root = _article_root(site, truth)
        lines = [squash(e.text_content()) for e in root.cssselect("div.chapo p, div.texte > *")]
        expected = truth.text.split("\n")
        assert lines[0] == expected[0], truth.number
        assert [line for line in lines[1:] if line in expected[1:]] == expected[1:], truth.number
        assert squash(root.cssselect("h1")[0].text_content()) == truth.title
        crumbs = [a.text_content() for a in root.cssselect("p.arbo a")]
        assert crumbs[0] == "Accueil" and crumbs[1] in truth.rubrics
        page_text = squash(root.text_content())
        if truth.source:
            assert truth.source in page_text, truth.number
        cartouche = squash(root.cssselect("div.cartouche")[0].text_content())
        texte = squash(root.cssselect("div.texte")[0].text_content())
        if truth.published:
            day = date.fromisoformat(truth.published)
            shapes = (truth.published, f"{day:%d/%m/%Y}", affdate(day))
            assert any(s in cartouche or s in texte for s in shapes), truth.number
        else:
            assert not root.cssselect("div.cartouche .published, time, p.info-publi")
            assert not re.search(r"\b20\d\d\b", cartouche + texte + truth.title)
        if truth.updated:
            assert f"mis à jour le {affdate(date.fromisoformat(truth.updated))}" in cartouche


def test_categories_come_from_labels_or_the_title_tag(site: Site) -> None:
    for truth in site.articles:
        title_tag = _article_root(site, truth).findtext(".//title")
        labels = [label for _, _, label in links_to(site, truth)]
        hints = {m.group(1) for label in labels if (m := LABEL.match(label))}
        if title_tag and (m := LABEL.match(title_tag)):
            hints.add(m.group(1))
        if truth.category is None:
            assert not hints, truth.number
        else:
            assert hints == {truth.category}, truth.number


def test_rubric_listings_list_every_article_under_its_rubrics(site: Site) -> None:
    listed: dict[str, set[int]] = {name: set() for name in site.rubrics}
    by_url = {url: t for t in site.articles for url in t.urls}
    for path in site.pages:
        for name, url in site.rubrics.items():
            if path == path_of(url) or path.startswith(path_of(url) + ("&" if "?" in url else "?")):
                root = tree(site.pages[path].body)
                for anchor in root.cssselect("li.hentry strong > a"):
                    target = by_url.get(urljoin(site.url(path), anchor.get("href")))
                    if target:
                        listed[name].add(target.number)
    for truth in site.articles:
        assert {name for name, numbers in listed.items() if truth.number in numbers} == set(
            truth.rubrics
        )


def test_deterministic_and_seeded() -> None:
    one, two = build_site("http://h"), build_site("http://h")
    assert one.articles == two.articles
    assert all(one.pages[p].body == two.pages[p].body for p in one.pages)
    assert build_site("http://h", seed=1).articles != one.articles
    small = build_site("http://h", articles=12)
    assert len(small.articles) == 12 and small.traps["two_urls"]
    with pytest.raises(ValueError):
        build_site("http://h", articles=5)


def test_large_sites_build_fast() -> None:
    started = time.perf_counter()
    big = build_site("http://h", articles=10_000)
    assert time.perf_counter() - started < 5
    assert len(big.articles) == 10_000
    assert len({t.canonical_url for t in big.articles}) == 10_000
    listing = big.pages["/-Regions-?debut_articles=1000"]
    assert len(tree(listing.body).cssselect("li.hentry")) == 10
