"""Scrapy settings for regarchive: polite by default, every value overridable with ``-s KEY=VALUE``.

Loaded by module name (``regarchive.scraper.settings``), so a crawl behaves the same whatever the
working directory (cron starts in $HOME).
"""

from __future__ import annotations

import os

from scrapy.settings import default_settings as scrapy_defaults

from regarchive import __version__

BOT_NAME = "regarchive"
SPIDER_MODULES = ["regarchive.scraper.spiders"]
NEWSPIDER_MODULE = "regarchive.scraper.spiders"

# An honest User-Agent: who we are and where to read about us.
USER_AGENT = f"regarchive/{__version__} (+https://github.com/regarchive/regarchive)"

ROBOTSTXT_OBEY = True

# Public-sector servers are small: a few requests at a time per site, adapted to their latency.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# Limits: each one hit is counted in the crawl summary, and a page it stops is recorded in
# crawl_errors (and tried again on the next run).
DOWNLOAD_TIMEOUT = 30
# Article pages are a few hundred kB at most; anything far bigger is not an article. Scrapy
# applies the limit to the decompressed body too, so a gzip bomb stops at 20 MB.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
# Article → related article → …: a chain longer than this is a trap. Pagination does not count
# (every listing page is at depth 0; REGARCHIVE_MAX_PAGES_PER_RUBRIC bounds it).
DEPTH_LIMIT = 50

# Transient errors (timeouts, resets, 429, 5xx) are retried RETRY_TIMES times, after waiting
# REGARCHIVE_RETRY_BACKOFF seconds, doubled each time up to REGARCHIVE_RETRY_BACKOFF_MAX, or what
# the server's Retry-After asks. A server asking for more than REGARCHIVE_RETRY_AFTER_MAX seconds
# is left alone until the next run. Pages that still fail are tried again on the next run.
RETRY_ENABLED = True
RETRY_TIMES = 2
REGARCHIVE_RETRY_BACKOFF = 1.0
REGARCHIVE_RETRY_BACKOFF_MAX = 30.0
REGARCHIVE_RETRY_AFTER_MAX = 120.0

# Items in process at once per response. A page yields one or two items, and Scrapy starts
# that many tasks for every response whatever it yields: its default of 100 cost 0.8 ms a page.
CONCURRENT_ITEMS = 8

COOKIES_ENABLED = False
# No way into a running crawl: no telnet console, and no remote-control server (Scrapy's, on by
# default since 2.19, runs Python code sent to a localhost port and writes a job file to $HOME).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"

# Extraction is not an item pipeline: the spider awaits it (in worker processes) to follow the
# related links it finds through the spider middlewares.
ITEM_PIPELINES = {"regarchive.pipelines.storage_pipeline.StoragePipeline": 800}

DOWNLOADER_MIDDLEWARES = {
    # Before OffsiteMiddleware (50) and RobotsTxtMiddleware (100): host and port both checked,
    # and no robots.txt fetched from a site a redirect points to.
    "regarchive.scraper.boundary.SiteBoundaryMiddleware": 40,
    "regarchive.scraper.conditional.ConditionalRequestsMiddleware": 50,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "regarchive.scraper.retry.BackoffRetryMiddleware": 550,
    # Sees responses before RedirectMiddleware (600): off-site redirects and loops are recorded
    # as failed pages instead of vanishing in the scheduler's filters.
    "regarchive.scraper.boundary.RedirectGuardMiddleware": 650,
}
# A spider callback that raises is recorded as a failed page; the crawl goes on.
SPIDER_MIDDLEWARES = {"regarchive.scraper.failures.CallbackErrorsMiddleware": 45}
EXTENSIONS = {
    # Before every other part of the crawl is built: they take it in from_crawler.
    "regarchive.scraper.state.CrawlState": 0,
    "regarchive.scraper.progress.Progress": 500,
}
# Not even imported: Scrapy loads every extension it is given before asking it whether it is
# enabled, and the remote-control one loads aiohttp, a tenth of a nightly rerun's start-up.
EXTENSIONS_BASE = {
    name: order
    for name, order in scrapy_defaults.EXTENSIONS_BASE.items()
    if not name.endswith(".RemoteControl")
}
# A live status line on stderr; the CLI turns it on when stderr is a terminal.
REGARCHIVE_PROGRESS = False

# Extraction worker processes (None: one per core but one, at least one; 0: extract in the
# crawling process).
REGARCHIVE_EXTRACT_WORKERS = None

# Where the archive lives; the CLI sets it from --db / REGARCHIVE_DB.
REGARCHIVE_DB = os.environ.get("REGARCHIVE_DB", "archive.db")
# Listing pages walked per start URL before giving up (guards against endless pagination).
REGARCHIVE_MAX_PAGES_PER_RUBRIC = 500
# Article links read from one listing page; a rubric page lists 10 to 50, thousands is a trap.
REGARCHIVE_MAX_LINKS_PER_PAGE = 1000

# Reruns: known articles younger than this many days (by publication date) are re-checked on
# every run, older ones once every REGARCHIVE_REVISIT_OLD_EVERY_DAYS; re-checks are conditional
# requests (If-None-Match / If-Modified-Since). REGARCHIVE_FULL re-checks everything and walks
# every listing page to its end.
REGARCHIVE_REVISIT_RECENT_DAYS = 30
REGARCHIVE_REVISIT_OLD_EVERY_DAYS = 7
REGARCHIVE_FULL = False
