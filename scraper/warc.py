"""Every HTTP exchange of a crawl into WARC files (``regarchive crawl --warc DIR``).

A downloader middleware placed next to the download handler (order 950, after every built-in
one), so that it sees:

- each request as it goes out, with the headers every other middleware has added
  (User-Agent, Accept-Encoding, If-None-Match, Referer…);
- each response as the HTTP client handed it over: before decompression
  (HttpCompressionMiddleware, 590), before redirects are followed (600) and retries made (550),
  so a 301, a 503 later retried, robots.txt, listings, articles and what else is fetched are
  all recorded, each once per exchange, the body as the server sent it.

:mod:`regarchive.archive.warc.records` says what exactly is recorded; the files, their names,
rotation and crash safety are :mod:`regarchive.archive.warc.files`'. The response record's
place (file, offset) goes into ``request.meta["warc_record"]``, from where the spider hands it
to the archive with the page (``pages.warc_file``, ``pages.warc_offset``).

Settings: ``REGARCHIVE_WARC_DIR`` (off when empty), ``REGARCHIVE_WARC_SITE_DIRS`` (a directory
per site, ``{"host[:port]": "dir"}``, for configurations that set it site by site; a site not
named there uses ``REGARCHIVE_WARC_DIR``), ``REGARCHIVE_WARC_MAX_SIZE`` (bytes per file, about
1 GB) and ``REGARCHIVE_WARC_PREFIX``. A WARC file that cannot be written stops the crawl like an
archive that cannot be written: the user asked for a record of the crawl.
"""

from __future__ import annotations

import logging
from importlib.metadata import version
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from regarchive import __version__
from regarchive.archive.errors import WarcError
from regarchive.pipelines.extraction.urls import site_of

if TYPE_CHECKING:
    from regarchive.archive.warc.files import WarcFileWriter
    from regarchive.archive.warc.records import EarlierRecord, HttpExchange

logger = logging.getLogger(__name__)

WARC_ERROR_STAT = "regarchive/warc_error"
WARC_ERROR_REASON = "warc_error"
EXCHANGES_STAT = "regarchive/warc_exchanges"
DEFAULT_PORTS = {"http": 80, "https": 443}
WARC_1_1 = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"


def warc_directories(settings: Any) -> tuple[str | None, dict[str, str]]:
    """The default WARC directory (None: off) and the per-site ones, from the settings."""
    default = str(settings.get("REGARCHIVE_WARC_DIR") or "").strip() or None
    per_site = {
        str(site): str(directory)
        for site, directory in settings.getdict("REGARCHIVE_WARC_SITE_DIRS").items()
        if str(directory).strip()
    }
    return default, per_site


class WarcRecorderMiddleware:
    """Write each request and its response (a 304: a revisit) to the WARC files."""

    def __init__(self, crawler: Crawler, default: str | None, per_site: dict[str, str]) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.default = default
        self.per_site = per_site
        settings = crawler.settings
        self.prefix = settings.get("REGARCHIVE_WARC_PREFIX")
        self.max_size = settings.getint("REGARCHIVE_WARC_MAX_SIZE")
        self.writers: dict[str, WarcFileWriter] = {}
        self.failed: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorderMiddleware:
        default, per_site = warc_directories(crawler.settings)
        if default is None and not per_site:
            raise NotConfigured  # no message: Scrapy would log one as a warning
        middleware = cls(crawler, default, per_site)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(self, request: Request, response: Response) -> Response:
        directory = self.per_site.get(site_of(request.url), self.default)
        if directory is None or self.failed is not None:
            return response
        request.meta.pop("warc_record", None)  # an earlier hop's (a redirect, a retry)
        try:
            ref = self._writer(directory).write_exchange(
                exchange_of(request, response), self._earlier(request, response)
            )
        except WarcError as error:
            self._stop(str(error))
            return response
        self.stats.inc_value(EXCHANGES_STAT)
        if response.status != 304:
            request.meta["warc_record"] = (str(ref.path), ref.offset)
        return response

    def _writer(self, directory: str) -> WarcFileWriter:
        writer = self.writers.get(directory)
        if writer is None:
            from regarchive.archive.warc.files import WarcFileWriter

            writer = WarcFileWriter(
                directory, prefix=self.prefix, max_size=self.max_size, info=self._info()
            )
            self.writers[directory] = writer
        return writer

    def _info(self) -> dict[str, str]:
        """The ``warcinfo`` fields each file starts with."""
        settings = self.crawler.settings
        spider = self.crawler.spider
        return {
            "software": f"regarchive/{__version__} (Scrapy {version('scrapy')}; "
            f"warcio {version('warcio')})",
            "format": "WARC File Format 1.1",
            "conformsTo": WARC_1_1,
            "http-header-user-agent": str(settings.get("USER_AGENT")),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "start-urls": " ".join(getattr(spider, "start_urls", None) or []),
            "description": "regarchive crawl of rubric listings and the articles they list",
        }

    def _earlier(self, request: Request, response: Response) -> EarlierRecord | None:
        """For a 304: the record of the body it confirms, when the archive knows it."""
        if response.status != 304:
            return None
        from regarchive.archive.warc.reader import read_response
        from regarchive.archive.warc.records import EarlierRecord

        previous = request.meta.get("previous_warc")
        if not previous:
            return None
        try:
            earlier = read_response(previous[0], int(previous[1]), read_body=False)
        except (WarcError, OSError, ValueError):
            return None  # moved or deleted since: the revisit names the URL only
        return EarlierRecord(earlier.url, earlier.date, earlier.record_id)

    def _stop(self, message: str) -> None:
        self.failed = message
        logger.error("%s; stopping the crawl (what was written before is intact)", message)
        self.stats.set_value(WARC_ERROR_STAT, message)
        engine = self.crawler.engine
        if engine is not None:
            closing = deferred_from_coro(engine.close_spider_async(reason=WARC_ERROR_REASON))
            closing.addErrback(lambda failure: logger.debug("close: %s", failure.value))

    def spider_closed(self) -> None:
        for writer in self.writers.values():
            try:
                writer.close()
            except WarcError as error:
                self.stats.set_value(WARC_ERROR_STAT, str(error))
                logger.error("%s", error)
            self.stats.inc_value("regarchive/warc_files", len(writer.files))
            for path in writer.files:
                logger.info("WARC file written: %s", path)


def exchange_of(request: Request, response: Response) -> HttpExchange:
    """The exchange as the HTTP client made it (see :mod:`regarchive.archive.warc.records`)."""
    from regarchive.archive.warc.records import HttpExchange

    url = urldefrag(request.url)[0]
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = parts.netloc.rpartition("@")[2]
    if parts.port is not None and parts.port == DEFAULT_PORTS.get(parts.scheme):
        host = host.rsplit(":", 1)[0]
    return HttpExchange(
        url=url,
        method=request.method,
        target=target,
        host=host,
        request_headers=_header_lines(request.headers),
        status=response.status,
        response_headers=_header_lines(response.headers),
        body=response.body,
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        ip_address=str(response.ip_address) if response.ip_address else None,
    )


def _header_lines(headers: Any) -> list[tuple[str, str]]:
    """One (name, value) per header line; a repeated header (Set-Cookie) stays repeated."""
    return [(_text(name), _text(value)) for name in headers for value in headers.getlist(name)]


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value
