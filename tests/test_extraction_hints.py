"""A site's extraction hints (sites file ``[site.hints]``) are tried by each stage before its
heuristics: on a page whose category, byline, date and text the generic readers cannot find,
the hints find them, with ``hint`` as their provenance; a hint that selects nothing changes
nothing."""

from __future__ import annotations

from regarchive.pipelines.extraction.core import extract_record
from regarchive.pipelines.extraction.hints import ExtractionHints, compile_hint

URL = "https://www.mairie.example/fiche.php?id=12"
CHAPO = "La commune a présenté le bilan de son plan de sobriété énergétique aux habitants."
BODY = (
    "Les consommations des bâtiments communaux ont baissé de dix-huit pour cent en un an, "
    "grâce au réglage des chaudières et à l’extinction nocturne de l’éclairage public."
)
# An in-house template: no surtitre, no tag, no SPIP or Schema markup, a <meta name="date">
# that is the day the template was last changed; the kind of page a site's own CMS writes.
PAGE = f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Sobriété énergétique : le bilan d’une année</title>
<meta name="date" content="2020-01-06"></head><body>
<div class="bandeau">Mairie de Saint-Exemple</div>
<div class="col-gauche"><div class="bloc-info"><span class="genre">Circulaire</span></div>
<div class="bloc-info">Horaires de la mairie : du lundi au vendredi.</div></div>
<div class="col-centre">
<div class="fiche">
<div class="genre-fiche">Note d’information</div>
<h1>Sobriété énergétique : le bilan d’une année</h1>
<div class="quand" data-jour="2019-03-04">Mis en ligne</div>
<div class="corps"><p>{CHAPO}</p><p>{BODY}</p></div>
<div class="emetteur">Service Énergie et Patrimoine</div>
</div>
<div class="encart"><p>Inscrivez-vous à la lettre d’information de la commune pour recevoir
toutes les actualités municipales chaque semaine, directement dans votre boîte.</p></div>
</div></body></html>"""


def hints(**selectors: str) -> ExtractionHints:
    return ExtractionHints(**{name: compile_hint(s) for name, s in selectors.items()})


def test_without_hints_the_generic_readers_miss_these_fields() -> None:
    record = extract_record(PAGE.encode(), URL, content_type="text/html; charset=utf-8")
    assert record["category"] != "Actu"
    assert record["source"] is None
    assert record["published"] == "2020-01-06"  # the template's date: wrong


def test_each_stage_tries_its_hint_first() -> None:
    record = extract_record(
        PAGE.encode(),
        URL,
        content_type="text/html; charset=utf-8",
        hints=hints(
            category="div.genre-fiche",
            byline="//div[@class='emetteur']",
            date="div.quand::attr(data-jour)",
            article="div.corps",
        ),
    )
    # "Note d’information" is one of the words of the "Circ." category.
    assert (record["category"], record["category_source"]) == ("Circ.", "hint")
    assert record["source"] == "Service Énergie et Patrimoine"
    assert (record["published"], record["published_source"]) == ("2019-03-04", "hint")
    # The text is the hinted element's alone: no newsletter box, no side column, no byline.
    assert record["text"] == f"{CHAPO}\n{BODY}"


def test_a_date_hint_reads_published_and_updated_phrases() -> None:
    page = PAGE.replace(
        ">Mis en ligne<", ">Mis en ligne le 4 mars 2019, mis à jour le 12 avril 2019<"
    )
    record = extract_record(page.encode(), URL, hints=hints(date="div.quand"))
    assert (record["published"], record["published_source"]) == ("2019-03-04", "hint")
    assert (record["updated"], record["updated_source"]) == ("2019-04-12", "hint")


def test_a_hint_that_selects_nothing_changes_nothing() -> None:
    plain = extract_record(PAGE.encode(), URL)
    hinted = extract_record(
        PAGE.encode(),
        URL,
        hints=hints(category="span.absent", byline="p.absent", date="time.absent", article="#no"),
    )
    assert hinted == plain


def test_a_byline_hint_is_read_with_the_byline_grammar() -> None:
    page = PAGE.replace("Service Énergie et Patrimoine", "Source : Cour des comptes - 07/05/2018")
    record = extract_record(page.encode(), URL, hints=hints(byline="div.emetteur"))
    assert record["source"] == "Cour des comptes"
    assert record["published"] == "2018-05-07"
    assert "Cour des comptes" not in record["text"]
