"""Run the rubric spider in this process, with settings loaded by module (not from the cwd)."""

from __future__ import annotations

from collections.abc import Mapping

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
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(RubricSpider)
    process.crawl(crawler, start_urls=start_urls)
    process.start()
    return CrawlOutcome(dict(crawler.stats.get_stats() or {}))
