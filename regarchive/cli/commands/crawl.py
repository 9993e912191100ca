"""``regarchive crawl``: rubric URLs in, archived items out, a summary and an exit code."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from regarchive.archive.errors import ArchiveError
from regarchive.archive.lock import ArchiveLock, ArchiveLockedError
from regarchive.archive.outputs import ARCHIVE_COMPANIONS
from regarchive.cli.commands.common import (
    DB_OPTION,
    ConfigError,
    check_host_resolves,
    check_http_url,
    open_archive,
)
from regarchive.scraper.host_patterns import HOST_PATTERN_EXAMPLES, is_host_pattern

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from regarchive.scraper.health import CrawlOutcome

# The archive and SQLite's files beside it (the lock file goes with the lock).
ARCHIVE_FILES = tuple(suffix for suffix in ARCHIVE_COMPANIONS if suffix != ".lock")

# sysexits.h EX_TEMPFAIL: cron wrappers and systemd read it as "try again later".
EXIT_LOCKED = 75


def check_host_pattern(pattern: str) -> str:
    """A host name, ``*.`` and a domain, or either with a port; anything else (a URL, a path, a
    bare ``*``) is a usage error."""
    value = pattern.strip()
    if not is_host_pattern(value):
        raise ConfigError(
            f"--attachment-host: {pattern!r} is not a host pattern "
            f"(expected e.g. {HOST_PATTERN_EXAMPLES})"
        )
    return value


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    """``-s KEY=VALUE`` pairs as a dict of Scrapy settings."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"-s expects KEY=VALUE, got {pair!r}")
        overrides[key.strip()] = value
    return overrides


@click.command(short_help="Crawl rubric URLs or a sites file.")
@click.argument("urls", nargs=-1)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Crawl every [[site]] of this sites file (TOML) instead of URLs.",
)
@DB_OPTION
@click.option(
    "-s",
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=2 (repeatable).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Re-check every known article and walk every listing page to its end.",
)
@click.option(
    "--max-pages-per-rubric",
    type=click.IntRange(min=1),
    default=None,
    help="Stop paging a rubric after this many listing pages (default 500).",
)
@click.option(
    "--attachment-host",
    "attachment_hosts",
    multiple=True,
    metavar="PATTERN",
    help="Also fetch the documents articles link from this host (*.gouv.fr; repeatable); "
    "by default only from the article's own site.",
)
@click.option(
    "--no-attachments",
    is_flag=True,
    help="Do not fetch the documents (PDF, ODT, DOCX…) articles link.",
)
@click.option(
    "--warc",
    "warc_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Also write every HTTP exchange to WARC files in this directory (REGARCHIVE_WARC_DIR).",
)
@click.option(
    "--frontier",
    metavar="REDIS_URL",
    default=None,
    help="Crawl as one of several crawlers sharing a frontier on Redis "
    "(redis://HOST:PORT/N); what is found goes to `regarchive ingest`, not to --db.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success; one line per failure.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log on the terminal.")
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the full log (debug level) to this file.",
)
def crawl(
    urls: tuple[str, ...],
    config_path: str | None,
    db_path: str,
    settings: tuple[str, ...],
    full: bool,
    max_pages_per_rubric: int | None,
    attachment_hosts: tuple[str, ...],
    no_attachments: bool,
    warc_dir: str | None,
    frontier: str | None,
    quiet: bool,
    verbose: bool,
    log_file: str | None,
) -> None:
    """Crawl rubric listing URLs (and the articles they list) into the archive, or every site
    of a sites file (--config).

    Reruns are incremental: known articles are re-checked with conditional requests (recent ones
    every run, older ones every few days) and a listing stops being paged once a page lists
    only archived articles.

    With --frontier, any number of such crawlers (on any machines) share one queue and
    duplicate filter on Redis, each site crawled by one of them at a time; `regarchive ingest`
    writes what they find into the archive.
    """
    # Everything that can be checked is checked before the archive is touched: bad input gets
    # one line and exit code 2, never a traceback from inside the crawl.
    site_overrides: dict = {}
    if config_path is not None:
        if urls:
            raise click.UsageError("give rubric URLs or --config FILE, not both")
        from regarchive.cli.commands.sites import load_sites_or_exit
        from regarchive.scraper.site_config import crawl_overrides

        configured = load_sites_or_exit(config_path)
        urls = tuple(url for site in configured for url in site.start_urls)
        site_overrides = crawl_overrides(configured)
    elif not urls:
        raise click.UsageError("give at least one rubric URL, or --config FILE")
    start_urls = [check_http_url(url) for url in urls]
    for url in dict.fromkeys(start_urls):
        check_host_resolves(url)
    overrides = parse_overrides(settings)
    if full:
        overrides["REGARCHIVE_FULL"] = "True"
    if max_pages_per_rubric:
        overrides["REGARCHIVE_MAX_PAGES_PER_RUBRIC"] = str(max_pages_per_rubric)
    if attachment_hosts:
        known = overrides.get("REGARCHIVE_ATTACHMENT_HOSTS", "")
        overrides["REGARCHIVE_ATTACHMENT_HOSTS"] = ",".join(
            part for part in (known, *(check_host_pattern(p) for p in attachment_hosts)) if part
        )
    if no_attachments:
        overrides["REGARCHIVE_ATTACHMENTS"] = "False"
    if warc_dir:
        overrides["REGARCHIVE_WARC_DIR"] = warc_dir
    scrapy_settings = checked_settings(db_path, overrides)
    for key, value in site_overrides.items():  # from the checked sites file, not from -s
        scrapy_settings.set(key, value, priority="cmdline")
    check_warc_dirs(scrapy_settings)
    check_log_file(log_file)
    if frontier is not None:
        sys.exit(crawl_in_frontier(start_urls, frontier, scrapy_settings, quiet, verbose, log_file))
    new_archive = not Path(db_path).expanduser().exists()
    check_archive(db_path)
    with hold_lock(db_path):
        code = run_and_report(
            start_urls, db_path, scrapy_settings, quiet=quiet, verbose=verbose, log_file=log_file
        )
        if code and new_archive:
            discard_empty_archive(db_path)
    sys.exit(code)


def discard_empty_archive(db_path: str) -> None:
    """Delete an archive this failed run created when the run could read nothing at all from
    the site (a typo in the URL, the site down): no file is left behind to trip over.

    An archive that got any page is kept even without items: its record of the pages that
    failed is what makes the next run try them again. Called while holding the lock, so no
    other crawl can be writing to it.
    """
    with open_archive(db_path, create=False) as archive:
        run = archive.last_crawl() or {}
        if archive.item_count() or run.get("pages_ok") or run.get("pages_not_modified"):
            return
    for suffix in ARCHIVE_FILES:
        Path(f"{Path(db_path).expanduser()}{suffix}").unlink(missing_ok=True)
    click.echo(f"regarchive: nothing could be read from the site; {db_path} not kept", err=True)


def crawl_in_frontier(
    start_urls: list[str],
    frontier_url: str,
    settings: Settings,
    quiet: bool,
    verbose: bool,
    log_file: str | None,
) -> int:
    """One crawler of a shared frontier; the archive file is never opened."""
    from regarchive.scraper.frontier.connection import FrontierError, check_frontier_url
    from regarchive.scraper.frontier.crawl import register, use_frontier

    try:
        check_frontier_url(frontier_url)
    except FrontierError as error:
        raise ConfigError(str(error)) from None
    use_frontier(settings, frontier_url)
    try:
        register(settings)
    except FrontierError as error:
        click.echo(f"regarchive: {error}", err=True)
        return EXIT_LOCKED  # try again later: the server or the ingester is not up yet
    return _run_and_summarise(
        start_urls,
        settings,
        lambda outcome: outcome.frontier_summary(frontier_url),
        quiet=quiet,
        verbose=verbose,
        log_file=log_file,
    )


def checked_settings(db_path: str, overrides: dict[str, str]) -> Settings:
    """The crawl's settings, or exit code 2 naming the first unusable value."""
    from regarchive.scraper.config import SettingsError, check_settings
    from regarchive.scraper.runner import crawl_settings

    settings = crawl_settings(db_path, overrides)
    try:
        check_settings(settings, overrides)
    except SettingsError as error:
        raise ConfigError(str(error)) from None
    return settings


def check_warc_dirs(settings: Settings) -> None:
    """Create the WARC directories now and make sure files can be written there: a crawl that
    cannot keep its WARC files would stop at its first response."""
    from regarchive.scraper.warc import warc_directories

    default, per_site = warc_directories(settings)
    for directory in dict.fromkeys([*([default] if default else []), *per_site.values()]):
        path = Path(directory).expanduser()
        try:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=path):
                pass
        except OSError as error:
            raise ConfigError(
                f"cannot write WARC files in {directory}: {error.strerror or error}"
            ) from None


def check_log_file(path: str | None) -> None:
    """Fail now, in one line, when the log file cannot be written."""
    if path is None:
        return
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as error:
        raise ConfigError(f"cannot write the log file {path}: {error.strerror}") from None


def check_archive(db_path: str) -> None:
    """Open (create, migrate) the archive and check it is sound before writing to it."""
    with open_archive(db_path) as archive:
        problem = archive.integrity_problem()
    if problem is not None:
        raise ConfigError(
            f"{db_path} is damaged ({problem}); left untouched: restore it from a backup "
            "or choose another archive file"
        )


@contextmanager
def hold_lock(db_path: str) -> Iterator[None]:
    """Hold the archive's write lock, or exit 75 (EX_TEMPFAIL) naming who holds it."""
    try:
        with ArchiveLock(db_path):
            yield
    except ArchiveLockedError as error:
        click.echo(f"regarchive: {error}", err=True)
        sys.exit(EXIT_LOCKED)
    except ArchiveError as error:
        raise ConfigError(str(error)) from error


def run_and_report(
    start_urls: list[str],
    db_path: str,
    settings: Settings,
    *,
    quiet: bool = False,
    verbose: bool = False,
    log_file: str | None = None,
) -> int:
    """Run one crawl with settings already checked, print its summary, return the exit code."""
    return _run_and_summarise(
        start_urls,
        settings,
        lambda outcome: outcome.summary(db_path),
        quiet=quiet,
        verbose=verbose,
        log_file=log_file,
    )


def _run_and_summarise(
    start_urls: list[str],
    settings: Settings,
    summary: Callable[[CrawlOutcome], str],
    *,
    quiet: bool,
    verbose: bool,
    log_file: str | None,
) -> int:
    """The crawl, its summary (on stderr with the reason when it was unhealthy), its exit
    code."""
    from regarchive.scraper.runner import run_crawl

    if not quiet and sys.stderr.isatty():
        settings.set("REGARCHIVE_PROGRESS", True, priority="cmdline")
    outcome = run_crawl(start_urls, settings, verbose=verbose, log_file=log_file)
    reason = outcome.unhealthy_reason()
    if reason:
        click.echo(summary(outcome), err=True)
        click.echo(f"regarchive: unhealthy crawl: {reason}", err=True)
        return 1
    if not quiet:
        click.echo(summary(outcome))
    return 0
