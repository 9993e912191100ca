"""Crawl logging for people and for cron: one line per failure on the console, everything in
``--log-file``.

Scrapy reports one failed request from several components (retry, robots.txt, the engine), some
with a traceback; the spider's own "could not fetch URL: reason" line already says what and
where, so the console keeps that one and leaves the rest to the log file.
"""

from __future__ import annotations

import logging
import threading
from typing import TextIO

CONSOLE_FORMAT = "regarchive: %(levelname)s: %(message)s"
FILE_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
# Loggers that repeat a failure the spider reports itself.
ECHOING_LOGGERS = (
    "scrapy.downloadermiddlewares.retry",
    "scrapy.downloadermiddlewares.httpcompression",
    "scrapy.core.downloader.handlers",
    "scrapy.downloadermiddlewares.robotstxt",
    "scrapy.core.scraper",
    "trafilatura",
    "htmldate",
)


class StatusLine:
    """The one terminal line the progress display rewrites, shared with the console log.

    A log line printed while the status line is shown first erases it, then prints itself on a
    line of its own, then redraws the status line below: warnings scroll up above the progress
    instead of being glued to it.
    """

    CLEAR = "\r\033[K"

    def __init__(self) -> None:
        self.text = ""
        self.stream: TextIO | None = None
        self.lock = threading.RLock()  # log records may come from other threads

    def show(self, text: str, stream: TextIO) -> None:
        with self.lock:
            self.text, self.stream = text, stream
            stream.write(self.CLEAR + text)
            stream.flush()

    def clear(self) -> None:
        """Erase the line for good (the crawl is over)."""
        with self.lock:
            if self.stream is not None:
                self.stream.write(self.CLEAR)
                self.stream.flush()
            self.text, self.stream = "", None

    def around(self, stream: TextIO) -> _Around:
        return _Around(self, stream)


class _Around:
    """``with STATUS_LINE.around(stream):`` erase the status line, print, redraw it."""

    def __init__(self, line: StatusLine, stream: TextIO) -> None:
        self.line, self.stream = line, stream

    def __enter__(self) -> None:
        self.line.lock.acquire()
        if self.line.text and self.line.stream is self.stream:
            self.stream.write(StatusLine.CLEAR)

    def __exit__(self, *exc: object) -> None:
        try:
            if self.line.text and self.line.stream is self.stream:
                self.stream.write(self.line.text)
                self.stream.flush()
        finally:
            self.line.lock.release()


STATUS_LINE = StatusLine()


class ConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Log lines to stderr, above the progress line when there is one."""

    def emit(self, record: logging.LogRecord) -> None:
        with STATUS_LINE.around(self.stream):
            super().emit(record)


class OneLineFormatter(logging.Formatter):
    """A formatter that never prints tracebacks or stacks, and folds multi-line messages."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return " ".join(super().format(record).split("\n"))
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


class DropEchoes(logging.Filter):
    """Keep the console to the spider's own one-line failure reports."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(ECHOING_LOGGERS)


def configure_logging(*, verbose: bool = False, log_file: str | None = None) -> None:
    """Send warnings (or everything, when verbose) to stderr, and the full log to ``log_file``."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.setLevel(logging.DEBUG if log_file else logging.INFO if verbose else logging.WARNING)
    console = ConsoleHandler()
    if verbose:
        console.setLevel(logging.INFO)
        console.setFormatter(logging.Formatter(FILE_FORMAT))
    else:
        console.setLevel(logging.WARNING)
        console.setFormatter(OneLineFormatter(CONSOLE_FORMAT))
        console.addFilter(DropEchoes())
    root.addHandler(console)
    if log_file:
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setLevel(logging.DEBUG)
        to_file.setFormatter(logging.Formatter(FILE_FORMAT))
        root.addHandler(to_file)
