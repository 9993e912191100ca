"""``regarchive crawl``: rubric URLs in, archived items out, a summary and an exit code."""

from __future__ import annotations

import sys

import click

from archive.commands.common import DB_OPTION, check_http_url, open_archive


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    """``-s KEY=VALUE`` pairs as a dict of Scrapy settings."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"-s expects KEY=VALUE, got {pair!r}")
        overrides[key.strip()] = value
    return overrides


@click.command()
@click.argument("urls", nargs=-1, required=True)
@DB_OPTION
@click.option(
    "-s",
    "--set",
    "settings",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=2 (repeatable).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's full log.")
def crawl(
    urls: tuple[str, ...], db_path: str, settings: tuple[str, ...], quiet: bool, verbose: bool
) -> None:
    """Crawl rubric listing URLs (and the articles they list) into the archive."""
    start_urls = [check_http_url(url) for url in urls]
    overrides = parse_overrides(settings)
    open_archive(db_path).close()  # fail now, in one line, on a bad --db
    sys.exit(run_and_report(start_urls, db_path, overrides, quiet=quiet, verbose=verbose))


def run_and_report(
    start_urls: list[str],
    db_path: str,
    overrides: dict[str, str],
    *,
    quiet: bool = False,
    verbose: bool = False,
) -> int:
    """Run one crawl, print its summary and return the exit code."""
    from scraper.runner import crawl_settings, run_crawl

    settings = crawl_settings(db_path, overrides)
    if not quiet and sys.stderr.isatty():
        settings.set("REGARCHIVE_PROGRESS", True, priority="cmdline")
    outcome = run_crawl(start_urls, settings, verbose=verbose)
    reason = outcome.unhealthy_reason()
    if reason:
        click.echo(outcome.summary(db_path), err=True)
        click.echo(f"regarchive: unhealthy crawl: {reason}", err=True)
        return 1
    if not quiet:
        click.echo(outcome.summary(db_path))
    return 0
