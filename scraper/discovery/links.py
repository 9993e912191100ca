"""The feeds a page announces: ``<link rel="alternate" type="application/rss+xml" href>``.

SPIP's head links the site's feed (``spip.php?page=backend``) and a rubric page often links its
own (``spip.php?page=backend&id_rubrique=5``). Read from the page's parsed HTML tree (lxml), so
the spider reuses the tree it already has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from regarchive.pipelines.extraction.urls import normalize_url, site_of

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml"}
)
# A page announcing more feeds than this is not worth reading them all.
MAX_FEEDS_PER_PAGE = 10


@dataclass(frozen=True)
class FeedLink:
    url: str
    title: str
    type: str


def feed_links(root: Any, page_url: str) -> list[FeedLink]:
    """The feeds of ``page_url``'s own site that its parsed HTML tree ``root`` announces."""
    site = site_of(page_url)
    found: list[FeedLink] = []
    seen: set[str] = set()
    for element in root.iter("link", "a"):
        kind = (element.get("type") or "").split(";")[0].strip().lower()
        rel = (element.get("rel") or "").lower().split()
        if kind not in FEED_TYPES or (element.tag == "link" and "alternate" not in rel):
            continue
        href = element.get("href")
        url = normalize_url(href, page_url) if href else ""
        if not url or site_of(url) != site or url in seen:
            continue
        seen.add(url)
        title = " ".join((element.get("title") or element.text_content() or "").split())
        found.append(FeedLink(url, title, kind))
        if len(found) >= MAX_FEEDS_PER_PAGE:
            break
    return found


def feed_links_in_html(body: bytes | str, page_url: str) -> list[FeedLink]:
    """:func:`feed_links` of a page given as its bytes or text (an empty list if unreadable)."""
    try:
        root = lxml_html.document_fromstring(body)
    except (ValueError, etree.ParserError):  # "Document is empty", an encoding declaration in str
        return []
    return feed_links(root, page_url)
