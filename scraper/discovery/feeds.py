"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: the articles they list, with dates and categories.

SPIP's ``spip.php?page=backend`` (RSS 2.0) gives each article's ``<link>``, a ``<dc:date>``
(its publication date) and ``<dc:subject>`` keywords; Atom feeds give ``<updated>`` and
``<published>``. Only links to the feed's own site are kept, each once.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from regarchive.pipelines.extraction.urls import normalize_url, site_of
from regarchive.scraper.discovery.hint_dates import normalize_hint
from regarchive.scraper.discovery.xml_reader import BadXml, Record, read_records

# A feed lists its ten or fifty latest articles; thousands is not a feed.
DEFAULT_MAX_ENTRIES = 1000
# A feed is small: a few hundred kB at most.
DEFAULT_MAX_FEED_BYTES = 10 * 1024 * 1024
MAX_CATEGORIES = 20
_RECORDS = frozenset({"item", "entry"})
_ROOTS = frozenset({"rss", "RDF", "feed"})
# SPIP's items end their description with the rubric as a microformat link:
# ``<a href="https://example.org/-Communes-" rel="directory">Communes</a>``.
_DIRECTORY = re.compile(
    r"<a\s(?=[^>]*\brel=[\"']directory[\"'])[^>]*\bhref=[\"']([^\"']+)[\"'][^>]*>([^<]{0,200})</a>",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FeedEntry:
    """An article a feed lists."""

    url: str
    title: str
    # Normalised dates (see hint_dates): when it was published, when it last changed.
    published: str | None
    updated: str | None
    categories: tuple[str, ...] = ()
    # The rubric the feed says the article is in (SPIP's rel="directory" link): URL, name.
    rubric_url: str | None = None
    rubric_name: str | None = None

    @property
    def date_hint(self) -> str | None:
        """The date that changes when the article does, as far as the feed tells."""
        return self.updated or self.published


@dataclass
class Feed:
    url: str
    entries: list[FeedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_feed(
    body: bytes,
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_FEED_BYTES,
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> Feed:
    """Read one feed fetched from ``url``; never raises on bad content (see :class:`Feed`)."""
    feed = Feed(url)
    try:
        document = read_records(body, _RECORDS, max_bytes=max_bytes, max_records=max_entries)
    except BadXml as error:
        feed.warnings.append(f"feed {url}: {error}")
        return feed
    if document.root not in _ROOTS:
        feed.warnings.append(f"feed {url}: not an RSS or Atom feed (root <{document.root}>)")
        return feed
    site = site_of(url)
    off_site = 0
    seen: set[str] = set()
    for record in document.records:
        link = _entry_link(record)
        target = normalize_url(link, url) if link else ""
        if not target or urlsplit(target).scheme not in ("http", "https"):
            continue
        if site_of(target) != site:
            off_site += 1
            continue
        if target in seen:
            continue
        seen.add(target)
        feed.entries.append(_entry(record, target))
    if off_site:
        feed.warnings.append(f"feed {url}: {off_site} links to other sites ignored")
    if document.truncated:
        feed.warnings.append(f"feed {url}: more than {max_entries} entries; the first kept")
    if document.problem:
        feed.warnings.append(f"feed {url}: {document.problem}; what came before is kept")
    return feed


def _entry_link(record: Record) -> str | None:
    if record.name == "entry":  # Atom: <link rel="alternate" href="…"/>, rel defaults to it
        for child in record.all("link"):
            if child.attrib.get("rel", "alternate") == "alternate" and child.attrib.get("href"):
                return child.attrib["href"]
        return None
    link = record.first("link")
    if link is not None and link.text:
        return link.text
    guid = record.first("guid")
    if guid is not None and guid.text and guid.attrib.get("isPermaLink", "true") != "false":
        return guid.text
    return record.attrib.get("about")  # RSS 1.0: <item rdf:about="…">


def _entry(record: Record, url: str) -> FeedEntry:
    title = record.first("title")
    published = record.first("published", "date", "pubDate", "issued", "created")
    updated = record.first("updated", "modified")
    categories: list[str] = []
    for child in record.children:
        if child.name not in ("category", "subject"):
            continue
        name = child.attrib.get("label") or child.attrib.get("term") or child.text
        name = " ".join(name.split()) if name else ""
        if name and name not in categories and len(categories) < MAX_CATEGORIES:
            categories.append(name)
    rubric_url, rubric_name = _directory(record, url)
    return FeedEntry(
        url=url,
        title=" ".join(title.text.split()) if title else "",
        published=normalize_hint(published.text if published else None),
        updated=normalize_hint(updated.text if updated else None),
        categories=tuple(categories),
        rubric_url=rubric_url,
        rubric_name=rubric_name,
    )


def _directory(record: Record, url: str) -> tuple[str | None, str | None]:
    description = record.first("description", "summary", "content")
    match = _DIRECTORY.search(description.text) if description is not None else None
    if match is None:
        return None, None
    rubric_url = normalize_url(html.unescape(match.group(1)), url)
    if not rubric_url or site_of(rubric_url) != site_of(url):
        return None, None
    name = " ".join(html.unescape(match.group(2)).split())
    return rubric_url, name or None
