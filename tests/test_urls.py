"""URL normalisation and classification: the spider and the archive agree on what is one URL."""

from __future__ import annotations

import subprocess
import sys

import pytest

from regarchive.pipelines.extraction.urls import (
    excluded_reason,
    is_pagination_of,
    looks_like_listing,
    normalize_url,
    query_variant_key,
    site_of,
    spip_article_id,
)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("HTTP://Example.ORG:80/spip.php?article12#forum", "http://example.org/spip.php?article12"),
        (
            "https://example.org:443/Titre?utm_source=nl&utm_medium=email",
            "https://example.org/Titre",
        ),
        ("https://example.org/a?b=1&fbclid=x&c=2", "https://example.org/a?b=1&c=2"),
        (
            "http://127.0.0.1:8123/-Regions-?debut_articles=10#pagination_articles",
            "http://127.0.0.1:8123/-Regions-?debut_articles=10",
        ),
        ("https://example.org", "https://example.org/"),
    ],
)
def test_normalize_url(raw: str, normalized: str) -> None:
    assert normalize_url(raw) == normalized


@pytest.mark.parametrize(
    "spelling",
    [
        "http://x.org/Régions/Bretagne?titre=été",
        "http://x.org/R%C3%A9gions/Bretagne?titre=%C3%A9t%C3%A9",
        "http://x.org/R%c3%a9gions/Bretagne?titre=%c3%a9t%c3%a9",
        "http://x.org/R%C3%A9gions/%42retagne?titre=%C3%A9t%C3%A9&utm_source=lettre",
    ],
)
def test_one_url_whatever_its_spelling(spelling: str) -> None:
    assert normalize_url(spelling) == "http://x.org/R%C3%A9gions/Bretagne?titre=%C3%A9t%C3%A9"


def test_query_order_and_bare_keys_are_kept() -> None:
    # SPIP reads its parameters by position: spip.php?article12&lang=fr is not reordered.
    assert (
        normalize_url("http://x.org/spip.php?page=article&xtor=RSS&id_article=5&debut=2&a")
        == "http://x.org/spip.php?page=article&id_article=5&debut=2&a"
    )
    assert normalize_url("http://Bücher.example/a b") == "http://xn--bcher-kva.example/a%20b"


@pytest.mark.parametrize("extension", ["pdf", "docm", "apk", "tar.gz", "ICS", "woff2", "mp4"])
def test_binary_extensions_are_scrapys_and_a_few_more(extension: str) -> None:
    assert excluded_reason(f"http://x.org/fichier.{extension}") == "binary file"


def test_plain_page_urls_never_load_scrapy() -> None:
    # Importing Scrapy costs a worker 0.2 s and 20 MB: only an unusual extension asks it.
    code = (
        "import sys\n"
        "from regarchive.pipelines.extraction.core import extract_record\n"
        "extract_record(b'<h1>T</h1><p>x</p>', 'http://x.org/spip.php?article1')\n"
        "extract_record(b'<h1>T</h1><p>x</p>', 'http://x.org/a.html')\n"
        "print('scrapy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_relative_links_resolve_against_the_page() -> None:
    assert (
        normalize_url("spip.php?article3", "http://x.org/-Regions-")
        == "http://x.org/spip.php?article3"
    )
    assert normalize_url("../Titre", "http://x.org/a/b") == "http://x.org/Titre"


def test_site_keeps_a_non_default_port() -> None:
    assert site_of("http://127.0.0.1:8123/x") == "127.0.0.1:8123"
    assert site_of("https://Example.org:443/x") == "example.org"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://x.org/spip.php?page=imprimer&id_article=3", "print version"),
        ("http://x.org/spip.php?page=backend", "feed"),
        ("http://x.org/spip.php?page=backend&id_rubrique=2", "feed"),
        ("http://x.org/ecrire/?exec=accueil", "admin area"),
        ("http://x.org/prive/x", "admin area"),
        ("http://x.org/IMG/pdf/rapport.pdf", "binary file"),
        ("http://x.org/spip.php?page=recherche&recherche=budget", "search page"),
        ("http://x.org/spip.php?page=login&url=spip.php%3Farticle3", "login page"),
        ("http://x.org/spip.php?action=converser", "action link"),
        ("http://x.org/sitemap.xml", "feed"),
        ("ftp://x.org/a", "not http(s)"),
        ("http://x.org/Titre-de-l-article", None),
        ("http://x.org/spip.php?article12", None),
    ],
)
def test_excluded_reason(url: str, reason: str | None) -> None:
    assert excluded_reason(url) == reason


def test_spip_article_ids() -> None:
    assert spip_article_id("http://x.org/spip.php?article12") == 12
    assert spip_article_id("http://x.org/article7.html") == 7
    assert spip_article_id("http://x.org/spip.php?page=article&id_article=5") == 5
    assert spip_article_id("http://x.org/Titre") is None


@pytest.mark.parametrize(
    "url",
    [
        "http://x.org/-Regions-",
        "http://x.org/spip.php?rubrique2",
        "http://x.org/rubrique2.html",
        "http://x.org/+Mot-cle+",
        "http://x.org/_Auteur_",
        "http://x.org/spip.php?mot3",
        "http://x.org/",
    ],
)
def test_listing_and_other_objects_are_not_articles(url: str) -> None:
    assert looks_like_listing(url)


def test_articles_do_not_look_like_listings() -> None:
    assert not looks_like_listing("http://x.org/spip.php?article12")
    assert not looks_like_listing("http://x.org/Titre-de-l-article")


def test_pagination_offsets() -> None:
    assert is_pagination_of("http://x.org/-Regions-?debut_articles=10")
    assert not is_pagination_of("http://x.org/-Regions-")


def test_malformed_urls_normalise_to_nothing_instead_of_failing() -> None:
    assert normalize_url("http://[::1/x") == ""
    assert normalize_url("http://example.org:99999/") == ""
    assert excluded_reason(normalize_url("http://[::1/x")) == "not http(s)"


def test_a_malformed_canonical_link_does_not_cost_the_page() -> None:
    from regarchive.pipelines.extraction.core import extract_record

    html = (
        "<html lang='fr'><head><title>Dotation</title><link rel='canonical' href='http://[::1'>"
        "</head><body class='page_article'><h1 class='entry-title'>Dotation</h1>"
        "<div class='texte'><p>Les préfets notifient la dotation de soutien aux départements "
        "avant la fin du mois, selon les critères de la loi de finances.</p>"
        "<ul><li><a href='http://x.test:99999/a'>lien</a></li></ul></div></body></html>"
    ).encode()
    record = extract_record(html, "https://x.test/spip.php?article9")
    assert record["url"] == "https://x.test/spip.php?article9"
    assert record["title"] == "Dotation"


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("http://x.org/Titre?sid=12", "http://x.org/Titre"),
        (
            "http://x.org/spip.php?article12&PHPSESSID=ab12&lang=fr",
            "http://x.org/spip.php?article12&lang=fr",
        ),
        ("http://x.org/Titre;jsessionid=0AB12F?b=2&a=1", "http://x.org/Titre?b=2&a=1"),
        ("http://x.org/a;JSESSIONID=0AB12F/b", "http://x.org/a/b"),
        ("http://x.org/(S(lit3py55t21z5v55vlm25s55))/page.aspx", "http://x.org/page.aspx"),
        ("http://x.org/x?ASPSESSIONIDQQGGQGPG=KJH&sessionid=1&session_id=2", "http://x.org/x"),
        ("http://x.org/forum?s=0123456789abcdef0123456789abcdef&t=4", "http://x.org/forum?t=4"),
        ("http://x.org/?s=budget", "http://x.org/?s=budget"),
        (
            "http://x.org/spip.php?page=article&id_article=5&debut_articles=10&sid=9",
            "http://x.org/spip.php?page=article&id_article=5&debut_articles=10",
        ),
        ("http://x.org/spip.php?page=sid&id_sid=3", "http://x.org/spip.php?page=sid&id_sid=3"),
    ],
)
def test_session_ids_are_dropped_and_spip_parameters_kept(raw: str, normalized: str) -> None:
    assert normalize_url(raw) == normalized


def test_query_variants_share_the_key_of_their_page() -> None:
    visits = {query_variant_key(f"http://x.org/Titre?passage={n}") for n in range(3)}
    assert visits == {query_variant_key("http://x.org/Titre")} == {"http://x.org/Titre"}
    articles = {
        query_variant_key(f"http://x.org/spip.php?page=article&id_article={n}&x={n}")
        for n in range(3)
    }
    assert len(articles) == 3
    assert query_variant_key("http://x.org/spip.php?article12&ref=a") == (
        "http://x.org/spip.php?article12"
    )
