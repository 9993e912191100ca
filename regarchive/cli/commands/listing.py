"""``regarchive list``: the items the filters select, newest first."""

from __future__ import annotations

from typing import Any

import click

from regarchive.cli.commands.common import DB_OPTION
from regarchive.cli.commands.filters import build_filters, filter_options
from regarchive.cli.commands.output import Output, format_options
from regarchive.cli.commands.summaries import (
    FORMAT_ALIASES,
    FORMATS,
    LIMIT_OPTION,
    run_listing,
)


@click.command(name="list", short_help="List items, newest first.")
@DB_OPTION
@filter_options
@LIMIT_OPTION
@format_options(FORMATS, default="table", aliases=FORMAT_ALIASES, what="list")
def list_items(db_path: str, filter_args: dict[str, Any], limit: int, output: Output) -> None:
    """List items, newest first (undated last)."""
    filters = build_filters(**filter_args)
    run_listing(db_path, filters, sort="date", limit=limit, output=output)
