"""Listing pages of several CMSs: article links with their category cues, pagers in their many
forms (never taken for articles), the rubric's name. Pure functions on fixture pages."""

from __future__ import annotations

import pytest

from regarchive.pipelines.extraction.page import parse_html
from regarchive.pipelines.extraction.urls import is_pagination_of
from regarchive.scraper import listing

BASE = "http://x.test"

SPIP = """<html><head><title>Régions - Site</title></head><body class="page_rubrique">
<h1 class="titre">Régions</h1>
<ul class="menu_articles">
 <li class="hentry"><a href="spip.php?article1">Actu - Régions - Le budget</a></li>
 <li class="hentry"><p class="surtitre">Circulaires</p><a href="spip.php?article2">Aides</a></li>
</ul>
<p class="pagination"><strong>0</strong> | <a href="-Regions-?debut_articles=10">10</a>
 | <a href="-Regions-?debut_articles=20">20</a></p></body></html>"""

DRUPAL = """<html><body><main><h1>Actualités</h1>
<div class="view-content">
 <article><span class="kicker">Actualité</span><h2><a href="/node/12">Le budget</a></h2></article>
 <article><h2><a href="/node/13">Les transports</a></h2></article>
</div>
<nav class="pager" aria-label="Pagination"><ul>
 <li><a href="?page=1" title="Aller à la page 2">2</a></li>
 <li><a href="?page=1" rel="next">Page suivante ›</a></li></ul></nav></main></body></html>"""

WORDPRESS = """<html><head><link rel="next" href="https://x.test/category/actu/page/3/"></head>
<body><main><h1 class="entry-title">Actu</h1>
<article class="post"><a href="https://x.test/2024/03/le-budget/">Le budget</a></article>
<article class="post"><a href="https://x.test/2024/03/les-aides/">Les aides</a></article>
<div class="nav-links"><a class="prev page-numbers" href="/category/actu/">« Précédent</a>
<a class="next page-numbers" href="/category/actu/page/3/">Suivant »</a></div></main>
</body></html>"""

JOOMLA = """<html><body><div id="content"><h1>Circulaires</h1>
<div class="items-row"><h2><a href="/index.php/circulaires/45-recensement">Recensement</a>
</h2></div>
<div class="items-row"><h2><a href="/index.php/circulaires/46-elections">Élections</a></h2></div>
<ul><li><a href="/index.php/circulaires?start=10" aria-label="Next">›</a></li>
<li><a href="/index.php/circulaires?start=20">»</a></li></ul></div></body></html>"""


@pytest.mark.parametrize(
    ("page", "url", "root", "next_pages"),
    [
        (SPIP, BASE + "/-Regions-", BASE + "/-Regions-",
         [BASE + "/-Regions-?debut_articles=10", BASE + "/-Regions-?debut_articles=20"]),
        (DRUPAL, BASE + "/actualites", BASE + "/actualites", [BASE + "/actualites?page=1"]),
        (WORDPRESS, "https://x.test/category/actu/page/2/", "https://x.test/category/actu/",
         ["https://x.test/category/actu/page/3/", "https://x.test/category/actu/"]),
        (JOOMLA, BASE + "/index.php/circulaires", BASE + "/index.php/circulaires",
         [BASE + "/index.php/circulaires?start=10", BASE + "/index.php/circulaires?start=20"]),
    ],
)  # fmt: skip
def test_pagers_of_every_form(page: str, url: str, root: str, next_pages: list[str]) -> None:
    tree = parse_html(page)
    assert sorted(listing.next_pages(tree, url, root)) == sorted(next_pages)
    links = [link.url for link in listing.article_links(tree, url)]
    assert links and not any(is_pagination_of(link) for link in links)
    assert not set(links) & set(next_pages)


def test_category_from_the_label_or_the_surtitre_next_to_the_link() -> None:
    spip = list(listing.article_links(parse_html(SPIP), BASE + "/-Regions-"))
    assert [(link.label, link.category) for link in spip] == [
        ("Actu - Régions - Le budget", "Actu"),
        ("Aides", "Circ."),
    ]
    drupal = list(listing.article_links(parse_html(DRUPAL), BASE + "/actualites"))
    assert [(link.url, link.category) for link in drupal] == [
        (BASE + "/node/12", "Actu"),
        (BASE + "/node/13", None),
    ]


@pytest.mark.parametrize(
    ("url", "pager"),
    [
        ("http://x.test/-Regions-?debut_articles=10", True),
        ("http://x.test/actualites?page=0", True),
        ("http://x.test/category/actu/page/2/", True),
        ("http://x.test/category/actu/?paged=2", True),
        ("http://x.test/index.php/circulaires?start=10", True),
        ("http://x.test/spip.php?page=article&id_article=5", False),
        ("http://x.test/?p=123", False),  # a WordPress post
        ("http://x.test/la-page-2-du-rapport", False),
    ],
)
def test_pager_urls(url: str, pager: bool) -> None:
    assert is_pagination_of(url) is pager


def test_pages_of_one_listing_and_not_of_another() -> None:
    assert listing.same_listing(BASE + "/actu/page/4/", BASE + "/actu/")
    assert listing.same_listing(BASE + "/actu?page=2&type=x", BASE + "/actu?type=x")
    assert not listing.same_listing(BASE + "/actu?page=2&type=y", BASE + "/actu?type=x")
    assert not listing.same_listing(BASE + "/circ/page/2/", BASE + "/actu/")


def test_rubric_name() -> None:
    assert listing.rubric_name(parse_html(SPIP)) == "Régions"
    assert listing.rubric_name(parse_html("<title>Brèves - Site</title><p>x</p>")) == "Brèves"
