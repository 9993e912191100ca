"""Page and article metadata: bylines, titles, breadcrumbs, canonical URLs, page kinds, dates."""

from __future__ import annotations

from datetime import date

import pytest

from regarchive.pipelines.extraction.bylines import Byline, parse_byline
from regarchive.pipelines.extraction.core import extract_record
from regarchive.pipelines.extraction.metadata import (
    ArticleInfo,
    PageInfo,
    looks_like_article,
    read_article,
    read_page,
)
from regarchive.pipelines.extraction.page import parse_html
from regarchive.pipelines.extraction.text import find_headed_blocks, remove_boilerplate

TODAY = date(2025, 12, 31)
URL = "https://www.site.test/spip.php?article12"


def _page(html: str, url: str = URL, final_url: str | None = None) -> PageInfo:
    tree = parse_html(html)
    return read_page(tree, url=url, final_url=final_url, blocks=find_headed_blocks(tree))


def _article(html: str) -> ArticleInfo:
    tree = parse_html(html)
    remove_boilerplate(tree, find_headed_blocks(tree))
    return read_article(tree, today=TODAY)


# --- bylines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "source", "date_text"),
    [
        ("Commission Européenne - 2017-12-12", "Commission Européenne", "2017-12-12"),
        ("Régions de France – 1er août 2023", "Régions de France", "1er août 2023"),
        ("Source : Ministère de l'Intérieur (12/12/2017)", "Ministère de l'Intérieur",
         "12/12/2017"),
        ("Source\u00a0: DGCL", "DGCL", None),
        ("Sources : Insee, DGFiP.", "Insee, DGFiP", None),
        ("Ministère de l’Intérieur - DGSCGC - 14/02/2025", "Ministère de l’Intérieur - DGSCGC",
         "14/02/2025"),
        ("Préfecture de la Manche, le 5 janvier 2024", "Préfecture de la Manche", "5 janvier 2024"),
        ("12/12/2017 - Cour des comptes", "Cour des comptes", "12/12/2017"),
        ("Assemblée des départements de France (31/02/2024)",
         "Assemblée des départements de France", "31/02/2024"),
    ],
)  # fmt: skip
def test_bylines(line: str, source: str, date_text: str | None) -> None:
    byline = parse_byline(line)
    assert byline is not None
    assert (byline.source, byline.date_text) == (source, date_text)


@pytest.mark.parametrize(
    "line",
    [
        "Publié le 12/12/2017",
        "Mis à jour - 03/03/2024",
        "Le conseil régional s’est réuni le 12 décembre 2017 pour voter le budget primitif et "
        "bien d'autres choses encore, dans une phrase trop longue pour une signature - 2017-12-12",
        "Commission Européenne",
        "La Région investit 12 M€ - une première",
        "Par Jean Dupont - 12/12/2017",
        "",
    ],
)
def test_not_bylines(line: str) -> None:
    assert parse_byline(line) is None


def test_byline_found_at_the_end_of_the_text_only() -> None:
    info = _article(
        """<body><div class="hentry"><div class="texte">
        <p>Réunion du comité - 12/03/2024</p>
        <p>Un long paragraphe qui parle d'autre chose.</p>
        <p>Un autre paragraphe.</p>
        <p>Cour des comptes - 2024-03-14</p></div></div></body>"""
    )
    assert info.byline == Byline("Cour des comptes - 2024-03-14", "Cour des comptes", "2024-03-14")
    assert info.source == "Cour des comptes"
    assert info.published == "2024-03-14"
    assert len(info.remove) == 1


# --- title, category, rubrics -------------------------------------------------------------


def test_title_from_title_tag_without_site_name() -> None:
    info = _page(
        """<head><title>Budget 2025 - les Régions s'inquiètent - Veille Régions</title>
        <meta property="og:site_name" content="Veille Régions"></head><body><p>x</p></body>"""
    )
    assert info.title == "Budget 2025 - les Régions s'inquiètent"


def test_title_suffix_kept_when_it_is_not_the_site_name() -> None:
    info = _page("<head><title>Budget 2025 - les Régions s'inquiètent</title></head><body/>")
    assert info.title == "Budget 2025 - les Régions s'inquiètent"


def test_title_prefers_article_heading_over_logo_heading() -> None:
    info = _page(
        """<body><div id="entete"><h1 id="nom_site_spip">Petites communes</h1></div>
        <div id="contenu"><h1 class="titre">Le vrai titre</h1></div></body>"""
    )
    assert info.title == "Le vrai titre"


def test_og_title_with_prefix() -> None:
    info = _page(
        """<head><meta property="og:title" content="Circ. - Communes - Recensement 2025 | Site">
        <meta property="og:site_name" content="Site"></head><body/>"""
    )
    assert (info.title, info.category, info.rubrics) == ("Recensement 2025", "Circ.", ["Communes"])


_SITE = '<meta property="og:site_name" content="Veille Régions">'
_LD = '<script type="application/ld+json">{}</script>'


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        # the <h1> is a section's name: the metadata title wins
        ('<meta property="og:title" content="Le budget des Régions">', "<h1>Actualités</h1>",
         "Le budget des Régions"),
        # the <h1> is the <title> without an unknown site name after it
        ("<title>Le budget des Régions | Blog de Paul</title>", "<h1>Le budget des Régions</h1>",
         "Le budget des Régions"),
        # ... but a <h1> that is the <title>'s last part is the site's name, not the title
        ("<title>Le budget des Régions — Veille</title>", "<h1>Veille</h1>",
         "Le budget des Régions — Veille"),
        # the same words: the metadata's plain text, not the typeset heading
        ("<title>L'État : le budget</title>", "<h1>L’État&nbsp;: le budget</h1>",
         "L'État : le budget"),
        # a JSON-LD headline comes first, the site's name goes
        (_LD.format('{"@type": "NewsArticle", "headline": "Le vrai titre"}') + _SITE
         + '<meta property="og:title" content="Autre titre - Veille Régions">', "",
         "Le vrai titre"),
        # headline and name differ: the one the <title> repeats, else the name
        (_LD.format('{"@type": "Article", "headline": "Une description", "name": "Le titre"}')
         + "<title>Le titre - Wiki</title>", "", "Le titre"),
        (_LD.format('{"@type": "Article", "headline": "Le titre", "name": "Wiki"}')
         + "<title>Le titre - Wiki</title>", "", "Le titre"),
        # a metadata title that is only the site's name is no title
        (_SITE + '<meta property="og:title" content="Veille Régions">', "<h1>Le titre</h1>",
         "Le titre"),
        # application-name may be the title; og:site_name names the site
        ('<meta name="application-name" content="Le titre"><meta property="og:site_name" '
         'content="MSN"><meta property="og:title" content="Le titre">', "", "Le titre"),
        # RDFa: several properties in one attribute
        ('<meta property="dc:title og:title" content="Titre préféré"><title>Autre</title>', "",
         "Titre préféré"),
    ],
)  # fmt: skip
def test_title_from_metadata_and_heading(head: str, body: str, expected: str) -> None:
    info = _page(f"<html><head>{head}</head><body>{body}<p>x</p></body></html>")
    assert info.title == expected


def test_a_labelled_heading_or_title_gives_the_category_either_way() -> None:
    for head, body in (
        ("<title>Actu - Régions - Le budget - Veille Régions</title>" + _SITE,
         "<h1>Le budget</h1>"),
        ("<title>Le budget</title>", "<h1>Actu - Régions - Le budget</h1>"),
    ):  # fmt: skip
        info = _page(f"<html><head>{head}</head><body>{body}</body></html>")
        assert (info.title, info.category, info.rubrics) == ("Le budget", "Actu", ["Régions"])


def test_breadcrumb_category_level_and_home() -> None:
    info = _page(
        """<body><nav aria-label="Fil d'Ariane"><ol>
        <li><a href="/" rel="home">Retour à l'accueil</a></li>
        <li><a href="/circulaires/">Circulaires</a></li>
        <li><a href="/circulaires/communes/">Communes</a></li>
        <li><a href="/spip.php?article12" aria-current="page">Le titre</a></li></ol></nav>
        <h1>Le titre</h1></body>"""
    )
    assert (info.category, info.rubrics) == ("Circ.", ["Communes"])


def test_category_from_url_when_nothing_else_says() -> None:
    info = _page("<body><h1>Titre</h1></body>", url="https://www.site.test/actualites/titre")
    assert info.category == "Actu"
    assert _page("<body><h1>Titre</h1></body>").category is None


def test_rubrics_deduplicated_across_breadcrumb_and_title() -> None:
    info = _page(
        """<body><p class="arbo"><a href="/">Accueil</a> &gt; <a href="-Regions-">Régions</a></p>
        <h1 class="entry-title">Actu - REGIONS - Un titre</h1></body>"""
    )
    assert info.rubrics == ["Régions"]
    assert info.title == "Un titre"


# --- URLs ---------------------------------------------------------------------------------


def test_offsite_canonical_is_ignored() -> None:
    info = _page('<head><link rel="canonical" href="https://other.test/a"></head><body/>')
    assert info.url == URL
    assert info.urls == [URL]


def test_canonical_on_another_port_is_another_site() -> None:
    info = _page(
        '<head><link rel="canonical" href="http://127.0.0.1:8001/Titre"></head><body/>',
        url="http://127.0.0.1:8000/spip.php?article1",
    )
    assert info.url == "http://127.0.0.1:8000/spip.php?article1"
    assert info.site == "127.0.0.1:8000"


def test_relative_canonical_and_base_href() -> None:
    info = _page(
        '<head><base href="https://www.site.test/dossier/"><link rel="Canonical" href="Titre">'
        "</head><body/>",
        url="https://www.site.test/spip.php?article12&utm_source=x&pk_campaign=y",
    )
    assert info.urls == ["https://www.site.test/dossier/Titre", URL]


# --- related ------------------------------------------------------------------------------


def test_related_skips_current_entry_and_non_pages() -> None:
    info = _page(
        """<body><p class="arbo"><a href="/">Accueil</a> &gt; <a href="-Regions-">Régions</a></p>
        <div class="menu"><h3>DANS LA MEME RUBRIQUE :</h3><ul>
        <li class="on"><a href="Le-titre">Actu - Régions - Le titre</a></li>
        <li><a href="spip.php?article12#forum">Le titre, encore</a></li>
        <li><a href="IMG/pdf/note.pdf">Note (PDF)</a></li>
        <li><a href="spip.php?article9">  Circ. -  Régions -
            Soutien   financier </a></li>
        <li><a href="spip.php?article8">Sans préfixe</a></li></ul></div></body>"""
    )
    assert info.related == [
        {
            "url": "https://www.site.test/spip.php?article9",
            "label": "Circ. - Régions - Soutien financier",
            "category": "Circ.",
            "rubric": "Régions",
            "title": "Soutien financier",
        },
        {
            "url": "https://www.site.test/spip.php?article8",
            "label": "Sans préfixe",
            "category": None,
            "rubric": "Régions",
            "title": "Sans préfixe",
        },
    ]


def test_other_related_blocks_give_no_related_items() -> None:
    info = _page('<body><h2>Sur le même sujet</h2><ul><li><a href="a">A</a></li></ul></body>')
    assert info.related == []


# --- page kinds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "url", "kind"),
    [
        ('<body class="page_article"><h1>T</h1></body>', URL, "article"),
        ('<body class="page_rubrique"><h1>T</h1></body>', URL, "listing"),
        ('<body class="page_sommaire"><h1>T</h1></body>', "https://www.site.test/", "listing"),
        ("<body><h1>Page introuvable</h1></body>", URL, "error"),
        ("<head><title>Erreur 404</title></head><body/>", URL, "error"),
        ('<body class="page_article"><h1>T</h1></body>',
         "https://www.site.test/spip.php?page=imprimer&id_article=12", "print"),
        ('<head><meta property="og:type" content="article"></head><body/>',
         "https://www.site.test/Titre", "article"),
        ("<body><h1>T</h1></body>", "https://www.site.test/-Regions-", "listing"),
        ("<body><h1>T</h1></body>", "https://www.site.test/Titre", None),
    ],
)  # fmt: skip
def test_page_kind(html: str, url: str, kind: str | None) -> None:
    assert _page(html, url=url).kind == kind


def test_looks_like_article() -> None:
    assert looks_like_article("article", None, "")
    assert not looks_like_article("listing", "Titre", "Du texte")
    assert looks_like_article(None, "Titre", "Du texte")
    assert not looks_like_article(None, None, "Du texte")


@pytest.mark.parametrize(
    ("attribute", "lang"),
    [('lang="fr"', "fr"), ('lang="fr-FR"', "fr"), ('xml:lang="br"', "br"), ("", None)],
)
def test_lang(attribute: str, lang: str | None) -> None:
    assert _page(f"<html {attribute}><body/></html>").lang == lang


def test_lang_from_og_locale() -> None:
    html = '<html><head><meta property="og:locale" content="fr_FR"></head><body/></html>'
    assert _page(html).lang == "fr"


# --- dates --------------------------------------------------------------------------------


def test_published_prefers_article_time_over_meta_and_sidebar() -> None:
    info = _article(
        """<head><meta property="article:published_time" content="2024-05-13T07:00:00Z"></head>
        <body><aside><time datetime="2024-06-01">1er juin</time></aside>
        <article><header><time datetime="2024-05-14T09:00:00+02:00">14 mai</time></header>
        <p>Texte.</p></article></body>"""
    )
    assert info.published == "2024-05-14"


def test_dates_in_sidebar_lists_are_never_used() -> None:
    info = _article(
        """<body><div class="content hentry"><h1>Titre</h1><div class="texte"><p>Texte.</p></div>
        </div><div class="aside"><div class="menu"><h2>Dans la même rubrique</h2><ul>
        <li><a href="a">A</a> <abbr class="published" title="2024-01-01">1er janvier</abbr></li>
        <li><a href="b">B</a> Publié le 02/01/2024</li></ul></div></div></body>"""
    )
    assert (info.published, info.updated) == (None, None)


def test_listing_times_inside_the_article_are_not_its_date() -> None:
    info = _article(
        """<body><article><h1>Agenda</h1><ul><li><time datetime="2024-03-01">1er mars</time>
        Réunion</li></ul><table><tr><td><time>12/03/2024</time></td></tr></table>
        <div class="texte"><p>Séance du <time datetime="2024-04-02">2 avril</time>.</p></div>
        </article></body>"""
    )
    assert info.published is None


def test_publie_le_inside_a_sentence_is_not_the_date() -> None:
    info = _article(
        """<body><div class="hentry"><div class="texte"><p>Le décret publié le 3 mars 2024
        au Journal officiel fixe les règles.</p></div></div></body>"""
    )
    assert info.published is None


def test_updated_sources() -> None:
    info = _article(
        """<body><div class="hentry"><p class="info-publi">
        <abbr class="published" title="2017-12-12T10:00:00Z">mardi 12 décembre 2017</abbr>
        – <abbr class="updated" title="2018-01-05T10:00:00Z">5 janvier 2018</abbr></p>
        <div class="texte"><p>Texte.</p></div></div></body>"""
    )
    assert (info.published, info.updated) == ("2017-12-12", "2018-01-05")


def test_dateline_is_removed_from_the_text() -> None:
    html = """<body class="page_article"><div class="article"><h1>Titre de l’article</h1>
    <p class="meta">Publié le 12/12/2017 – Modifié le 14/12/2017</p>
    <div class="texte"><p>Le texte de l’article, qui dit quelque chose.</p></div></div></body>"""
    record = extract_record(html.encode(), URL, today=TODAY)
    assert (record["published"], record["updated"]) == ("2017-12-12", "2017-12-14")
    assert record["text"] == "Le texte de l’article, qui dit quelque chose."


def test_never_the_crawl_time() -> None:
    html = '<body class="page_article"><h1>Titre</h1><p>Mis en ligne il y a 2 jours.</p></body>'
    record = extract_record(html.encode(), URL)
    assert record["published"] is None
    assert record["updated"] is None


def test_category_from_the_title_tag_when_the_h1_is_bare() -> None:
    from regarchive.pipelines.extraction.core import extract_record

    html = (
        "<html lang='fr'><head><title>Circ. - Départements - Dotation de soutien - Veille</title>"
        "<meta property='og:title' content='Dotation de soutien'>"
        "<meta property='og:site_name' content='Veille'></head>"
        "<body class='page_article'><main><h1 class='entry-title'>Dotation de soutien</h1>"
        "<div class='texte'><p>Les préfets notifient la dotation de soutien aux départements "
        "avant la fin du mois, selon les critères fixés par la loi de finances.</p></div>"
        "</main></body></html>"
    ).encode()
    record = extract_record(html, "https://x.test/spip.php?article9")
    assert record["title"] == "Dotation de soutien"
    assert record["category"] == "Circ."
    assert record["rubrics"] == ["Départements"]


# --- categories ------------------------------------------------------------------------------


def _category(body: str, url: str = URL, head: str = "") -> tuple[str | None, str | None]:
    html = f"<html lang='fr'><head><title>Titre</title>{head}</head><body>{body}</body></html>"
    info = _page(html, url)
    return info.category, info.category_source


@pytest.mark.parametrize(
    ("body", "url", "expected"),
    [
        ("<article><h1>Actu - Régions - Titre</h1></article>", URL, ("Actu", "label")),
        ("<article><p class='surtitre'>Circulaires</p><h1>Titre</h1></article>", URL,
         ("Circ.", "surtitre")),
        ("<article><h1>Titre</h1><p class='tags'><a rel='tag' href='/mot3'>Actualités</a></p>"
         "</article>", URL, ("Actu", "tag")),
        ("<p class='arbo'><a href='/'>Accueil</a> &gt; <a href='/infos'>Infos</a></p>"
         "<article><h1>Titre</h1></article>", URL, ("Actu", "breadcrumb")),
        ("<article><h1>Titre</h1></article>", "https://x.test/circulaires/titre",
         ("Circ.", "url")),
        # A listing entry's surtitre or keyword is that entry's, not the page's.
        ("<article><h1>Titre</h1></article><aside><ul><li><p class='surtitre'>Circulaires</p>"
         "<a href='/b'>Autre</a></li></ul></aside>", URL, (None, None)),
        ("<article><h1>Titre</h1></article>", URL, (None, None)),
    ],
)  # fmt: skip
def test_category_cues(body: str, url: str, expected: tuple[str | None, str | None]) -> None:
    assert _category(body, url) == expected
