"""The documents an archived article links, as the crawl fetches them.

A document is fetched from the article's own site, or from another host only when
``REGARCHIVE_ATTACHMENT_HOSTS`` (``--attachment-host``) names it: a circular's PDF often sits on
a ministry's site, but a link in an article is not an invitation to crawl the web. It is fetched
when the article that links it is extracted (new, or changed since the archive last read it),
once per run however many articles link it; a document the archive holds already is asked for
with its validators, so an unchanged one costs a 304. A nightly run over an unchanged site
extracts no article, and so asks for no document at all. Requests go through the same
downloader as pages: robots.txt, AutoThrottle and the per-site concurrency apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import scrapy
from scrapy.http import Response

from regarchive.archive.clock import utc_timestamp
from regarchive.pipelines.extraction.urls import normalize_url
from regarchive.scraper.articles import header

# After the articles (priority 10) and before further listing pages (0): a document is fetched
# soon after the article that links it, without holding up the articles of the page.
ATTACHMENT_PRIORITY = 5


def attachment_request(
    url: str,
    *,
    found_on: str,
    known: Mapping[str, Any] | None,
    maxsize: int,
    callback: Any,
    errback: Any,
) -> scrapy.Request:
    """The request for a document linked from ``found_on``: conditional when the archive
    holds its content already, bounded by ``maxsize`` bytes, allowed off the crawl's sites (the
    site boundary checks the host against :class:`HostPatterns`)."""
    meta: dict[str, Any] = {
        "role": "attachment",
        # The linking article's site: its own attachment_hosts (sites file) apply.
        "found_on": found_on,
        "handle_httpstatus_list": [304],
        "download_maxsize": maxsize,
        # Scrapy's OffsiteMiddleware: the host was checked against the allowed patterns.
        "allow_offsite": True,
    }
    headers = {"Referer": found_on}
    if known is not None and known.get("sha256"):
        meta["previous_sha256"] = known["sha256"]
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
    return scrapy.Request(
        url,
        callback=callback,
        errback=errback,
        priority=ATTACHMENT_PRIORITY,
        meta=meta,
        headers=headers,
    )


def attachment_fetch(response: Response) -> dict[str, Any]:
    """A fetched document as the archive takes it (see ``AttachmentStore.save``): the URL
    requested (the first of a redirect chain) and the final one, validators, the body (none for
    a 304)."""
    return {
        "url": normalize_url(response.request.meta.get("redirect_urls", [response.url])[0]),
        "final_url": normalize_url(response.url),
        "status": response.status,
        "content_type": header(response, b"Content-Type"),
        "etag": header(response, b"ETag"),
        "last_modified": header(response, b"Last-Modified"),
        "fetched_at": utc_timestamp(),
        "body": None if response.status == 304 else response.body,
        "previous_sha256": response.meta.get("previous_sha256"),
    }


def failed_attachment(url: str, status: int | None, error: str) -> dict[str, Any]:
    """A document request that gave no document, as the archive records it."""
    return {
        "attachment": {
            "url": normalize_url(url),
            "status": status,
            "fetched_at": utc_timestamp(),
            "body": None,
            "error": error,
        }
    }
