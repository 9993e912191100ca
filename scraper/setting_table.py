"""Every setting a user can tune, in one table: name, type, default, bounds and meaning.

The defaults (:mod:`regarchive.scraper.settings` takes them from here), the checker of ``-s``
values (:mod:`regarchive.scraper.config`) and the README's list of settings (regenerated with
``cog -r README.md``; a test fails when it is stale) all come from :data:`SETTINGS`. Scrapy's
settings that regarchive leaves at Scrapy's default but relies on are listed too
(``default=SCRAPY_DEFAULT``), so that their values are checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from scrapy.settings import default_settings as scrapy_defaults

from regarchive import __version__

REGARCHIVE_PREFIX = "REGARCHIVE_"
LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")

Kind = Literal[
    "int",
    "optional_int",
    "float",
    "bool",
    "status_list",
    "log_level",
    "text",
    "json_object",
    "file_prefix",
    "sites",
]

_EXPECTED: dict[str, str] = {
    "int": "a whole number",
    "optional_int": "a whole number (or nothing)",
    "float": "a number",
    "bool": "True or False",
    "status_list": "HTTP status codes separated by commas",
    "log_level": "one of " + ", ".join(sorted(LOG_LEVELS)),
    "text": "any text",
    "json_object": 'a JSON object, e.g. `{"example.org": "/srv/warc/example"}`',
    "file_prefix": "letters, digits, `.`, `_` or `-` (a file name part)",
    "sites": "the [[site]] tables of a sites file",
}


class _ScrapyDefault:
    def __repr__(self) -> str:
        return "SCRAPY_DEFAULT"


# The default of a setting regarchive does not change: Scrapy's own.
SCRAPY_DEFAULT: Any = _ScrapyDefault()


@dataclass(frozen=True)
class Setting:
    """One setting: how it is read (``kind``), its default, the values that make sense, and
    what it does (one line for the README)."""

    name: str
    kind: Kind
    default: Any
    meaning: str
    minimum: float | None = None
    maximum: float | None = None
    strict: bool = False  # the minimum itself is not allowed
    # The default as the README shows it, when its value depends on the installation.
    shown_default: str | None = None

    @property
    def ours(self) -> bool:
        return self.name.startswith(REGARCHIVE_PREFIX)

    @property
    def effective_default(self) -> Any:
        if self.default is SCRAPY_DEFAULT:
            return getattr(scrapy_defaults, self.name)
        return self.default

    def expected(self) -> str:
        """The values accepted, in words: "a whole number at least 1"."""
        what = _EXPECTED[self.kind]
        if self.minimum is not None:
            bound = "greater than" if self.strict else "at least"
            what += f" {bound} {self.minimum:g}"
        if self.maximum is not None:
            most = int(self.maximum) if self.maximum == int(self.maximum) else self.maximum
            what += f"{' and' if self.minimum is not None else ''} at most {most}"
        return what


# Beyond these, a value is a mistake, and some would hang the crawl (a delay of 1e300 s) or
# overflow on the way (SQLite, timedelta): times up to a day, counts up to 2**31 - 1, days up to
# a century; requests, items or worker processes at once far beyond what a machine does.
MAX_SECONDS = 24 * 3600
MAX_COUNT = 2**31 - 1
MAX_DAYS = 36_500
MAX_CONCURRENCY = 10_000
MAX_WORKERS = 256


def _int(name: str, default: Any, meaning: str, minimum: float = 0, **more: Any) -> Setting:
    more.setdefault("maximum", MAX_COUNT)
    return Setting(name, "int", default, meaning, minimum, **more)


def _seconds(name: str, default: Any, meaning: str, **more: Any) -> Setting:
    more.setdefault("maximum", MAX_SECONDS)
    return Setting(name, "float", default, meaning, more.pop("minimum", 0), **more)


def _flag(name: str, default: Any, meaning: str) -> Setting:
    return Setting(name, "bool", default, meaning)


MIB = 1024 * 1024

SETTINGS: tuple[Setting, ...] = (
    # -- politeness: public-sector servers are small; a few requests at a time per site,
    # adapted to their latency.
    Setting(
        "USER_AGENT",
        "text",
        f"regarchive/{__version__} (+https://github.com/regarchive/regarchive)",
        "an honest User-Agent: who we are and where to read about us",
        shown_default="regarchive/VERSION (+https://github.com/regarchive/regarchive)",
    ),
    _flag("ROBOTSTXT_OBEY", True, "obey the sites' robots.txt"),
    _int(
        "CONCURRENT_REQUESTS",
        16,
        "requests in flight at once, all sites together",
        1,
        maximum=MAX_CONCURRENCY,
    ),
    _int(
        "CONCURRENT_REQUESTS_PER_DOMAIN",
        4,
        "requests in flight at once per site",
        1,
        maximum=MAX_CONCURRENCY,
    ),
    _seconds(
        "DOWNLOAD_DELAY", 0.25, "seconds between two requests to a site (AutoThrottle adapts it)"
    ),
    _flag("AUTOTHROTTLE_ENABLED", True, "adapt the delay to each site's latency"),
    _seconds("AUTOTHROTTLE_START_DELAY", 0.5, "AutoThrottle's first delay, in seconds"),
    _seconds("AUTOTHROTTLE_MAX_DELAY", 30.0, "AutoThrottle's longest delay, in seconds"),
    _seconds(
        "AUTOTHROTTLE_TARGET_CONCURRENCY",
        2.0,
        "requests AutoThrottle aims to have in flight per site",
        strict=True,
        maximum=MAX_CONCURRENCY,
    ),
    # -- limits: each one hit is counted in the crawl summary, and a page it stops is recorded
    # in crawl_errors (and tried again on the next run).
    _seconds(
        "DOWNLOAD_TIMEOUT", 30, "seconds to wait for a whole page before giving up", strict=True
    ),
    # Article pages are a few hundred kB at most; anything far bigger is not an article. Scrapy
    # applies the limit to the decompressed body too, so a gzip bomb stops at 20 MB.
    _int(
        "DOWNLOAD_MAXSIZE",
        20 * MIB,
        "largest page fetched, in bytes, also after decompression (0: no limit)",
    ),
    _int("DOWNLOAD_WARNSIZE", 5 * MIB, "page size that gets a warning in the log, in bytes"),
    _int("REDIRECT_MAX_TIMES", 10, "redirects followed for one page"),
    # Article → related article → …: a chain longer than this is a trap. Pagination does not
    # count (every listing page is at depth 0; REGARCHIVE_MAX_PAGES_PER_RUBRIC bounds it).
    _int(
        "DEPTH_LIMIT", 50, "longest chain of links from a listing page to an article (0: no limit)"
    ),
    _int("URLLENGTH_LIMIT", SCRAPY_DEFAULT, "longest URL followed, in characters"),
    # Guards against endless pagination.
    _int(
        "REGARCHIVE_MAX_PAGES_PER_RUBRIC",
        500,
        "listing pages read per start URL (`--max-pages-per-rubric`)",
        1,
    ),
    # A rubric page lists 10 to 50 articles; thousands is a trap.
    _int("REGARCHIVE_MAX_LINKS_PER_PAGE", 1000, "article links read from one listing page", 1),
    # A page has one or two URLs differing in their query (a ?lang=, a tracking parameter
    # nobody lists); dozens are a per-visit id making every link new.
    _int(
        "REGARCHIVE_MAX_QUERY_VARIANTS",
        50,
        "article URLs of one page that differ only in their query (page-naming parameters such "
        "as `id_article` apart) followed (0: no limit)",
    ),
    # -- attachments: the documents articles link (PDF, ODT, DOCX…), fetched once and read in
    # a bounded child process of an extraction worker.
    _flag("REGARCHIVE_ATTACHMENTS", True, "fetch and archive the documents articles link"),
    Setting(
        "REGARCHIVE_ATTACHMENT_HOSTS",
        "text",
        "",
        "other hosts documents may be fetched from, besides the article's own site: patterns "
        "separated by commas (`*.gouv.fr`; `--attachment-host`)",
    ),
    # Circulars and their annexes weigh a few MB at most; a document the size of a disk image
    # is not one.
    _int(
        "REGARCHIVE_ATTACHMENT_MAXSIZE",
        50 * MIB,
        "largest document fetched, in bytes (0: no limit)",
    ),
    _seconds(
        "REGARCHIVE_ATTACHMENT_READ_TIMEOUT",
        60.0,
        "seconds reading one document may take before it is stopped (its bytes are kept)",
        strict=True,
    ),
    _int(
        "REGARCHIVE_ATTACHMENT_MAX_PAGES",
        500,
        "pages of a document whose text is read (all are counted and kept)",
        1,
    ),
    # -- retries: transient errors (timeouts, resets, 429, 5xx) are retried after a backoff, or
    # what the server's Retry-After asks; pages that still fail are tried again on the next run.
    _flag("RETRY_ENABLED", True, "retry pages that failed for a transient reason"),
    _int("RETRY_TIMES", 2, "retries of a page in one run"),
    Setting("RETRY_HTTP_CODES", "status_list", SCRAPY_DEFAULT, "HTTP statuses that are retried"),
    _seconds(
        "REGARCHIVE_RETRY_BACKOFF",
        1.0,
        "seconds before the first retry, doubled on each further one",
    ),
    _seconds("REGARCHIVE_RETRY_BACKOFF_MAX", 30.0, "longest wait before a retry, in seconds"),
    _seconds(
        "REGARCHIVE_RETRY_AFTER_MAX",
        120.0,
        "longest Retry-After honoured, in seconds; a server asking more is left until the next run",
    ),
    # -- reruns: re-checks are conditional requests (If-None-Match / If-Modified-Since).
    _int(
        "REGARCHIVE_REVISIT_RECENT_DAYS",
        30,
        "articles published within this many days are re-checked on every run",
        maximum=MAX_DAYS,
    ),
    _int(
        "REGARCHIVE_REVISIT_OLD_EVERY_DAYS",
        7,
        "older articles are re-checked once every this many days",
        maximum=MAX_DAYS,
    ),
    _flag(
        "REGARCHIVE_DISCOVERY",
        True,
        "read each site's robots.txt Sitemap: lines, sitemaps and rubric feeds to find changed "
        "and new articles (a sites file's `discovery` key sets it per site)",
    ),
    # A site's sitemap may list thousands of articles of rubrics the crawl does not follow:
    # each is fetched once to learn its rubric, this many per run and site at most. An article
    # published beyond the listing pages a rerun reads is rare; twenty a night find it soon.
    _int(
        "REGARCHIVE_DISCOVERY_MAX_NEW",
        20,
        "pages a feed or sitemap lists that nothing the crawl read links, fetched per run and "
        "site to see whether they belong to a crawled rubric",
    ),
    _flag(
        "REGARCHIVE_FULL",
        False,
        "re-check every known article and walk every listing to its end (`--full`)",
    ),
    # -- the crawling process
    # Items in process at once per response. A page yields one or two items, and Scrapy starts
    # that many tasks for every response whatever it yields: its default of 100 cost 0.8 ms a
    # page.
    _int("CONCURRENT_ITEMS", 8, "items processed at once per page", 1, maximum=MAX_CONCURRENCY),
    Setting(
        "REGARCHIVE_EXTRACT_WORKERS",
        "optional_int",
        None,
        "extraction worker processes (empty: one per core but one; 0: extract in the crawling "
        "process)",
        0,
        maximum=MAX_WORKERS,
    ),
    # The CLI sets it from --db / REGARCHIVE_DB; settings.py reads the environment variable
    # for `scrapy crawl`.
    Setting("REGARCHIVE_DB", "text", "archive.db", "the archive file (`--db`)"),
    # The CLI sets it from a checked sites file: per-site slots, hints, discovery, revisits.
    Setting(
        "REGARCHIVE_SITES",
        "sites",
        [],
        "the sites of a sites file (`crawl --config FILE`), as the CLI read and checked them",
        shown_default="[]",
    ),
    _flag(
        "REGARCHIVE_PROGRESS",
        False,
        "a live progress line on stderr (the CLI turns it on when stderr is a terminal)",
    ),
    _seconds(
        "REGARCHIVE_PROGRESS_INTERVAL",
        1.0,
        "seconds between two updates of the progress line",
        strict=True,
    ),
    # -- WARC files of every HTTP exchange (`crawl --warc DIR`, scraper/warc.py).
    Setting(
        "REGARCHIVE_WARC_DIR",
        "text",
        "",
        "write every HTTP exchange to WARC files in this directory (`--warc`; empty: none)",
    ),
    Setting(
        "REGARCHIVE_WARC_SITE_DIRS",
        "json_object",
        {},
        "a WARC directory per site (`host[:port]` to directory); other sites use "
        "REGARCHIVE_WARC_DIR",
    ),
    # About 1 GB, the size web archives have used since the Internet Archive's first crawls.
    _int(
        "REGARCHIVE_WARC_MAX_SIZE",
        1_000_000_000,
        "size in bytes at which a WARC file is closed and the next one started",
        1,
    ),
    Setting(
        "REGARCHIVE_WARC_PREFIX",
        "file_prefix",
        "regarchive",
        "first part of the WARC files' names (`PREFIX-TIMESTAMP-SERIAL-HOST.warc.gz`)",
    ),
    _flag("COOKIES_ENABLED", False, "keep the cookies sites set"),
    # -- a shared frontier (`crawl --frontier`, docs/SCALING.md)
    Setting(
        "REGARCHIVE_FRONTIER",
        "text",
        "",
        "the Redis URL of a frontier shared with other crawlers (`--frontier`); empty: crawl "
        "alone into the archive",
    ),
    # A crawler silent this long is taken for dead: its sites and claimed pages go to the
    # others. Long enough for a loaded machine's pauses, short enough that a kill costs little.
    _seconds(
        "REGARCHIVE_FRONTIER_LEASE",
        30.0,
        "seconds a silent crawler keeps its sites and the pages it took before others take them",
        minimum=1,
    ),
    # One site takes one crawler a few requests a second (AutoThrottle); 32 sites keep the
    # 16 requests in flight of one process busy with room to spare.
    _int(
        "REGARCHIVE_FRONTIER_SITES",
        32,
        "sites one frontier crawler holds at once (each site is crawled by one crawler at a time)",
        1,
    ),
    Setting(
        "REGARCHIVE_FRONTIER_CRAWLER",
        "text",
        "",
        "this crawler's id in the frontier (the command registers it before the crawl starts; "
        "empty: a new one)",
    ),
    _seconds(
        "REGARCHIVE_FRONTIER_WAIT",
        120.0,
        "seconds a frontier crawler waits for `regarchive ingest` to publish the archive's state",
    ),
    Setting("LOG_LEVEL", "log_level", "INFO", "what the log shows (`--verbose`, `--log-file`)"),
)

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}

# Every setting name Scrapy declares: with ours, the names `-s` accepts.
SCRAPY_NAMES: frozenset[str] = frozenset(
    name for name in getattr(scrapy_defaults, "__all__", dir(scrapy_defaults)) if name.isupper()
)


def project_defaults() -> dict[str, Any]:
    """The defaults regarchive sets (Scrapy's stay Scrapy's), for the settings module."""
    return {s.name: s.default for s in SETTINGS if s.default is not SCRAPY_DEFAULT}


def _shown(setting: Setting) -> str:
    """The default as the README shows it: the value to type, and sizes in MB too."""
    if setting.shown_default is not None:
        return f"`{setting.shown_default}`"
    value = setting.effective_default
    if value is None:
        return "(empty)"
    if setting.kind == "status_list":
        return "`" + ",".join(str(code) for code in value) + "`"
    if setting.kind == "int" and isinstance(value, int) and value >= MIB and value % MIB == 0:
        return f"`{value}` ({value // MIB} MB)"
    return f"`{value}`"


def markdown_table() -> str:
    """The README's list of settings, as a Markdown table."""
    lines = ["| setting | default | accepted values | meaning |", "|---|---|---|---|"]
    for setting in SETTINGS:
        lines.append(
            f"| `{setting.name}` | {_shown(setting)} | {setting.expected()} | {setting.meaning} |"
        )
    return "\n".join(lines) + "\n"
