"""Main text: repeated paragraphs, fingerprints, boilerplate removal, the fallback."""

from __future__ import annotations

import pytest

import regarchive.pipelines.extraction.text as text_module
from regarchive.pipelines.extraction.page import block_lines, parse_html
from regarchive.pipelines.extraction.text import (
    dedup_paragraphs,
    extract_text,
    find_headed_blocks,
    fingerprint,
    normalize_text,
    paragraph_key,
    remove_boilerplate,
    split_paragraphs,
)

CHAPO = (
    "L’action pilote aidera ces régions à opérer une transformation économique en termes de "
    "«\u00a0spécialisation intelligente\u00a0»."
)

# --- paragraph comparison -----------------------------------------------------------------


@pytest.mark.parametrize(
    "retyped",
    [
        # straight quotes and apostrophes, stray space before the closing quote (the seed page)
        "L'action pilote aidera ces régions à opérer une transformation économique en termes de "
        '"spécialisation intelligente ".',
        # curly English quotes
        "L’action pilote aidera ces régions à opérer une transformation économique en termes de "
        "“spécialisation intelligente”.",
        # thin non-breaking spaces, double spaces
        "L’action  pilote aidera ces régions à opérer une transformation économique en termes de "
        "«\u202fspécialisation intelligente\u202f».",
        # case and accents
        "L'ACTION PILOTE aidera ces regions a operer une transformation economique en termes de "
        "« specialisation intelligente ».",
        # punctuation spacing, line break inside
        "L’action pilote aidera ces régions à opérer une transformation\néconomique en termes de "
        "«spécialisation intelligente» .",
    ],
)
def test_retyped_paragraph_is_the_same(retyped: str) -> None:
    assert paragraph_key(retyped) == paragraph_key(CHAPO)
    kept, removed = dedup_paragraphs([CHAPO], ["Un autre paragraphe.", retyped])
    assert kept == [CHAPO, "Un autre paragraphe."]
    assert removed == 1


def test_different_paragraphs_stay() -> None:
    paragraphs = ["La Région vote son budget.", "Le Département vote son budget."]
    assert dedup_paragraphs(["Le chapô."], paragraphs) == (["Le chapô.", *paragraphs], 0)


def test_repeats_within_the_body_stay() -> None:
    # Articles repeat lines (a refrain, a question asked twice, a table's rows): only what
    # repeats the chapô is a copy.
    paragraphs = ["A propos du budget.", "Deuxième.", "À propos du budget !"]
    assert dedup_paragraphs([], paragraphs) == (paragraphs, 0)
    assert dedup_paragraphs(["Le chapô."], [*paragraphs, "Le chapô !"]) == (
        ["Le chapô.", *paragraphs],
        1,
    )


def test_chapo_equal_to_two_body_paragraphs_joined() -> None:
    chapo = "La Région a adopté son schéma des mobilités. Il fixe trois priorités pour 2030."
    body = [
        "La Région a adopté son schéma des mobilités.",
        "Il fixe « trois priorités » pour 2030.",
        "Le coût total est estimé à 2,3 milliards d’euros.",
    ]
    kept, removed = dedup_paragraphs([chapo], body)
    assert kept == [chapo, "Le coût total est estimé à 2,3 milliards d’euros."]
    assert removed == 2


def test_body_paragraph_equal_to_chapo_paragraphs_joined() -> None:
    chapo = ["Premier paragraphe du chapô.", "Second paragraphe du chapô."]
    body = ["Premier paragraphe du chapô. Second paragraphe du chapô.", "La suite."]
    assert dedup_paragraphs(chapo, body) == ([*chapo, "La suite."], 1)


def test_three_paragraph_chapo_repeated_as_three_paragraphs() -> None:
    chapo = ["Un.", "Deux trois.", "Quatre cinq six."]
    kept, removed = dedup_paragraphs(chapo, ["un", "DEUX TROIS", "quatre, cinq, six", "Fin."])
    assert kept == [*chapo, "Fin."]
    assert removed == 3


def test_separators_are_dropped_silently() -> None:
    assert dedup_paragraphs([], ["Avant.", "* * *", "—", "Après."]) == (["Avant.", "Après."], 0)


def test_non_latin_paragraphs_are_compared_too() -> None:
    kept, removed = dedup_paragraphs(["Καλημέρα κόσμε"], ["Καλημέρα, κόσμε!", "Другой текст"])
    assert kept == ["Καλημέρα κόσμε", "Другой текст"]
    assert removed == 1


def test_split_paragraphs() -> None:
    assert split_paragraphs("  Un\u00a0 deux \n\n trois\n") == ["Un deux", "trois"]


# --- fingerprint --------------------------------------------------------------------------


def test_fingerprint_is_sha256_hex() -> None:
    value = fingerprint("Texte")
    assert len(value) == 64
    assert int(value, 16) >= 0


def test_fingerprint_is_stable() -> None:
    # A stored hash must not change between runs or versions without notice.
    assert fingerprint("L’État et les Régions.") == fingerprint("L’État et les Régions.")
    assert normalize_text("L’État et les Régions.") == "l'état et les régions."


@pytest.mark.parametrize(
    "variant",
    [
        "l'état s'engage : « 4,2 M€ » pour la région - en 2024.",
        "L’État s’engage\u00a0: «\u00a04,2\u00a0M€\u00a0» pour la Région – en 2024.",
        "L'ÉTAT S'ENGAGE: \"4,2 M€\" POUR LA RÉGION — EN 2024 .",
        "L’État  s’engage :\n« 4,2 M€ » pour la Région - en 2024.",
    ],
)
def test_fingerprint_ignores_typography(variant: str) -> None:
    reference = "L’État s’engage : « 4,2 M€ » pour la Région - en 2024."
    assert fingerprint(variant) == fingerprint(reference)


def test_fingerprint_sees_real_changes() -> None:
    assert fingerprint("Le budget est de 4,2 M€.") != fingerprint("Le budget est de 4,3 M€.")
    assert fingerprint("La Région") != fingerprint("Le Département")


# --- boilerplate and headed blocks --------------------------------------------------------

SIDEBAR_PAGE = """
<body class="page_article">
<header><p>Site</p></header>
<div class="content hentry">
  <article><header><h1>Titre</h1><time datetime="2024-01-02">2 janvier</time></header>
  <div class="texte"><p>Le texte de l’article.</p>
  <h3>À lire aussi</h3><ul><li><a href="a">Autre article</a></li></ul></div>
  <footer class="source">Source : DGCL</footer></article>
</div>
<div class="bloc"><h2><span>Dans la même rubrique</span></h2>
  <ul><li><a href="b">Actu - Régions - Titre B</a> <small>03/01/2024</small></li></ul></div>
<div id="tarteaucitronRoot">Ce site utilise des cookies</div>
<div class="partage"><a href="https://facebook.test">Partager</a></div>
<p><a href="spip.php?page=imprimer&amp;id_article=3">Imprimer</a> suite du paragraphe</p>
<footer>Mentions légales</footer>
</body>
"""


def test_headed_blocks() -> None:
    tree = parse_html(SIDEBAR_PAGE)
    blocks = find_headed_blocks(tree)
    assert [(block.heading.tag, block.same_rubric) for block in blocks] == [
        ("h3", False),
        ("h2", True),
    ]
    assert [e.tag for e in blocks[0].elements] == ["h3", "ul"]  # not the whole div.texte
    assert [e.get("class") for e in blocks[1].elements] == ["bloc"]


def test_remove_boilerplate() -> None:
    tree = parse_html(SIDEBAR_PAGE)
    remove_boilerplate(tree, find_headed_blocks(tree))
    lines = block_lines(tree.body)
    assert lines == [
        "Titre",
        "2 janvier",
        "Le texte de l’article.",
        "Source : DGCL",
        "suite du paragraphe",
    ]


def test_extract_text_drops_header_byline_and_repeats() -> None:
    html = """<body><div class="hentry">
      <div class="cartouche"><h1>Titre</h1><p class="info-publi">12 mars 2024</p></div>
      <div class="chapo"><p>Chapô de l’article, assez long pour compter.</p></div>
      <div class="texte"><p>Chapô de l'article, assez long pour compter.</p>
      <p>Corps de l’article, qui dit autre chose que le chapô.</p>
      <p>Commission Européenne - 2017-12-12</p></div></div></body>"""
    tree = parse_html(html)
    result = extract_text(tree, byline="Commission Européenne – 2017-12-12")
    assert result.text == (
        "Chapô de l’article, assez long pour compter.\n"
        "Corps de l’article, qui dit autre chose que le chapô."
    )
    assert result.warnings == ["repeated paragraphs removed: 1"]


def test_fallback_when_trafilatura_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_module.trafilatura, "extract", lambda *args, **kwargs: None)
    html = """<body><div class="chapo"><p>Le chapô.</p></div>
      <div class="texte"><p>Premier.</p><ul><li>Point un</li><li>Point deux</li></ul></div>
      <p>Hors texte.</p></body>"""
    result = extract_text(parse_html(html))
    assert result.text == "Le chapô.\nPremier.\nPoint un\nPoint deux"
    assert result.warnings == []


def test_empty_text_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_module.trafilatura, "extract", lambda *args, **kwargs: None)
    result = extract_text(parse_html("<body><div class='nav'>Menu</div></body>"))
    assert result.text == ""
    assert result.warnings == ["empty text"]


def test_related_entries_in_paragraphs_after_a_paragraph_heading_stay_out_of_the_text() -> None:
    from regarchive.pipelines.extraction.core import extract_record

    body = (
        "<p>Les régions ont adopté leur budget primitif pour l’année à venir, en hausse sur "
        "l’investissement et la formation professionnelle des demandeurs d’emploi.</p>"
        "<p>Les crédits de l’apprentissage sont maintenus au niveau de l’an dernier, selon "
        "les services de la collectivité, qui en présenteront le détail en juin.</p>"
    )
    related = (
        "<p>Dans la même rubrique</p>"
        "<p><a href='/spip.php?article8'>Actu - Régions - Budget des lycées</a></p>"
        "<p><a href='/spip.php?article9'>Circ. - Régions - Aides d’État aux entreprises</a></p>"
    )
    html = (
        "<html lang='fr'><body class='page_article'><main><h1 class='entry-title'>Budgets</h1>"
        f"<div class='texte'>{body}</div>{related}</main></body></html>"
    ).encode()
    record = extract_record(html, "https://x.test/spip.php?article7")
    assert "Budget des lycées" not in record["text"]
    assert "Aides d’État" not in record["text"]
    assert "apprentissage" in record["text"]
    assert [r["title"] for r in record["related"]] == [
        "Budget des lycées",
        "Aides d’État aux entreprises",
    ]
