"""``regarchive datasette-metadata``: the Datasette metadata shipped with regarchive."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import click

from regarchive.cli.commands.common import DB_OPTION
from regarchive.cli.commands.output import Output, format_options, write_lines

METADATA_RESOURCE = "datasette-metadata.json"
METADATA_DATABASE = "archive"


def datasette_metadata(db_path: str) -> dict[str, Any]:
    """The shipped Datasette metadata, for the database Datasette names after ``db_path``."""
    text = (
        resources.files("regarchive.archive")
        .joinpath(METADATA_RESOURCE)
        .read_text(encoding="utf-8")
    )
    metadata = json.loads(text)
    databases = metadata.get("databases", {})
    if METADATA_DATABASE in databases:
        databases[Path(db_path).stem] = databases.pop(METADATA_DATABASE)
    return metadata


@click.command(name="datasette-metadata", short_help="Print Datasette metadata for the archive.")
@DB_OPTION
@format_options(("json",), default="json", what="metadata")
def datasette_metadata_command(db_path: str, output: Output) -> None:
    """Print Datasette metadata for the archive: datasette ARCHIVE -m metadata.json."""
    text = json.dumps(datasette_metadata(db_path), ensure_ascii=False, indent=2)
    write_lines(output, [text], db_path)
    if output.to_file:
        click.echo(
            f"Datasette metadata written to {output.path}: datasette {db_path} -m {output.path}",
            err=True,
        )
