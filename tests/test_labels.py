"""Link labels and title prefixes: ``Actu - Régions - <title>``."""

from __future__ import annotations

import pytest

from regarchive.pipelines.extraction.labels import (
    CATEGORY_WORDS,
    Label,
    category_from_url,
    category_from_word,
    parse_label,
)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (
            "Actu - Régions - Les Régions mobilisés pour une ESS ambitieuse à l’horizon 2035",
            Label(
                "Actu", "Régions", "Les Régions mobilisés pour une ESS ambitieuse à l’horizon 2035"
            ),
        ),
        (
            "Circ. - Régions - Soutien financier au titre de la neutralisation financière",
            Label("Circ.", "Régions", "Soutien financier au titre de la neutralisation financière"),
        ),
        (
            "Circulaire – Départements – Dotation globale",
            Label("Circ.", "Départements", "Dotation globale"),
        ),
        ("Actu - Hausse des droits de douane", Label("Actu", None, "Hausse des droits de douane")),
        (
            "Budget 2025 - les Régions partenaires",
            Label(None, None, "Budget 2025 - les Régions partenaires"),
        ),
        ("  Actu  -  Communes  -  Titre\u00a0long ", Label("Actu", "Communes", "Titre long")),
        ("Titre sans préfixe", Label(None, None, "Titre sans préfixe")),
    ],
)
def test_parse_label(text: str, label: Label) -> None:
    assert parse_label(text) == label


def test_category_words() -> None:
    assert category_from_word("Actualités") == "Actu"
    assert category_from_word("CIRCULAIRES") == "Circ."
    assert category_from_word("Régions") is None
    assert category_from_word(None) is None


def test_category_from_url() -> None:
    assert category_from_url("https://x.org/circulaires/2024-12-dotation") == "Circ."
    assert category_from_url("https://x.org/actualites/budget") == "Actu"
    assert category_from_url("https://x.org/spip.php?article12") is None
    assert category_from_url("https://x.org/circuit-court-en-region") is None


@pytest.mark.parametrize(
    ("word", "category"),
    [
        ("Actualités", "Actu"), ("ACTU", "Actu"), ("Info", "Actu"), ("Infos", "Actu"),
        ("Brève", "Actu"), ("Brèves", "Actu"), ("News", "Actu"), ("Circ.", "Circ."),
        ("Circulaires", "Circ."), ("Instruction", "Circ."), ("Note d’information", "Circ."),
        ("Notes d'information", "Circ."), ("Régions", None), ("Informatique", None), ("", None),
    ],
)  # fmt: skip
def test_category_word_variants(word: str, category: str | None) -> None:
    assert category_from_word(word) == category


def test_every_category_word_of_the_table_is_read() -> None:
    for value, words in CATEGORY_WORDS.items():
        for word in words:
            assert category_from_word(word.upper()) == value
