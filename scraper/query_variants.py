"""A spider middleware capping the URLs of one page that differ only in their query.

A site that puts a parameter new on every visit in its links (a session id no list knows, a
visit counter) makes every page a new URL for ever: five articles became thousands of requests.
Session ids that are known are dropped when URLs are normalised
(:func:`~regarchive.pipelines.extraction.urls.normalize_url`); this bounds the others. URLs are
grouped by :func:`~regarchive.pipelines.extraction.urls.query_variant_key` — path and
page-naming parameters (SPIP's ``id_article``, ``page``, ``article12``…) — so that
``spip.php?page=article&id_article=N`` stays N different pages.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from regarchive.pipelines.extraction.urls import query_variant_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

STAT = "regarchive/query_variants_limit_reached"


class QueryVariantsMiddleware(BaseSpiderMiddleware):
    """Let through at most ``REGARCHIVE_MAX_QUERY_VARIANTS`` article requests per page whose
    URLs carry other query parameters than the ones naming the page (0: no cap); count the
    rest in the stats."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.limit = crawler.settings.getint("REGARCHIVE_MAX_QUERY_VARIANTS")
        # Page (query_variant_key) → its variant URLs let through. Only URLs with parameters
        # beyond those naming the page are kept: most sites have none.
        self.variants: dict[str, set[str]] = {}
        self.capped: set[str] = set()

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if not self.limit or request.meta.get("role") != "article":
            return request
        url = request.url
        page = query_variant_key(url)
        if page == url:
            return request
        seen = self.variants.setdefault(page, set())
        if url in seen or len(seen) < self.limit:
            seen.add(url)
            return request
        if page not in self.capped:
            self.capped.add(page)
            logger.warning(
                "%s: more than %d URLs differing only in their query; no more followed "
                "(REGARCHIVE_MAX_QUERY_VARIANTS)",
                page,
                self.limit,
            )
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(STAT)
        return None
