"""What the spider hands to the pipelines (see docs/CONTRACTS.md)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Sighting:
    """A link to an article seen on a listing page or in a "Dans la même rubrique" block.

    An article listed under two rubrics is fetched once but seen twice: each sighting is kept so
    that the item belongs to both rubrics.
    """

    url: str
    rubric: str | None
    label: str
    category: str | None
    found_on: str


@dataclass
class Sightings:
    """The sightings of one page, handed over together (a page has ten or more)."""

    found_on: str
    sightings: list[Sighting]


@dataclass
class ArticlePage:
    """One fetched article page, raw: extraction happens in the pipelines."""

    url: str
    final_url: str
    status: int
    content_type: str | None
    etag: str | None
    last_modified: str | None
    body: bytes
    fetched_at: str
    # sha256 of the body the archive holds for this URL: an identical body needs no extraction.
    previous_body_hash: str | None = None
    # Link depth of the page (DepthMiddleware's): its related links are one further.
    depth: int = 0
    # The WARC file and offset of the response record holding the body (``crawl --warc``).
    warc_file: str | None = None
    warc_offset: int | None = None


@dataclass
class FailedFetch:
    """A page that could not be fetched (HTTP error, timeout, refused connection…): an item
    for the archive's ``crawl_errors``, not an exception."""

    url: str
    status: int | None
    error: str
    at: str


@dataclass
class PageHints:
    """What a site's sitemaps and feeds said of pages this run fetched: (url, source, hint),
    recorded so that the next run can tell whether they changed since (``page_hints``)."""

    page_hints: list[tuple[str, str, str]]
