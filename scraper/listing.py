"""Reading a rubric listing page: its article links (with labels and category cues), its
further pages, its rubric's name. Pure functions of the parsed page and its URL, so they are
tested on fixture pages the way ``extract_record`` is; the spider only turns what they find
into sightings and requests.

Pagers take many forms, all read here:

- SPIP ``?debut_articles=10`` (any ``debut_*``), Drupal's zero-based ``?page=1`` (in
  ``nav.pager``), WordPress ``/page/2/`` and ``?paged=2``, Joomla ``?start=10``;
- ``rel="next"`` on a ``<link>`` or an ``<a>``; links in a pagination block (``.pagination``,
  ``.pager``, ``.page-numbers``, ``nav[aria-label*=pagination]``…); links whose text says "next":
  "Suivant", "Page suivante", "›", "»", "Next".

A pager link is another page of the same listing, never an article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from regarchive.pipelines.extraction.labels import category_from_word, parse_label
from regarchive.pipelines.extraction.page import strip_controls
from regarchive.pipelines.extraction.urls import is_pagination_of, listing_key, normalize_url

# Where listing templates put their article entries, most specific first (CSS, compiled once).
LISTING_ITEM_SELECTORS = (
    ".menu_articles li.hentry",
    "li.hentry",
    ".menu_articles li",
    "article",
    ".liste-articles li",
    ".liste-items li",
    ".hentry",
)
# The page's main content, for the fallback when no listing markup is recognised.
CONTENT_SELECTORS = ("main", "#content", ".content", ".main", "body")
PAGINATION_SELECTORS = (
    ".pagination", ".pager", ".pagination-items", ".page-numbers", ".nav-links", ".pages",
    "nav[aria-label*=agination]", "nav[aria-label*=ages]", ".wp-pagenavi",
)  # fmt: skip
NEXT_LABELS = frozenset(
    {"suivant", "suivante", "suivants", "page suivante", "articles suivants", "»", "›", ">",
     "next", "next page", ">>", "»»"}
)  # fmt: skip
_SURTITRE_CLASSES = ("surtitre", "kicker", "overline", "sur-titre", "surtitle", "cat", "category")
# Links to a taxonomy (an entry's category, tags, author: WordPress's rel="category tag"), which
# lead to other listings, never to an article.
_TAXONOMY_RELS = frozenset({"tag", "category", "author"})
# What archive templates write before the rubric's name in their heading ("Catégorie : Régions").
_ARCHIVE_PREFIX = re.compile(
    r"^(?:cat[ée]gorie|rubrique|archives?|[ée]tiquette|mot-cl[ée]|th[èe]me|category|tag)"
    r"\s*(?:de\s+la\s+cat[ée]gorie\s*)?[:：]\s*",
    re.IGNORECASE,
)


def _css(selector: str) -> etree.XPath:
    from cssselect import GenericTranslator

    return etree.XPath(GenericTranslator().css_to_xpath(selector))


_ITEM_XPATHS = tuple(_css(s) for s in LISTING_ITEM_SELECTORS)
_CONTENT_XPATHS = tuple(_css(s) for s in CONTENT_SELECTORS)
_PAGINATION_XPATHS = tuple(_css(s) for s in PAGINATION_SELECTORS)
_REL_NEXT = etree.XPath(
    "//*[self::link or self::a][@href][contains(concat(' ', normalize-space(@rel), ' '),"
    " ' next ')]/@href"
)


@dataclass(frozen=True)
class ListingLink:
    """An article link of a listing: its URL, its label, and the category the entry gives (a
    label prefix ``Actu - …``, else a surtitre next to the link)."""

    url: str
    label: str
    category: str | None


def collapse(text: str) -> str:
    """One line of text, control characters (ESC…) removed as extraction removes them."""
    return " ".join(strip_controls(text).split())


def same_listing(url: str, root: str) -> bool:
    """True when ``url`` is a page of the listing ``root`` (same path and object)."""
    return listing_key(url) == listing_key(root)


def article_links(root: HtmlElement, page_url: str) -> Iterator[ListingLink]:
    """The links of the listing's entries (else of its main content), each URL once, pager
    links left out (the caller decides what may be an article)."""
    entries: list[HtmlElement] = []
    for xpath in _ITEM_XPATHS:
        entries = xpath(root)
        if entries:
            break
    if not entries:
        for xpath in _CONTENT_XPATHS:
            entries = xpath(root)[:1]
            if entries:
                break
    seen = {normalize_url(page_url)}
    for entry in entries:
        kicker = _entry_category(entry) if len(entries) > 1 else None
        for anchor in entry.iter("a"):
            href = anchor.get("href")
            url = normalize_url(href, page_url) if href else ""
            if not url or url in seen or is_pagination_of(url):
                continue
            if _TAXONOMY_RELS.intersection((anchor.get("rel") or "").lower().split()):
                continue
            seen.add(url)
            label = collapse(anchor.text_content())
            yield ListingLink(url, label, parse_label(label).category or kicker)


def _entry_category(entry: HtmlElement) -> str | None:
    """The category a listing entry's surtitre (or category link) names, next to its link."""
    for element in entry.iter():
        if not isinstance(element.tag, str):
            continue
        classes = (element.get("class") or "").lower().split()
        if any(c in _SURTITRE_CLASSES for c in classes):
            category = category_from_word(collapse(element.text_content()))
            if category:
                return category
    return None


def next_pages(root: HtmlElement, page_url: str, listing_root: str) -> Iterator[str]:
    """The other pages of the listing ``listing_root`` this page links (see the module)."""
    hrefs = [str(href) for href in _REL_NEXT(root)]
    for xpath in _PAGINATION_XPATHS:
        for block in xpath(root):
            hrefs += [a.get("href") for a in block.iter("a") if a.get("href")]
    for anchor in root.iter("a"):
        href = anchor.get("href")
        if href is None:
            continue
        text = collapse(anchor.text_content()).lower().rstrip(" »›>").strip()
        label = collapse(anchor.get("aria-label") or anchor.get("title") or "").lower()
        if (
            text in NEXT_LABELS
            or label in NEXT_LABELS
            or (not text and label.startswith("next"))
            or is_pagination_of(normalize_url(href, page_url))
        ):
            hrefs.append(href)
    seen: set[str] = set()
    for href in hrefs:
        url = normalize_url(href, page_url)
        if url and url not in seen and same_listing(url, listing_root):
            seen.add(url)
            yield url


def rubric_name(root: HtmlElement) -> str | None:
    """The listing's rubric: its heading, else its ``<title>`` before the site's name; without
    the "Catégorie :" or "Archives :" archive templates put before it."""
    for xpath in _RUBRIC_HEADINGS:
        found = xpath(root)
        if found:
            name = collapse(found[0].text_content())
            if name:
                return parse_label(_ARCHIVE_PREFIX.sub("", name)).title
    titles = root.xpath("//title")
    title = collapse(titles[0].text_content()) if titles else ""
    return _ARCHIVE_PREFIX.sub("", title.split(" - ")[0]).strip() or None


_RUBRIC_HEADINGS = tuple(
    _css(s) for s in ("h1.entry-title", "h1.titre", "main h1", "#content h1", "h1")
)
