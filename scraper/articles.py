"""Article pages, as the spider reads them: the raw page it hands to extraction, and the
"même rubrique" links of the record that comes back.

No parsing here: the body goes to extraction untouched (in a worker process), and the related
links are the record's data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from scrapy.http import Response

from regarchive.archive.clock import utc_timestamp
from regarchive.pipelines.extraction.urls import normalize_url
from regarchive.scraper.items import ArticlePage, Sighting
from regarchive.scraper.sniff import looks_binary

HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_html(response: Response) -> bool:
    """HTML by its Content-Type, and by its bytes: a PDF served as text/html is not."""
    content_type = (response.headers.get(b"Content-Type") or b"text/html").decode("latin-1")
    if content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return False
    return not looks_binary(response.body, content_type)


def header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def article_page(response: Response) -> ArticlePage:
    """The fetched page as extraction and the archive take it: the URL requested (the first of
    a redirect chain) and the final one, validators, the raw body, its WARC record."""
    warc = response.meta.get("warc_record") if response.status != 304 else None
    return ArticlePage(
        url=normalize_url(response.request.meta.get("redirect_urls", [response.url])[0]),
        final_url=normalize_url(response.url),
        status=response.status,
        content_type=header(response, b"Content-Type"),
        etag=header(response, b"ETag"),
        last_modified=header(response, b"Last-Modified"),
        body=response.body,
        fetched_at=utc_timestamp(),
        previous_body_hash=response.meta.get("previous_body_hash"),
        depth=response.meta.get("depth", 0),
        # Where crawl --warc put the exchange (scraper/warc.py); a 304 has no body of its own.
        warc_file=warc[0] if warc else None,
        warc_offset=warc[1] if warc else None,
    )


def related_sightings(
    found_on: str, related: Iterable[Mapping[str, Any]], keep: Callable[[Sighting], bool]
) -> list[Sighting]:
    """The "même rubrique" entries of the record of ``found_on``, as sightings, those ``keep``
    keeps."""
    links = (
        Sighting(
            str(entry["url"]),
            entry.get("rubric"),
            str(entry.get("label") or ""),
            entry.get("category"),
            found_on,
        )
        for entry in related
    )
    return [link for link in links if keep(link)]
