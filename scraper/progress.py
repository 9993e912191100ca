"""Live progress on a terminal: one line, rewritten every second, gone when the crawl ends.

Enabled by ``REGARCHIVE_PROGRESS`` (the CLI sets it when stderr is a terminal and ``--quiet``
is not given), so cron mail and pipes never see it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    """Rewrite one status line on stderr: pages, items, errors, rate."""

    def __init__(self, crawler: Crawler, stream: TextIO, interval: float) -> None:
        self.stats = crawler.stats
        self.stream = stream
        self.interval = interval
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        if not crawler.settings.getbool("REGARCHIVE_PROGRESS"):
            raise NotConfigured  # silently: progress is only for terminals
        progress = cls(
            crawler, sys.stderr, crawler.settings.getfloat("REGARCHIVE_PROGRESS_INTERVAL")
        )
        crawler.signals.connect(progress.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.spider_closed, signal=signals.spider_closed)
        return progress

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.stream.write("\r\033[K")
        self.stream.flush()

    def line(self) -> str:
        def stat(key: str) -> int:
            return int(self.stats.get_value(key, 0) or 0)

        pages = stat("response_received_count")
        rate = pages / max(time.monotonic() - self.started, 1e-6)
        errors = stat("regarchive/fetch_errors") + stat("regarchive/extraction_errors")
        return (
            f"{pages} pages ({rate:.1f}/s) · items {stat('regarchive/items_inserted')} new, "
            f"{stat('regarchive/items_updated')} updated, "
            f"{stat('regarchive/items_unchanged')} unchanged · {errors} errors"
        )

    def show(self) -> None:
        self.stream.write("\r\033[K" + self.line())
        self.stream.flush()
