"""Crawl logging for people and for cron: one line per failure on the console, everything in
``--log-file``.

Scrapy reports one failed request from several components (retry, robots.txt, the engine), some
with a traceback; the spider's own "could not fetch URL: reason" line already says what and
where, so the console keeps that one and leaves the rest to the log file.
"""

from __future__ import annotations

import logging

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
    console = logging.StreamHandler()
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
