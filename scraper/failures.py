"""What went wrong with a request, in words a user reads in ``crawl_errors`` and cron's mail.

:func:`describe_failure` turns the failure Scrapy hands to an errback into a :class:`Problem`
(status, one-line message, kind), or None for requests dropped on purpose (robots.txt, off-site
links, articles not due for a re-check). The ``kind`` names a stat (``regarchive/errors/<kind>``)
that the crawl summary reports: ``size_limit`` and ``timeout`` are limits being hit.

Exceptions are recognised by class name and message rather than imported: their home modules
moved between Scrapy and Twisted versions, their names did not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from regarchive.archive.clock import utc_timestamp
from regarchive.pipelines.extraction.urls import normalize_url
from regarchive.scraper.items import FailedFetch

# Download errors by exception class name: (message, kind). Timeouts are worded separately (they
# name the limit).
_TIMEOUTS = frozenset({"DownloadTimeoutError", "TimeoutError", "TCPTimedOutError"})
_TRUNCATED = (
    "the connection closed before the whole body arrived (truncated or reset)",
    "truncated",
)
_LOST = ("the connection was lost or reset mid-response", "connection")
_REFUSED = ("connection refused: is the site up?", "connection")
_DNS = ("host name not found (DNS)", "connection")
_DOWNLOAD_ERRORS: dict[str, tuple[str, str]] = {
    "ResponseDataLossError": _TRUNCATED,
    "_DataLoss": _TRUNCATED,
    "ConnectionLost": _LOST,
    "ConnectionDone": _LOST,
    "ResponseFailed": _LOST,
    "ResponseNeverReceived": _LOST,
    "DownloadConnectionRefusedError": _REFUSED,
    "ConnectionRefusedError": _REFUSED,
    "CannotResolveHostError": _DNS,
    "DNSLookupError": _DNS,
}

logger = logging.getLogger(__name__)


class OffsiteRedirect(IgnoreRequest):
    """A redirect to another site: not followed (see :mod:`regarchive.scraper.boundary`)."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to a URL of the same chain: not followed (see
    :mod:`regarchive.scraper.boundary`)."""


@dataclass(frozen=True)
class Problem:
    """A failed request as the archive records it."""

    status: int | None
    message: str
    kind: str = "fetch"


def describe_failure(failure: Failure, settings: Any) -> Problem | None:
    """The problem to record for ``failure``, or None when the request was dropped on purpose."""
    if failure.check(HttpError):
        return _http_problem(failure)
    if failure.check(OffsiteRedirect):
        return Problem(None, str(failure.value), "offsite_redirect")
    if failure.check(RedirectLoop):
        return Problem(None, str(failure.value), "redirects")
    if failure.check(IgnoreRequest):
        return _ignored_problem(str(failure.value), settings)
    return _download_problem(failure.value, settings)


def _http_problem(failure: Failure) -> Problem:
    response = failure.value.response
    message = f"HTTP {response.status}"
    asked = response.request.meta.get("retry_after_too_long") if response.request else None
    if asked is not None:
        message += f" (the server asked to retry after {asked:.0f} s: left for the next run)"
    return Problem(response.status, message, "http")


def _ignored_problem(message: str, settings: Any) -> Problem | None:
    """IgnoreRequest means "dropped on purpose" except for these two limits."""
    if "max redirections" in message:
        limit = settings.getint("REDIRECT_MAX_TIMES")
        return Problem(None, f"more than {limit} redirects (a redirect loop?)", "redirects")
    if "DOWNLOAD_MAXSIZE" in message:  # HttpCompressionMiddleware: a decompression bomb
        return Problem(None, _size_message(settings, "decompressed body"), "size_limit")
    return None


def _download_problem(error: BaseException, settings: Any) -> Problem:
    name = type(error).__name__
    text = str(error)
    if "max size" in text or name == "DownloadCancelledError":
        return Problem(None, _size_message(settings, "body"), "size_limit")
    if name in _TIMEOUTS:
        timeout = settings.getfloat("DOWNLOAD_TIMEOUT")
        return Problem(
            None, f"no complete answer within {timeout:g} s (DOWNLOAD_TIMEOUT)", "timeout"
        )
    if name in _DOWNLOAD_ERRORS:
        message, kind = _DOWNLOAD_ERRORS[name]
        return Problem(None, message, kind)
    return Problem(None, f"{name}: {text}" if text else name)


def _size_message(settings: Any, what: str) -> str:
    limit = settings.getint("DOWNLOAD_MAXSIZE")
    return f"{what} larger than {_megabytes(limit)} (DOWNLOAD_MAXSIZE): skipped"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB" if size >= 1024 * 1024 else f"{size} bytes"


class CallbackErrorsMiddleware:
    """Spider middleware: a page the spider cannot read (a callback raising) is recorded as a
    failed page instead of only leaving a traceback in the log; the crawl goes on."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> CallbackErrorsMiddleware:
        return cls(crawler)

    def process_spider_exception(self, response: Any, exception: Exception) -> list[Any] | None:
        if isinstance(exception, HttpError):
            return None
        message = f"could not read the page: {type(exception).__name__}: {exception}"
        logger.warning("could not read %s: %s", response.url, message)
        self.crawler.stats.inc_value("regarchive/errors/parse")
        url = normalize_url(response.url)
        failed = FailedFetch(url=url, status=response.status, error=message, at=utc_timestamp())
        return [failed]
