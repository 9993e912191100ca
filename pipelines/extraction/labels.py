"""Categories and the ``Actu - Régions - <title>`` labels these sites put on links and titles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from regarchive.pipelines.extraction.dates import fold

# The words sites use for the two categories, by the archive's value. Matching is on the folded
# word (lower case, no accents, no final dot, apostrophes unified), singular or plural: add a
# spelling here and every reader (title and link labels, surtitres, tags, breadcrumbs, listing
# entries) knows it. URLs are read with the same words (``_URL_CATEGORY``).
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "Actu": (
        "actu", "actus", "actualite", "actualites", "info", "infos", "information",
        "informations", "breve", "breves", "news", "a la une",
    ),
    "Circ.": (
        "circ", "circulaire", "circulaires", "instruction", "instructions",
        "note d'information", "notes d'information", "note d'info", "instruction ministerielle",
        "instructions ministerielles",
    ),
}  # fmt: skip
CATEGORY_ALIASES = {word: value for value, words in CATEGORY_WORDS.items() for word in words}
CATEGORIES = tuple(CATEGORY_WORDS)
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'"})

_SEPARATOR = r"\s+[-–—|]\s+"
_LABEL = re.compile(r"^\s*(?P<category>[A-Za-zÀ-ÿ]+\.?)" + _SEPARATOR + r"(?P<rest>.+?)\s*$", re.S)
# In URLs: /actualites/…, /circulaires/…, ?type=circulaire, circ-…
_URL_CATEGORY = re.compile(
    r"(?:^|[/_\-=?&.])(actus?|actualites?|breves?|news|infos?|circ|circulaires?|instructions?)"
    r"(?=$|[/_\-=&.\d])",
    re.I,
)


@dataclass(frozen=True)
class Label:
    """What a link label or a prefixed title says: ``Circ. - Régions - Soutien…``."""

    category: str | None
    rubric: str | None
    title: str


def category_from_word(word: str | None) -> str | None:
    """``"Circulaire"``, ``"Actualités"``, ``"Note d’information"`` → the archive's value
    (``"Circ."``, ``"Actu"``); None for anything that is not a category name."""
    if not word:
        return None
    key = fold(word.translate(_APOSTROPHES)).rstrip(" .:")
    return CATEGORY_ALIASES.get(key)


def parse_label(text: str, known_rubrics: frozenset[str] | set[str] = frozenset()) -> Label:
    """Split ``Actu - Régions - <title>`` into category, rubric and title.

    Only a leading category word is taken as a prefix, so a title that merely contains
    dashes (``Budget 2025 - les Régions…``) stays whole. After the category, the next segment
    is the rubric when there is a further segment or when it is a known rubric name.
    """
    clean = " ".join(text.split())
    match = _LABEL.match(clean)
    if not match:
        return Label(None, None, clean)
    category = category_from_word(match.group("category"))
    if category is None:
        return Label(None, None, clean)
    rest = match.group("rest")
    pieces = re.split(_SEPARATOR, rest, maxsplit=1)
    if len(pieces) == 2 and (_short_name(pieces[0]) or pieces[0] in known_rubrics):
        return Label(category, pieces[0].strip(), pieces[1].strip())
    return Label(category, None, rest.strip())


def _short_name(text: str) -> bool:
    """Rubric names are a few words ("Régions", "Collectivités d'outre-mer"), titles are longer."""
    return len(text) <= 40 and len(text.split()) <= 4


def category_from_url(url: str) -> str | None:
    """The category an URL's path or query names (``/circulaires/…``), or None."""
    match = _URL_CATEGORY.search(url.split("://", 1)[-1].split("/", 1)[-1] if "/" in url else url)
    return category_from_word(match.group(1)) if match else None
