"""Retries that wait: exponential backoff, and ``Retry-After`` when the server names a delay.

Scrapy's RetryMiddleware re-sends a failed request at once, which is what a struggling server
needs least, and ignores ``Retry-After`` (429, 503). :class:`BackoffRetryMiddleware` replaces it
(same settings: ``RETRY_ENABLED``, ``RETRY_TIMES``, ``RETRY_HTTP_CODES``, ``RETRY_EXCEPTIONS``,
``RETRY_PRIORITY_ADJUST``, ``RETRY_GIVE_UP_LOG_LEVEL``) and waits before each
retry without blocking the crawl (an asynchronous sleep, not ``time.sleep`` on the reactor):

- ``Retry-After`` (seconds or an HTTP date) when the response has one, at least the backoff;
- otherwise ``REGARCHIVE_RETRY_BACKOFF`` seconds, doubled on each further attempt, at most
  ``REGARCHIVE_RETRY_BACKOFF_MAX``.

A server asking for more than ``REGARCHIVE_RETRY_AFTER_MAX`` seconds is taken at its word: no
retry in this run; the page is recorded as failed and tried again on the next run.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.asyncio import sleep  # waits without blocking the reactor
from scrapy.utils.misc import load_object
from scrapy.utils.response import response_status_message

STAT_PREFIX = "regarchive/retry/"


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """The delay a ``Retry-After`` header asks for (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - (now or datetime.now(timezone.utc))).total_seconds())


class BackoffRetryMiddleware:
    """A RetryMiddleware that waits before retrying (see the module docstring). Retries are
    made by Scrapy's public :func:`get_retry_request`, which counts them in the same stats
    (``retry/count``, ``retry/reason_count/…``, ``retry/max_reached``)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("RETRY_ENABLED"):
            raise NotConfigured
        self.crawler = crawler
        self.max_retry_times = settings.getint("RETRY_TIMES")
        self.retry_http_codes = {int(code) for code in settings.getlist("RETRY_HTTP_CODES")}
        self.priority_adjust = settings.getint("RETRY_PRIORITY_ADJUST")
        self.give_up_log_level = settings["RETRY_GIVE_UP_LOG_LEVEL"]
        self.exceptions_to_retry = tuple(
            load_object(name) if isinstance(name, str) else name
            for name in settings.getlist("RETRY_EXCEPTIONS")
        )
        self.backoff = settings.getfloat("REGARCHIVE_RETRY_BACKOFF")
        self.backoff_max = settings.getfloat("REGARCHIVE_RETRY_BACKOFF_MAX")
        self.retry_after_max = settings.getfloat("REGARCHIVE_RETRY_AFTER_MAX")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffRetryMiddleware:
        return cls(crawler)

    def backoff_delay(self, attempt: int) -> float:
        """The wait before retry number ``attempt`` (1 for the first retry)."""
        return min(self.backoff * 2 ** max(attempt - 1, 0), self.backoff_max)

    def _retry_request(self, request: Request, reason: str | Exception) -> Request | None:
        """The retry of ``request``, or None when its retries are spent; the request's meta
        may set its own ``max_retry_times``, ``priority_adjust``, ``give_up_log_level``, as
        with Scrapy's RetryMiddleware."""
        meta = request.meta
        return get_retry_request(
            request,
            spider=self.crawler.spider,
            reason=reason,
            max_retry_times=meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=meta.get("give_up_log_level", self.give_up_log_level),
        )

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        stats = self.crawler.stats
        if asked is not None and asked > self.retry_after_max:
            # The server wants a long pause: grant it, and come back on the next run.
            stats.inc_value(STAT_PREFIX + "retry_after_too_long")
            request.meta["retry_after_too_long"] = asked
            return response
        retry = self._retry_request(request, response_status_message(response.status))
        if retry is None:
            return response
        delay = self.backoff_delay(retry.meta["retry_times"])
        if asked is not None:
            stats.inc_value(STAT_PREFIX + "retry_after_honoured")
            delay = max(delay, asked)
        await self._wait(delay)
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Any:
        if request.meta.get("dont_retry", False) or not isinstance(
            exception, self.exceptions_to_retry
        ):
            return None
        retry = self._retry_request(request, exception)
        if retry is None:
            return None
        await self._wait(self.backoff_delay(retry.meta["retry_times"]))
        return retry

    async def _wait(self, seconds: float) -> None:
        if seconds <= 0:
            return
        self.crawler.stats.inc_value(STAT_PREFIX + "waited_seconds", round(seconds, 3))
        await sleep(seconds)
