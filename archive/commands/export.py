"""``regarchive export``: items as JSONL, CSV, JSON, Parquet or a Data Package.

The same filters as ``search`` and ``list`` select the items; ``--since-last-export NAME``
keeps only those new or changed since the previous export of that name, which the archive
remembers once the export is written.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import click

from archive.commands.common import DB_OPTION, ConfigError, open_archive
from archive.commands.query import build_filters, filter_options
from archive.datapackage import write_datapackage
from archive.export import FILE_FORMATS, FORMATS, ExportError, write_export, write_parquet
from archive.queries import Filters, QueryError
from archive.store import Archive

# Excel reads a CSV file as UTF-8 only when it starts with this byte-order mark.
UTF8_BOM = "\ufeff"


@contextmanager
def output_stream(path: str | None, *, bom: bool = False) -> Iterator[TextIO]:
    """The export's destination: a file written whole or not at all, or stdout."""
    if path is None or path == "-":
        if bom:
            sys.stdout.write(UTF8_BOM)
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
            if bom:
                handle.write(UTF8_BOM)
            yield handle
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)


@contextmanager
def output_path(path: str) -> Iterator[Path]:
    """A path to write a binary file at, moved to ``path`` only once complete."""
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        yield partial
        partial.replace(target)
    except OSError as error:
        raise ConfigError(f"cannot write {path}: {error.strerror or error}") from error
    finally:
        partial.unlink(missing_ok=True)


def regarchive_version() -> str:
    try:
        return metadata.version("regarchive")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


def write_items(
    archive: Archive,
    filters: Filters,
    fmt: str,
    output: str | None,
    *,
    safe_csv: bool,
    bom: bool,
    about: dict[str, Any],
) -> int:
    """Write the items matching ``filters`` and return how many were written."""
    records = archive.iter_export(filters)
    if fmt == "datapackage":
        assert output is not None
        coverage = write_datapackage(
            records, output, version=regarchive_version(), safe_csv=safe_csv, about=about
        )
        return coverage.items
    if fmt == "parquet":
        assert output is not None
        with output_path(output) as partial:
            return write_parquet(records, partial)
    with output_stream(output, bom=bom) as out:
        return write_export(records, fmt, out, safe_csv=safe_csv)  # type: ignore[arg-type]


@click.command()
@DB_OPTION
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="jsonl",
    show_default=True,
    help="Output format; parquet needs pyarrow, datapackage writes a folder.",
)
@click.option(
    "-o",
    "--output",
    default=None,
    help="Output file, or folder for datapackage (default: standard output).",
)
@filter_options
@click.option("--query", default=None, metavar="QUERY", help="Only items matching QUERY.")
@click.option(
    "--since-last-export",
    "export_name",
    default=None,
    metavar="NAME",
    help="Only items new or changed since the last export named NAME (all the first time).",
)
@click.option(
    "--safe-csv/--no-safe-csv",
    default=True,
    show_default=True,
    help="Prefix CSV cells starting with = + - @ with ' so spreadsheets do not run them.",
)
@click.option(
    "--bom/--no-bom",
    default=None,
    help="Start CSV with a UTF-8 byte-order mark, for Excel [default: with -o FILE only].",
)
def export(
    db_path: str,
    fmt: str,
    output: str | None,
    filter_args: dict[str, Any],
    query: str | None,
    export_name: str | None,
    safe_csv: bool,
    bom: bool | None,
) -> None:
    """Write archived items, one record each, ordered by publication date then id."""
    if fmt in FILE_FORMATS and output in (None, "-"):
        what = "folder" if fmt == "datapackage" else "file"
        raise click.UsageError(f"--format {fmt} writes a {what}: give it with -o")
    if export_name is not None and not export_name.strip():
        raise click.UsageError("--since-last-export needs a non-empty NAME")
    to_file = output not in (None, "-")
    with open_archive(db_path, create=False) as archive:
        with archive.snapshot():
            previous = archive.last_export(export_name) if export_name else None
            changed_after = previous["mark"] if previous else None
            filters = build_filters(query=query, changed_after=changed_after, **filter_args)
            mark = archive.change_mark()
            about: dict[str, Any] = {"filters": filters.describe()}
            if export_name:
                about["export"] = {
                    "name": export_name,
                    "after_change": previous["mark"] if previous else None,
                    "up_to_change": mark,
                }
            try:
                count = write_items(
                    archive,
                    filters,
                    fmt,
                    output,
                    safe_csv=safe_csv,
                    bom=fmt == "csv" and (to_file if bom is None else bom),
                    about=about,
                )
            except QueryError as error:
                raise ConfigError(str(error)) from error
            except ExportError as error:
                raise ConfigError(str(error)) from error
        if export_name:
            archive.record_export(
                export_name,
                mark=mark,
                items=count,
                fmt=fmt,
                output=output,
                filters=filters.describe(),
            )
    if to_file:
        since_note = f" (new or changed since {previous['exported_at']})" if previous else ""
        click.echo(f"{count} items written to {output}{since_note}", err=True)
