"""Where a crawl's time goes, and live progress on a terminal.

:class:`Progress` samples the downloader ten times a second to tell what the crawl is waiting
for when nothing is being downloaded: the politeness delay between two requests to a site
(``DOWNLOAD_DELAY``, raised by AutoThrottle when the site slows down), or a retry's backoff. It
adds the totals to the stats (``regarchive/pace/*``), so that the summary can say how politeness
shaped the run's time.

On a terminal (``REGARCHIVE_PROGRESS``, which the CLI sets when stderr is a terminal and
``--quiet`` is not given) it also rewrites one status line every second: pages, items, errors,
rate, and what the crawl is waiting for. Cron mail and pipes never see it. Log lines are printed
above it (:class:`regarchive.scraper.logs.StatusLine`), never glued to it.
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

from regarchive.scraper.health import counted
from regarchive.scraper.logs import STATUS_LINE

PACE = "regarchive/pace/"
# How often the downloader is looked at: often enough for the seconds spent waiting to add up
# within a few percent, rarely enough to cost nothing (a few attribute reads per site).
SAMPLE_SECONDS = 0.1
RETRY_WAITED = "regarchive/retry/waited_seconds"


class Pace:
    """What the crawl waits for, sampled: politeness delays and retry backoffs."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.waited: dict[str, float] = {"politeness": 0.0, "retry": 0.0}
        self.delay_max = 0.0
        self.retry_until: list[float] = []  # when each retry wait seen so far ends
        self._retry_total = 0.0
        self._last = time.monotonic()
        self.waiting: str | None = None  # what the last sample found the crawl waiting for

    def _slots(self) -> list[Any]:
        engine = getattr(self.crawler, "engine", None)
        downloader = getattr(engine, "downloader", None)
        return list(getattr(downloader, "slots", {}).values())

    def sample(self) -> None:
        now = time.monotonic()
        elapsed, self._last = now - self._last, now
        # The retry middleware adds each wait to a stat as it starts: a wait of N seconds
        # that started now ends N seconds from now.
        total = float(self.stats.get_value(RETRY_WAITED, 0) or 0)
        if total > self._retry_total:
            self.retry_until.append(now + total - self._retry_total)
            self._retry_total = total
        self.retry_until = [end for end in self.retry_until if end > now]
        slots = self._slots()
        for slot in slots:
            self.delay_max = max(self.delay_max, float(slot.delay or 0))
        self.waiting = None
        if any(slot.transferring for slot in slots):
            return
        if self.retry_until:
            self.waiting = "retry"
        elif any(slot.queue and slot.latercall for slot in slots):
            self.waiting = "politeness"
        if self.waiting:
            self.waited[self.waiting] += elapsed

    def current_delay(self) -> float:
        return max((float(slot.delay or 0) for slot in self._slots()), default=0.0)

    def retry_in(self) -> float:
        return max(self.retry_until, default=time.monotonic()) - time.monotonic()

    def record(self) -> None:
        """Totals into the stats, for the summary and the archive's ``crawls`` row."""
        settings = self.crawler.settings
        self.stats.set_value(PACE + "politeness_seconds", round(self.waited["politeness"], 1))
        self.stats.set_value(PACE + "retry_wait_seconds", round(self.waited["retry"], 1))
        self.stats.set_value(PACE + "delay_max", round(self.delay_max, 2))
        self.stats.set_value(PACE + "download_delay", settings.getfloat("DOWNLOAD_DELAY"))
        self.stats.set_value(PACE + "autothrottle", settings.getbool("AUTOTHROTTLE_ENABLED"))
        self.stats.set_value(PACE + "per_site", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"))


class Progress:
    """Sample the pace of the crawl; on a terminal, show it on one status line."""

    def __init__(
        self, crawler: Crawler, stream: TextIO | None, interval: float, sample: float
    ) -> None:
        self.stats = crawler.stats
        self.pace = Pace(crawler)
        self.stream = stream
        self.interval = interval
        self.sample_every = sample
        self.started = time.monotonic()
        self._next_show = 0.0
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        stream = sys.stderr if crawler.settings.getbool("REGARCHIVE_PROGRESS") else None
        interval = crawler.settings.getfloat("REGARCHIVE_PROGRESS_INTERVAL")
        progress = cls(crawler, stream, interval, min(SAMPLE_SECONDS, interval))
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self._next_show = self.started + self.interval
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(self.sample_every, now=False)

    def spider_closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.pace.sample()
        self.pace.record()
        if self.stream is not None:
            STATUS_LINE.clear()

    def tick(self) -> None:
        self.pace.sample()
        if self.stream is not None and time.monotonic() >= self._next_show:
            self._next_show += self.interval
            self.show()

    def line(self) -> str:
        def stat(key: str) -> int:
            return int(self.stats.get_value(key, 0) or 0)

        pages = stat("response_received_count")
        rate = pages / max(time.monotonic() - self.started, 1e-6)
        errors = stat("regarchive/fetch_errors") + stat("regarchive/extraction_errors")
        line = (
            f"{counted(pages, 'page')} ({rate:.1f}/s) · items {stat('regarchive/items_inserted')}"
            f" new, {stat('regarchive/items_updated')} updated, "
            f"{stat('regarchive/items_unchanged')} unchanged · {counted(errors, 'error')}"
        )
        waiting = self.waiting_for()
        return f"{line} · {waiting}" if waiting else line

    def waiting_for(self) -> str | None:
        """What the crawl is waiting for right now, in words, or None while it downloads."""
        if self.pace.waiting == "retry":
            seconds = math.ceil(max(self.pace.retry_in(), 0))
            return f"waiting {seconds} s to retry after a server or network error"
        if self.pace.waiting == "politeness":
            settings = self.pace.crawler.settings
            delay = self.pace.current_delay()
            by_throttle = settings.getbool("AUTOTHROTTLE_ENABLED") and (
                delay > settings.getfloat("DOWNLOAD_DELAY") + 0.05
            )
            setting = "AutoThrottle" if by_throttle else "DOWNLOAD_DELAY"
            return f"waiting: politeness, {delay:.1f} s between requests ({setting})"
        return None

    def show(self) -> None:
        assert self.stream is not None
        STATUS_LINE.show(self.line(), self.stream)
