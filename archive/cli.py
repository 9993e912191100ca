"""The ``regarchive`` command: a thin shell over the crawler, the extractor and the archive.

Exit codes: 0 success; 1 the crawl finished unhealthy (the reason is printed); 2 usage or
configuration error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import click

from archive.errors import ArchiveError
from archive.export import write_export
from archive.store import Archive

DB_OPTION = click.option(
    "--db",
    "db_path",
    envvar="REGARCHIVE_DB",
    default="archive.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The archive file (also read from REGARCHIVE_DB).",
)
EXPORT_FORMATS = ("jsonl", "csv", "json")


class ConfigError(click.ClickException):
    """A bad option value, config or archive path: exit code 2, one line, no traceback."""

    exit_code = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="regarchive")
def cli() -> None:
    """Crawl French public-affairs rubrics into a deduplicated SQLite archive."""


def main() -> None:
    """Console-script entry point."""
    cli()


# -- crawl ---------------------------------------------------------------------------------


def check_start_url(url: str) -> str:
    """Refuse anything but an absolute http(s) URL, before any work starts."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.UsageError(
            f"not an http(s) URL: {url!r} (expected e.g. https://example.org/-Regions-)"
        )
    return url


def parse_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    """``-s KEY=VALUE`` pairs as a dict of Scrapy settings."""
    overrides = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.UsageError(f"-s expects KEY=VALUE, got {pair!r}")
        overrides[key.strip()] = value
    return overrides


def open_archive(db_path: str, *, create: bool = True) -> Archive:
    """Open the archive or fail with a one-line message (exit code 2)."""
    try:
        return Archive(db_path, create=create)
    except ArchiveError as error:
        raise ConfigError(str(error)) from error


@cli.command()
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
    start_urls = [check_start_url(url) for url in urls]
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

    settings = crawl_settings(db_path, overrides, log_level="INFO" if verbose else "WARNING")
    outcome = run_crawl(start_urls, settings)
    reason = outcome.unhealthy_reason()
    if reason:
        click.echo(outcome.summary(db_path), err=True)
        click.echo(f"regarchive: unhealthy crawl: {reason}", err=True)
        return 1
    if not quiet:
        click.echo(outcome.summary(db_path))
    return 0


# -- export --------------------------------------------------------------------------------


@contextmanager
def output_stream(path: str | None) -> Iterator[TextIO]:
    """The export's destination: a file written whole or not at all, or stdout."""
    if path is None or path == "-":
        yield sys.stdout
        return
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        handle = partial.open("w", encoding="utf-8", newline="")
    except OSError as error:
        raise ConfigError(f"cannot write {path}: {error.strerror}") from error
    try:
        with handle:
            yield handle
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


@cli.command()
@DB_OPTION
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", default=None, help="Output file (default: standard output).")
def export(db_path: str, fmt: str, output: str | None) -> None:
    """Write every archived item, one record each."""
    with open_archive(db_path, create=False) as archive, output_stream(output) as out:
        count = write_export(archive.iter_records(), fmt, out)
    if output not in (None, "-"):
        click.echo(f"{count} items written to {output}", err=True)


# -- extract -------------------------------------------------------------------------------


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The URL the page was fetched from.")
@click.option(
    "--content-type",
    default=None,
    help="The HTTP Content-Type header, when the charset is only given there.",
)
def extract(file: Path, url: str, content_type: str | None) -> None:
    """Print, as JSON, the record the extractor makes of one saved page."""
    from pipelines.extract import extract_record

    check_start_url(url)
    record = extract_record(file.read_bytes(), url, content_type=content_type)
    record.pop("content_hash", None)
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))


# -- demo ----------------------------------------------------------------------------------


@cli.command()
@DB_OPTION
@click.option(
    "--articles",
    default=36,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="How many articles the sample site has.",
)
def demo(db_path: str, articles: int) -> None:
    """Serve the bundled sample site on 127.0.0.1 and crawl it into the archive."""
    from archive.demo.server import SiteServer
    from archive.demo.site import build_site

    open_archive(db_path).close()
    with SiteServer(lambda base_url: build_site(base_url, articles=articles)) as server:
        start_urls = sorted(server.site.rubrics.values())
        click.echo(f"Sample site served at {server.base_url}; crawling {len(start_urls)} rubrics…")
        code = run_and_report(start_urls, db_path, {})
    with open_archive(db_path, create=False) as archive:
        total = archive.item_count()
    click.echo(
        f"\nThe archive {db_path} now holds {total} items. Try next:\n"
        f"  regarchive export --db {db_path} --format jsonl | head -n 3\n"
        f"  regarchive export --db {db_path} --format csv -o items.csv\n"
        f'  sqlite-utils {db_path} "select title, category, published from items limit 5" --table'
    )
    sys.exit(code)


if __name__ == "__main__":
    main()
