"""``regarchive export``: items as JSONL, CSV, JSON, Parquet or a Data Package.

The same filters as ``search`` and ``list`` select the items; ``--since-last-export NAME``
keeps only those new or changed since the previous export of that name, which the archive
remembers once the export is written.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import click

from regarchive.archive.datapackage import write_datapackage
from regarchive.archive.export import (
    FILE_FORMATS,
    FORMATS,
    ExportError,
    write_export,
    write_parquet,
)
from regarchive.archive.outputs import (
    OutputError,
    atomic_file,
    check_not_archive,
    is_special,
    temporary_path,
    write_failed,
)
from regarchive.archive.queries import Filters, QueryError
from regarchive.archive.store import Archive
from regarchive.cli.commands.common import DB_OPTION, ConfigError, open_archive
from regarchive.cli.commands.filters import build_filters, filter_options, warn_unmatched
from regarchive.cli.commands.output import Output, counted, format_options

# Excel reads a CSV file as UTF-8 only when it starts with this byte-order mark.
UTF8_BOM = "\ufeff"


@contextmanager
def output_stream(path: str | None, *, bom: bool = False) -> Iterator[TextIO]:
    """The export's destination: standard output, or a file written whole or not at all."""
    if path is None or path == "-":
        if bom:
            sys.stdout.write(UTF8_BOM)
        yield sys.stdout
        return
    with atomic_file(path) as handle:
        if bom:
            handle.write(UTF8_BOM)
        yield handle


@contextmanager
def output_path(path: str) -> Iterator[Path | BinaryIO]:
    """Where to write a binary file: a path moved to ``path`` only once complete, or, when
    ``path`` is a pipe or a device, ``path`` opened for writing (a writer that seeks, as
    pyarrow does when it opens a path, fails on a pipe)."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise OutputError(f"{path} is a folder; give a file path")
    if is_special(target):
        with atomic_file(target, binary=True) as handle:
            yield handle
        return
    with temporary_path(target) as partial:
        yield partial


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
    attachment_text: bool = False,
) -> int:
    """Write the items matching ``filters`` and return how many were written."""
    records = archive.iter_export(filters, attachment_text=attachment_text)
    if fmt == "datapackage":
        assert output is not None
        coverage = write_datapackage(
            records, output, version=regarchive_version(), safe_csv=safe_csv, about=about
        )
        return coverage.items
    if fmt == "parquet":
        assert output is not None
        with output_path(output) as partial:
            return write_parquet(records, partial, attachment_text=attachment_text)
    with output_stream(output, bom=bom) as out:
        return write_export(records, fmt, out, safe_csv=safe_csv)  # type: ignore[arg-type]


class OutputFailed(click.ClickException):
    """An export that could not be written: one line, exit code 2 (a bad path) or 1."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush raises nothing more."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


@click.command(short_help="Write items as JSONL, CSV, JSON, Parquet…")
@DB_OPTION
@format_options(
    FORMATS,
    default="jsonl",
    aliases=("jsonl", "json", "csv"),
    what="records (a folder for datapackage)",
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
@click.option(
    "--with-attachment-text",
    "attachment_text",
    is_flag=True,
    help="Add the text read from each attached document to its entry in attachments.",
)
def export(
    db_path: str,
    output: Output,
    filter_args: dict[str, Any],
    query: str | None,
    export_name: str | None,
    safe_csv: bool,
    bom: bool | None,
    attachment_text: bool,
) -> None:
    """Write archived items, one record each, ordered by publication date then id.

    Formats: jsonl, json, csv, parquet (a file; needs pip install 'regarchive[parquet]') and
    datapackage (a folder with items.csv and datapackage.json).
    """
    fmt, path = output.format, output.path
    if fmt in FILE_FORMATS and path in (None, "-"):
        what = "folder" if fmt == "datapackage" else "file"
        raise click.UsageError(f"--format {fmt} writes a {what}: give it with -o")
    if export_name is not None and not export_name.strip():
        raise click.UsageError("--since-last-export needs a non-empty NAME")
    to_file = path not in (None, "-")
    if to_file:
        try:
            check_not_archive(path, db_path)
        except OutputError as error:
            raise ConfigError(str(error)) from error
    with open_archive(db_path, create=False) as archive:
        if export_name and archive.read_only:
            raise ConfigError(
                f"--since-last-export records the export in the archive, and this user cannot "
                f"write {db_path}; run it as the archive's owner, or export without it"
            )
        with archive.snapshot():
            previous = archive.last_export(export_name) if export_name else None
            changed_after = previous["mark"] if previous else None
            filters = build_filters(query=query, changed_after=changed_after, **filter_args)
            warn_unmatched(archive, filters, db_path)
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
                    path,
                    safe_csv=safe_csv,
                    bom=fmt == "csv" and (to_file if bom is None else bom),
                    about=about,
                    attachment_text=attachment_text,
                )
            except (QueryError, ExportError) as error:
                raise ConfigError(str(error)) from error
            except OutputError as error:
                raise OutputFailed(str(error), error.exit_code) from error
            except BrokenPipeError:
                # The reader went away (``| head``): nothing to say, nothing was recorded.
                _silence_stdout()
                raise SystemExit(1) from None
            except OSError as error:
                raise OutputFailed(
                    str(write_failed(path or "standard output", error)), 1
                ) from error
        if export_name:
            archive.record_export(
                export_name,
                mark=mark,
                items=count,
                fmt=fmt,
                output=path,
                filters=filters.describe(),
            )
    if to_file:
        since_note = f" (new or changed since {previous['exported_at']})" if previous else ""
        click.echo(f"{counted(count, 'item')} written to {path}{since_note}", err=True)
