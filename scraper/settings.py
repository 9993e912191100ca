"""Scrapy settings for regarchive: polite by default, every value overridable with ``-s KEY=VALUE``.

Loaded by module name (``regarchive.scraper.settings``), so a crawl behaves the same whatever the
working directory (cron starts in $HOME). The settings a user tunes, with their defaults, bounds
and meanings, are in one table, :mod:`regarchive.scraper.setting_table`; this module takes their
defaults from it, and adds the wiring: the crawl's components, and what is switched off.
"""

from __future__ import annotations

import os

from scrapy.settings import default_settings as scrapy_defaults

from regarchive.scraper.setting_table import project_defaults

_DEFAULTS = project_defaults()
globals().update(_DEFAULTS)

# The CLI sets it from --db / REGARCHIVE_DB; `scrapy crawl` reads the environment here.
REGARCHIVE_DB = os.environ.get("REGARCHIVE_DB", _DEFAULTS["REGARCHIVE_DB"])

BOT_NAME = "regarchive"
SPIDER_MODULES = ["regarchive.scraper.spiders"]
NEWSPIDER_MODULE = "regarchive.scraper.spiders"

# No way into a running crawl: no telnet console, and no remote-control server (Scrapy's, on by
# default since 2.19, runs Python code sent to a localhost port and writes a job file to $HOME).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# Extraction is not an item pipeline: the spider awaits it (in worker processes) to follow the
# related links it finds through the spider middlewares.
ITEM_PIPELINES = {"regarchive.pipelines.storage_pipeline.StoragePipeline": 800}

DOWNLOADER_MIDDLEWARES = {
    # Before OffsiteMiddleware (50) and RobotsTxtMiddleware (100): host and port both checked,
    # and no robots.txt fetched from a site a redirect points to.
    "regarchive.scraper.boundary.SiteBoundaryMiddleware": 40,
    "regarchive.scraper.conditional.ConditionalRequestsMiddleware": 50,
    # Sites of a sites file: each in its own download slot, at its own pace.
    "regarchive.scraper.politeness.SiteSlotsMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "regarchive.scraper.retry.BackoffRetryMiddleware": 550,
    # Sees responses before RedirectMiddleware (600): off-site redirects and loops are recorded
    # as failed pages instead of vanishing in the scheduler's filters.
    "regarchive.scraper.boundary.RedirectGuardMiddleware": 650,
    # Next to the download handler, after every built-in middleware: it records requests as
    # sent and responses as received (before decompression, redirects and retries). Off
    # unless a WARC directory is set (REGARCHIVE_WARC_DIR, REGARCHIVE_WARC_SITE_DIRS).
    "regarchive.scraper.warc.WarcRecorderMiddleware": 950,
}
# A spider callback that raises is recorded as a failed page; the crawl goes on.
SPIDER_MIDDLEWARES = {
    "regarchive.scraper.failures.CallbackErrorsMiddleware": 45,
    # Next to DepthMiddleware (900): another bound on what a page's links may add.
    "regarchive.scraper.query_variants.QueryVariantsMiddleware": 850,
}
EXTENSIONS = {
    # Before every other part of the crawl is built: they take it in from_crawler.
    "regarchive.scraper.state.CrawlState": 0,
    "regarchive.scraper.progress.Progress": 500,
    "regarchive.scraper.site_stats.SiteStats": 510,
}
# Not even imported: Scrapy loads every extension it is given before asking it whether it is
# enabled, and the remote-control one loads aiohttp, a tenth of a nightly rerun's start-up.
EXTENSIONS_BASE = {
    name: order
    for name, order in scrapy_defaults.EXTENSIONS_BASE.items()
    if not name.endswith(".RemoteControl")
}
