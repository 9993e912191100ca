"""How values read in the pages: French dates, highlighted passages, links that are safe to
follow. Every function returns text for the templates to escape, or :class:`Markup` built only
from escaped text."""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from regarchive.archive.queries import MATCH_END, MATCH_START
from regarchive.pipelines.extraction.dates import french_long_date

# Where a date or a category was read from, as the extractor records it (``published_source``,
# ``updated_source``, ``category_source``); a value not listed here is shown as it is.
PROVENANCE = {
    "byline": "ligne de signature",
    "spip-header": "en-tête SPIP",
    "json-ld": "métadonnées JSON-LD",
    "opengraph": "métadonnées OpenGraph",
    "meta": "balise meta",
    "itemprop": "microdonnées",
    "time": "élément <time>",
    "date-line": "ligne de date",
    "url": "adresse de la page",
    "near-title": "date écrite près du titre",
    "htmldate": "estimation (htmldate)",
    "title": "titre",
    "label": "libellé du lien",
    "surtitre": "surtitre",
    "tag": "mot-clé",
    "rubric": "rubrique",
    "breadcrumb": "fil d'Ariane",
    "sighting": "liste de la rubrique",
    "listing": "liste de la rubrique",
}


def french_day(value: str | None) -> str:
    """``2022-12-06`` as ``6 décembre 2022`` (``1er`` for the first); other text unchanged."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return french_long_date(day)


def french_moment(value: str | None) -> str:
    """An archive timestamp (``2026-11-30T02:15:19Z``) as ``30 novembre 2026, 02:15 UTC``."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return f"{french_day(moment.date().isoformat())}, {moment:%H:%M} UTC"


def provenance(value: str | None) -> str:
    return PROVENANCE.get(value or "", value or "")


def highlight(snippet: str | None) -> Markup:
    """A search passage, escaped, with the matched words in ``<mark>``."""
    escaped = str(escape(" ".join((snippet or "").split())))
    marked = re.sub(
        re.escape(MATCH_START) + "(.*?)" + re.escape(MATCH_END), r"<mark>\1</mark>", escaped
    )
    # An unclosed marker (a passage cut in the middle of a match) must not leave a stray byte.
    return Markup(marked.replace(MATCH_START, "").replace(MATCH_END, ""))


def web_link(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL a page may link to, else None (a
    ``javascript:`` or ``data:`` URL read from a hostile page is shown, never linked)."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def paragraphs(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").split("\n") if line.strip()]


def count_label(count: int, one: str, many: str) -> str:
    """``1 article``, ``2 articles``, with a narrow space between thousands (French style)."""
    number = f"{count:,}".replace(",", "\u202f")
    return f"{number} {one if count < 2 else many}"
