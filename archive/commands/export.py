"""``regarchive export``: every item as JSONL, CSV or JSON, to a file or standard output."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click

from archive.commands.common import DB_OPTION, ConfigError, open_archive
from archive.export import FORMATS, write_export


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


@click.command()
@DB_OPTION
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
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
