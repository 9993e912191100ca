"""``regarchive import-warc``: build or update an archive from WARC files made by any tool."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from regarchive.archive.errors import ArchiveError
from regarchive.cli.commands.common import DB_OPTION, ConfigError, open_archive
from regarchive.cli.commands.crawl import hold_lock


@click.command("import-warc", short_help="Build or update the archive from WARC files.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@DB_OPTION
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Extraction processes (default: one per core; 0 extracts in this process).",
)
def import_warc(files: tuple[Path, ...], db_path: str, workers: int | None) -> None:
    """Build or update the archive from WARC files (wget --warc-file, Heritrix, browsertrix,
    regarchive crawl --warc…).

    Articles are extracted as a crawl extracts them and deduplicated the same way; rubric
    listing pages in the files give the articles their rubrics. Files are read in the order
    given: a later capture of a changed article makes a new version.
    """
    from regarchive.scraper.warc_import import import_warcs

    paths = [check_readable(path) for path in files]
    with hold_lock(db_path), open_archive(db_path) as archive:
        progress = _progress if sys.stderr.isatty() else None
        try:
            report = import_warcs(archive, paths, workers=workers, progress=progress)
        except ArchiveError as error:
            click.echo(f"regarchive: {error}; what was imported before is saved", err=True)
            sys.exit(1)
    if progress is not None:
        click.echo("\r\033[K", nl=False, err=True)
    for line in summary_lines(report):
        click.echo(line)
    for failure in report.failures[:5]:
        click.echo(f"regarchive: could not extract {failure}", err=True)
    for damage in report.damaged:
        click.echo(f"regarchive: {damage}; the records before it were imported", err=True)
    if report.damaged:
        sys.exit(1)


def check_readable(path: Path) -> Path:
    """A WARC file that exists and can be read, or exit code 2 before anything is imported."""
    if not path.is_file():
        raise ConfigError(f"no WARC file {path}")
    if not os.access(path, os.R_OK):
        raise ConfigError(f"cannot read the WARC file {path}")
    return path


def _progress(report: Any) -> None:
    saved = sum(report.items.values())
    click.echo(
        f"\r\033[Kimporting: {report.responses:,} responses read, {saved:,} articles",
        nl=False,
        err=True,
    )


def summary_lines(report: Any) -> list[str]:
    items = report.items
    lines = [
        f"Imported {report.files} WARC file{'s' if report.files != 1 else ''}: "
        f"{report.responses:,} responses read; items: {items['inserted']:,} new, "
        f"{items['updated']:,} updated, {items['unchanged']:,} unchanged"
        + (f", {items['merged']:,} more URLs of the same articles" if items["merged"] else "")
        + f"; {report.listings:,} rubric listing pages, {report.sightings:,} article links"
        + (f"; {sum(report.documents.values()):,} linked documents" if report.documents else "")
        + "."
    ]
    if report.skipped:
        skipped = ", ".join(f"{count:,} {reason}" for reason, count in report.skipped.items())
        lines.append(f"Skipped: {skipped}.")
    if report.failures:
        lines.append(f"{len(report.failures):,} page(s) could not be extracted.")
    return lines
