"""Bylines: one grammar, property-tested over the shapes sites write them in, in a line and in a
page (where the byline is metadata: it gives source and dates and never stays in the text)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regarchive.pipelines.extraction.bylines import parse_byline
from regarchive.pipelines.extraction.core import extract_record
from regarchive.pipelines.extraction.dates import parse_french_date

TODAY = date(2025, 6, 30)
SOURCES = (
    "Commission Européenne", "Assemblée nationale", "Sénat", "DGCL", "Cour des comptes",
    "Ministère de l’Intérieur", "Ministère de l'Économie - DGFiP", "Régions de France",
    "Préfecture de la Manche", "La Poste", "Insee", "Agence nationale de la cohésion des "
    "territoires", "CNIL", "Conseil d’État", "Banque des Territoires", "ADF",
)  # fmt: skip
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def _french(day: date, weekday: bool = False) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    text = f"{number} {MONTHS[day.month - 1]} {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


DATE_FORMS = {
    "iso": lambda d: d.isoformat(),
    "slashes": lambda d: d.strftime("%d/%m/%Y"),
    "dots": lambda d: d.strftime("%d.%m.%Y"),
    "french": _french,
    "french-weekday": lambda d: _french(d, weekday=True),
    "english": lambda d: f"{ENGLISH_MONTHS[d.month - 1]} {d.day}, {d.year}",
}
PUBLISHED_WORDS = ("", "le ", "Publié le ", "publié le ", "Mis en ligne le ", "Publié : ")
UPDATE_FORMS = (
    ", mis à jour le {}", " (mis à jour le {})", " - mis à jour le {}", " | modifié le {}",
    ", actualisé le {}", " – mise à jour : {}", " [mis à jour le {}]",
)  # fmt: skip
SEPARATORS = (" - ", " – ", " — ", " | ", ", ", " : ", " -- ")
LABELS = ("", "Source : ", "Sources : ", "Source: ", "Source\u00a0: ")


@st.composite
def bylines(draw: st.DrawFn) -> tuple[str, str, str, str | None]:
    """``(line, source, published day, updated day or None)``."""
    source = draw(st.sampled_from(SOURCES))
    published = draw(st.dates(date(1998, 1, 1), date(2024, 12, 31)))
    form = DATE_FORMS[draw(st.sampled_from(sorted(DATE_FORMS)))]
    dates = draw(st.sampled_from(PUBLISHED_WORDS)) + form(published)
    updated = None
    if draw(st.booleans()):
        updated = published + timedelta(days=draw(st.integers(1, (TODAY - published).days)))
        update_form = DATE_FORMS[draw(st.sampled_from(sorted(DATE_FORMS)))]
        dates += draw(st.sampled_from(UPDATE_FORMS)).format(update_form(updated))
    label = draw(st.sampled_from(LABELS))
    if draw(st.booleans()):  # source first
        if draw(st.booleans()) and not dates.endswith(")"):
            line = f"{label}{source} ({dates})"
        else:
            line = f"{label}{source}{draw(st.sampled_from(SEPARATORS))}{dates}"
    else:  # dates first; never after a comma, which opens a sentence rather than a name
        separator = draw(st.sampled_from([s for s in SEPARATORS if "," not in s]))
        line = f"{dates}{separator}{label}{source}"
    if draw(st.booleans()):
        line += "."
    return line, source, published.isoformat(), updated.isoformat() if updated else None


def _day(text: str | None) -> str | None:
    return parse_french_date(text, today=TODAY).value if text else None


@given(bylines())
@settings(max_examples=400, deadline=None)
def test_every_shape_gives_source_published_and_updated(
    case: tuple[str, str, str, str | None],
) -> None:
    line, source, published, updated = case
    byline = parse_byline(line)
    assert byline is not None, line
    assert byline.source == source
    assert _day(byline.date_text) == published
    assert _day(byline.updated_text) == updated


@pytest.mark.parametrize(
    ("line", "source", "published", "updated"),
    [
        ("Commission Européenne - 2017-12-12", "Commission Européenne", "2017-12-12", None),
        ("Assemblée nationale – 6 mai 2016", "Assemblée nationale", "2016-05-06", None),
        ("Sénat - Publié le 4 mars 2019, mis à jour le 23 décembre 2019", "Sénat", "2019-03-04",
         "2019-12-23"),
        ("Source : DGCL - 21 juillet 2020, mis à jour le 19 mai 2021", "DGCL", "2020-07-21",
         "2021-05-19"),
        ("DGCL - 2019-12-23 (mis à jour le 2020-03-28)", "DGCL", "2019-12-23", "2020-03-28"),
        ("Cour des comptes - 07/05/2018 - mis à jour le 19/04/2019", "Cour des comptes",
         "2018-05-07", "2019-04-19"),
        ("Sénat | mardi 4 mars 2019 à 10h30", "Sénat", "2019-03-04", None),
        ("Publié le 4 mars 2019 - Source : DGCL", "DGCL", "2019-03-04", None),
        ("DGCL - mis à jour le 2020-03-28", "DGCL", None, "2020-03-28"),
    ],
)  # fmt: skip
def test_the_issue_examples(
    line: str, source: str, published: str | None, updated: str | None
) -> None:
    byline = parse_byline(line)
    assert byline is not None
    assert (byline.source, _day(byline.date_text), _day(byline.updated_text)) == (
        source,
        published,
        updated,
    )


@pytest.mark.parametrize(
    "line",
    [
        "Le 6 mai 2016, les élus ont voté la loi de finances rectificative",
        "Réunion du 12 mars 2024 au Sénat, puis le 14 mars 2024 à l'Assemblée",
        "Publié le 4 mars 2019 par la DGCL",
        "20 Minutes - 12/03/2024",
        "Source :",
    ],
)
def test_sentences_are_not_bylines(line: str) -> None:
    assert parse_byline(line) is None


# --- in a page ----------------------------------------------------------------------------

PARAGRAPHS = [
    "La Région a adopté mardi son schéma régional des mobilités pour les dix prochaines années.",
    "Il fixe trois priorités : les lignes de car express, les pôles d’échanges et le vélo.",
    "Le coût total est estimé à 2,3 milliards d’euros, dont un tiers financé par l’État.",
]
WRAPPERS = {
    "p": "<p>{}</p>",
    "div": "<div>{}</div>",
    "em": "<p><em>{}</em></p>",
    "strong": "<strong>{}</strong>",
    "small": "<p><small>{}</small></p>",
}


def _page(byline_html: str, at_start: bool) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    body = byline_html + paragraphs if at_start else paragraphs + byline_html
    return (
        "<html lang='fr'><head><title>Le schéma des mobilités</title></head><body>"
        "<header><a href='/'>Accueil</a></header><article><h1>Le schéma des mobilités</h1>"
        "<p class='info-publi'><span class='auteurs'>par <span class='vcard author'>"
        "<a class='url fn'>Rédaction</a></span></span></p>"
        f"<div class='texte'>{body}</div></article></body></html>"
    ).encode()


@given(bylines(), st.sampled_from(sorted(WRAPPERS)), st.booleans())
@settings(max_examples=120, deadline=None)
def test_a_byline_anywhere_it_is_set_gives_the_fields_and_leaves_the_text(
    case: tuple[str, str, str, str | None], wrapper: str, at_start: bool
) -> None:
    line, source, published, updated = case
    html = WRAPPERS[wrapper].format(line.replace("&", "&amp;").replace("<", "&lt;"))
    record = extract_record(_page(html, at_start), "https://x.test/a", today=TODAY)
    assert (record["source"], record["published"], record["updated"]) == (
        source,
        published,
        updated,
    )
    assert (record["published_source"], record["updated_source"]) == (
        "byline",
        "byline" if updated else None,
    )
    assert record["text"] == "\n".join(PARAGRAPHS)


def test_a_labelled_field_names_the_source() -> None:
    html = "<dl><dt>Source</dt><dd>Cour des comptes</dd></dl>"
    record = extract_record(_page(html, at_start=False), "https://x.test/a", today=TODAY)
    assert record["source"] == "Cour des comptes"
    assert record["text"] == "\n".join(PARAGRAPHS)


def test_the_signature_is_the_source_only_without_a_byline() -> None:
    record = extract_record(_page("", at_start=False), "https://x.test/a", today=TODAY)
    assert record["source"] == "Rédaction"
