"""``regarchive extract``: what the extractor makes of one saved page, without a database."""

from __future__ import annotations

import json
from pathlib import Path

import click

from regarchive.cli.commands.common import check_http_url


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="The URL the page was fetched from.")
@click.option(
    "--content-type",
    default=None,
    help="The HTTP Content-Type header, when the charset is only given there.",
)
def extract(file: Path, url: str, content_type: str | None) -> None:
    """Print, as JSON, the record the extractor makes of one saved page."""
    from regarchive.pipelines.extraction.core import extract_record

    check_http_url(url)
    record = extract_record(file.read_bytes(), url, content_type=content_type)
    record.pop("content_hash", None)
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))
