"""``regarchive search QUERY``: full-text search of titles and texts, with the filters."""

from __future__ import annotations

from typing import Any

import click

from regarchive.archive.queries import SORTS
from regarchive.cli.commands.common import DB_OPTION
from regarchive.cli.commands.filters import build_filters, filter_options
from regarchive.cli.commands.output import Output, format_options
from regarchive.cli.commands.summaries import (
    FORMAT_ALIASES,
    FORMATS,
    LIMIT_OPTION,
    run_listing,
)


@click.command(short_help="Full-text search, accents ignored.")
@click.argument("query")
@DB_OPTION
@filter_options
@LIMIT_OPTION
@click.option(
    "--sort",
    type=click.Choice(SORTS),
    default="relevance",
    show_default=True,
    help="Best matches first, or newest first.",
)
@format_options(FORMATS, default="table", aliases=FORMAT_ALIASES, what="results")
def search(
    query: str,
    db_path: str,
    filter_args: dict[str, Any],
    limit: int,
    sort: str,
    output: Output,
) -> None:
    """Full-text search of titles and texts, accents and case ignored.

    Every word must appear, in the item or in one of the documents it links (an
    attachment: the result then says which). QUERY also takes "an exact phrase", prefix*, OR,
    NOT, -word, parentheses and title:word. Matched words are shown [between brackets].
    """
    filters = build_filters(query=query, **filter_args)
    run_listing(db_path, filters, sort=sort, limit=limit, output=output)
