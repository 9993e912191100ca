"""Bylines: who an article comes from, and when, read from one line by one grammar.

Sites sign their articles in many shapes — ``Commission Européenne - 2017-12-12``,
``Sénat - Publié le 4 mars 2019, mis à jour le 23 décembre 2019``,
``Source : DGCL - 21 juillet 2020, mis à jour le 19 mai 2021``,
``DGCL - 2019-12-23 (mis à jour le 2020-03-28)``, ``12/12/2017 | Cour des comptes`` — which
are all one grammar::

    byline  := [label] source SEP dates END        ("Sénat - Publié le 4 mars 2019")
             | dates SEP [label] source END        ("12/12/2017 - Cour des comptes")
             | label source END                     ("Source : DGCL")
    dates   := dated (GAP dated)*                   (", ", " - ", " (", " et "…)
    dated   := [published-word] [le|du] [weekday] DATE
             | updated-word [le|du|:] [weekday] DATE
    label   := "Source" | "Sources" then ":"
    SEP     := "-" | "–" | "—" | "|" | "," | ":" | "(" | "["
    END     := closing brackets, a final dot, spaces

``DATE`` is any date :mod:`.dates` reads (``2017-12-12``, ``07/05/2018``, ``6 mai 2016``,
``1er août 2023``, ``May 6, 2016``); a dated part after an update word ("mis à jour le",
"modifié le", "actualisé le") is the update, the first other one the publication. The grammar
runs on the folded line (:func:`.dates.fold`: one character per character), so what it finds
maps back to the line as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from regarchive.pipelines.extraction.dates import date_spans, fold, looks_like_date, normalize

# Longer, a line is a sentence rather than a signature.
BYLINE_MAX_LENGTH = 160
_SOURCE_MAX_WORDS = 12
# A source after the dates ("12/12/2017 - Cour des comptes") is a name, not a clause.
_TRAILING_SOURCE_MAX_WORDS = 8

_WEEKDAY = (
    r"(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
_PUBLISHED_WORD = r"(?:publie(?:e|s|es)?|mise? en ligne|date de publication|cree(?:e|s|es)?)"
_UPDATED_WORD = (
    r"(?:mise? a jour|maj|modifie(?:e|s|es)?|actualise(?:e|s|es)?"
    r"|derniere (?:modification|mise a jour)|updated|last updated)"
)
# What may stand right before a date, in the folded text; matched against what precedes it.
_DATE_PREFIX = re.compile(
    rf"(?<!\w)(?:(?:(?P<updated>{_UPDATED_WORD})|(?P<published>{_PUBLISHED_WORD}))"
    rf"\s*(?:(?:le|du|on)\s+|:\s*)?|(?:le|du|on)\s+)?(?:{_WEEKDAY},?\s+)?$"
)
# Between two dated parts; after the last one (a time of day, closing brackets, a final dot).
_TIME = r"(?:(?:a|at|,)?\s*\d{1,2}\s*[h:]\s*\d{0,2}(?:\s*min)?)"
_GAP = re.compile(rf"^(?:[\s\-–—|,;:()\[\]]|\bet\b|\band\b|{_TIME})*$")
_END = re.compile(rf"^(?:{_TIME}|[\s)\].])*$")
_SEPARATORS = " -–—|,:;([)]"
_LABEL = re.compile(r"^sources?\s*:\s*")
# A separator closing the source's part, before the dates (the folded text ends so).
_SOURCE_THEN_DATES = re.compile(r"[-–—|,:(\[]\s*$")
# After the dates, the separator opening the source's part (not a comma: "Le 6 mai 2016, les
# élus ont voté…" opens a sentence).
_DATES_THEN_SOURCE = re.compile(r"^\s*[)\]]?\s*[-–—|:]+\s*")
# Words that open a date's label or an author's signature, not an issuer's name (French first,
# then what pages in other languages put before their dates).
_NOT_A_SOURCE = re.compile(
    r"^(?:publie|mise? a jour|mise? en ligne|modifie|derniere|date|le |par |actualise|cree"
    r"|source|by |posted|published|updated|last |letzte|aktualisiert|veroffentlicht|stand\b"
    r"|fecha|publicado|actualizado)"
)
# "Wochenende in Wien 12.10." (a range "12.10. - 15.10.2023" cut in two), "Version 3, 29 June
# 2007", "Article 12 - …" name no one.
_ENDS_WITH_DATE_PART = re.compile(r"\d{1,2}[./]\d{1,2}\.?$|(?<!\S)\d+$")


@dataclass(frozen=True)
class Byline:
    """``Commission Européenne - 2017-12-12``: who the text comes from, and when.

    ``date_text`` and ``updated_text`` are the dates as written (for the date readers).
    """

    text: str
    source: str | None
    date_text: str | None
    updated_text: str | None = None


@dataclass(frozen=True)
class _Dated:
    start: int  # where its words start ("mis à jour le …")
    date_start: int
    end: int
    updated: bool


def parse_byline(text: str) -> Byline | None:
    """Read a byline line (see the module's grammar), or None when the line is not one.

    >>> parse_byline("Sénat - Publié le 4 mars 2019, mis à jour le 23 décembre 2019")
    Byline(text='Sénat - Publié le 4 mars 2019, mis à jour le 23 décembre 2019', \
source='Sénat', date_text='4 mars 2019', updated_text='23 décembre 2019')
    """
    clean = normalize(text)
    if not clean or len(clean) > BYLINE_MAX_LENGTH:
        return None
    folded = fold(clean)
    if len(folded) != len(clean):  # a character folded into several: read the folded line
        clean = folded
    dated = _dated_parts(folded)
    if not dated:
        label = _LABEL.match(folded)
        if not label:
            return None
        return _byline(clean, clean[label.end() :], [], trailing=False)
    for first, last in zip(dated, dated[1:], strict=False):
        if not _GAP.match(folded[first.end : last.start]):
            return None  # dates apart from each other: a sentence, not a byline
    before, after = folded[: dated[0].start], folded[dated[-1].end :]
    if _END.match(after) and _SOURCE_THEN_DATES.search(before):
        source = clean[_label_end(before) : len(before)]
        return _byline(clean, source, [(d, clean[d.date_start : d.end]) for d in dated], False)
    opening = _DATES_THEN_SOURCE.match(after)
    if not before.strip() and opening:
        start = len(folded) - len(after) + opening.end()
        source = clean[start + _label_end(folded[start:]) :]
        return _byline(clean, source, [(d, clean[d.date_start : d.end]) for d in dated], True)
    return None


def _dated_parts(folded: str) -> list[_Dated]:
    parts: list[_Dated] = []
    previous_end = 0
    for start, end in date_spans(folded):
        prefix = _DATE_PREFIX.search(folded, previous_end, start)
        words_start = prefix.start() if prefix and prefix.group().strip() else start
        updated = bool(prefix and prefix.group("updated"))
        parts.append(_Dated(max(words_start, previous_end), start, end, updated))
        previous_end = end
    return parts


def _label_end(text: str) -> int:
    label = _LABEL.match(text)
    return label.end() if label else 0


def _byline(
    clean: str, source_text: str, dated: list[tuple[_Dated, str]], trailing: bool
) -> Byline | None:
    source = source_text.strip(_SEPARATORS).rstrip(".").strip(_SEPARATORS)
    if not is_source(source):
        return None
    if trailing and len(source.split()) > _TRAILING_SOURCE_MAX_WORDS:
        return None
    published = next((text for part, text in dated if not part.updated), None)
    updated = next((text for part, text in dated if part.updated), None)
    if dated and not published and not updated:
        return None
    return Byline(clean, source, published, updated)


def is_source(text: str) -> bool:
    """A plausible issuer's name: a few words, no date, not a phrase such as "Publié le"."""
    folded = fold(text)
    return (
        bool(folded)
        and folded[0].isalpha()
        and not _ENDS_WITH_DATE_PART.search(folded)
        and len(folded.split()) <= _SOURCE_MAX_WORDS
        and not _NOT_A_SOURCE.match(folded)
        and not looks_like_date(text)
    )
