"""Run the rubric spider in this process, with settings loaded by module (not from the cwd)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from regarchive.scraper.health import CrawlOutcome
from regarchive.scraper.logs import configure_logging
from regarchive.scraper.spiders.rubric import RubricSpider


def crawl_settings(db_path: str, overrides: Mapping[str, str] | None = None) -> Settings:
    """The project's settings, then the archive path, then the user's ``-s KEY=VALUE``."""
    settings = Settings()
    settings.setmodule("regarchive.scraper.settings", priority="project")
    settings.set("REGARCHIVE_DB", db_path, priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    if not settings.getbool("COOKIES_ENABLED"):
        # Scrapy imports every middleware before asking it whether it is enabled; the cookies
        # one loads tldextract and requests, 60 ms of a nightly rerun's one-second start-up.
        base = settings.getdict("DOWNLOADER_MIDDLEWARES_BASE")
        base.pop("scrapy.downloadermiddlewares.cookies.CookiesMiddleware", None)
        settings.set("DOWNLOADER_MIDDLEWARES_BASE", base)
    return settings


# After SIGTERM or Ctrl-C, how long the crawl may take to stop cleanly (pages being fetched
# finish, the run's stats are recorded) before it is stopped at once as on a second signal.
# Scrapy alone waits for every request already handed to the downloader, each one a
# DOWNLOAD_DELAY apart: with a long delay, a stop took as long as the rest of the crawl.
STOP_GRACE_SECONDS = 5.0


class _PromptlyStoppedProcess(CrawlerProcess):
    """Scrapy's process, whose first stop signal becomes a second one after
    ``STOP_GRACE_SECONDS`` if the crawl has not ended by then."""

    def _signal_shutdown(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor

        super()._signal_shutdown(signum, frame)
        reactor.callFromThread(reactor.callLater, STOP_GRACE_SECONDS, self._stop_now, signum)

    def _stop_now(self, signum: int) -> None:
        """Stop at once; the summary says the crawl was interrupted, and how long it ran."""
        for crawler in self.crawlers:
            stats = crawler.stats
            if stats is None or stats.get_value("finish_reason"):
                continue
            stats.set_value("finish_reason", "interrupted")
            started = stats.get_value("start_time")
            if isinstance(started, datetime):
                elapsed = datetime.now(tz=started.tzinfo) - started
                stats.set_value("elapsed_time_seconds", elapsed.total_seconds())
        self._signal_kill(signum, None)


def run_crawl(
    start_urls: list[str],
    settings: Settings,
    *,
    verbose: bool = False,
    log_file: str | None = None,
) -> CrawlOutcome:
    """Crawl ``start_urls`` into the archive named by the settings; blocks until done.

    Twisted's reactor cannot be restarted, so this runs once per process.
    """
    configure_logging(verbose=verbose, log_file=log_file)
    settings.set(
        "LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline"
    )  # ours, from configure_logging
    process = _PromptlyStoppedProcess(settings)
    crawler = process.create_crawler(RubricSpider)
    process.crawl(crawler, start_urls=start_urls)
    process.start()
    return CrawlOutcome(dict(crawler.stats.get_stats() or {}))
