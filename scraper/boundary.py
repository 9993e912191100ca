"""Nothing leaves the configured sites, and no redirect goes round in circles.

Two downloader middlewares:

- :class:`SiteBoundaryMiddleware`, on the way out (before OffsiteMiddleware and robots.txt
  handling), drops any request whose host *and port* are not those of a start URL (a document
  an article links may also come from a host ``REGARCHIVE_ATTACHMENT_HOSTS`` allows). Scrapy's
  OffsiteMiddleware matches ``allowed_domains`` on host names only, so ``127.0.0.1:8000`` →
  ``127.0.0.1:9000`` would pass it; and running first means no robots.txt is ever fetched from
  another site.
- :class:`RedirectGuardMiddleware`, on the way back (before RedirectMiddleware), looks at
  redirects: one to another site, or back to a URL of the same chain (a loop), is not
  followed and becomes a failed page the spider records, instead of a request that Scrapy's
  scheduler would drop silently (off-site filter, duplicate filter).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from regarchive.pipelines.extraction.urls import normalize_url
from regarchive.scraper.failures import OffsiteRedirect, RedirectLoop
from regarchive.scraper.state import CrawlState

if TYPE_CHECKING:
    from typing_extensions import Self

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class _SiteAware:
    def __init__(self, crawler: Crawler, state: CrawlState) -> None:
        self.crawler = crawler
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler, CrawlState.of(crawler))


class SiteBoundaryMiddleware(_SiteAware):
    """Send no request off the crawl's sites (host:port, :attr:`CrawlState.sites`)."""

    def process_request(self, request: Request) -> None:
        if self.state.may_fetch(request):
            return
        self.crawler.stats.inc_value("regarchive/offsite_blocked")
        if request.meta.get("redirect_urls"):
            raise OffsiteRedirect(f"redirected off site to {request.url}: not followed")
        raise IgnoreRequest(f"off-site request not sent: {request.url}")


class RedirectGuardMiddleware(_SiteAware):
    """Follow no redirect off site or round in a loop: record it as a failed page instead."""

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        if request.meta.get("dont_redirect") or response.status in request.meta.get(
            "handle_httpstatus_list", ()
        ):
            return response
        target = normalize_url(urljoin(request.url, location.decode("latin-1")))
        if not self.state.may_fetch(request.replace(url=target)):
            self.crawler.stats.inc_value("regarchive/offsite_blocked")
            raise OffsiteRedirect(f"redirected off site to {target}: not followed")
        chain = [
            normalize_url(url) for url in (*request.meta.get("redirect_urls", ()), request.url)
        ]
        if target in chain:
            raise RedirectLoop(f"redirect loop: {' → '.join([*chain, target])}")
        return response
