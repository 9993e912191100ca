"""``regarchive stats``: counts per category, rubric, source, site and month, and a chart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from regarchive.archive import charts
from regarchive.archive.queries import Filters, QueryError
from regarchive.archive.store import Archive
from regarchive.cli.commands.common import DB_OPTION, ConfigError, open_archive
from regarchive.cli.commands.filters import build_filters, filter_options, warn_unmatched
from regarchive.cli.commands.output import Output, columns, counted, format_options, write_lines


def counts_lines(title: str, counts: Mapping[Any, int], *, top: int, empty: str) -> list[str]:
    """A titled, aligned ``name  count`` list, the first ``top`` (0: all) and a remainder."""
    entries = [(empty if key in (None, "") else str(key), n) for key, n in counts.items()]
    shown = entries if top == 0 else entries[:top]
    rest = entries[len(shown) :]
    heading = title if not rest else f"{title} (top {len(shown)} of {len(entries)})"
    if not entries:
        return [heading, "  -"]
    # The header row only sets the widths: a two-column list reads without one.
    lines = [heading] + [f"  {line}" for line in columns(("", ""), shown, align="lr")[1:]]
    if rest:
        others = sum(n for _, n in rest)
        lines.append(f"  … {len(rest)} more, {counted(others, 'item')}")
    return lines


def stats_lines(db_path: str, counts: Mapping[str, Any], *, top: int) -> list[str]:
    span = (
        f", published {counts['published_from']} to {counts['published_to']}"
        if counts["published_from"]
        else ""
    )
    lines = [f"{db_path}: {counted(counts['items'], 'item')}{span}"]
    sections = [
        ("Per category", counts["by_category"], "(none)"),
        ("Per rubric", counts["by_rubric"], "(none)"),
        ("Per source", counts["by_source"], "(unknown)"),
        ("Per site", counts["by_site"], "(none)"),
    ]
    for title, values, empty in sections:
        lines += ["", *counts_lines(title, values, top=top, empty=empty)]
    grid = charts.year_grid(charts.month_series(counts["by_month"]))
    undated = counts["by_month"].get(None, 0)
    lines += ["", "Per month" + (f" ({counted(undated, 'item')} undated)" if undated else "")]
    lines += [f"  {line}" for line in grid] if grid else ["  -"]
    return lines


def stats_json(counts: Mapping[str, Any]) -> dict[str, Any]:
    """JSON keys must be strings: the None key (no value) becomes ``""``."""
    return {
        key: {("" if k is None else k): n for k, n in value.items()}
        if isinstance(value, dict)
        else value
        for key, value in counts.items()
    }


_FILTER_WORDS = {
    "categories": "category",
    "rubrics": "rubric",
    "sources": "source",
    "sites": "site",
    "query": "matching",
}


def describe_filters(filters: Filters) -> str:
    """The filters in words, for a chart's subtitle: ``rubric Régions; since 2024-01-01``."""
    described = filters.describe()
    if not described:
        return "all items"
    parts = []
    for name, value in described.items():
        shown = " or ".join(value) if isinstance(value, list) else value
        parts.append(f"{_FILTER_WORDS.get(name, name)} {shown}")
    return "; ".join(parts)


def chart_of(archive: Archive, filters: Filters, counts: Mapping[str, Any], db_path: str) -> Any:
    """Items per month (or year) for each category present under ``filters``, as a chart."""
    return charts.build_chart(
        charts.months_by_category(archive.facets, filters, counts),
        name=Path(db_path).name,
        subtitle=describe_filters(filters),
    )


@click.command(short_help="Count items per category, rubric, year…")
@DB_OPTION
@filter_options
@click.option("--query", "query", default=None, metavar="QUERY", help="Only items matching QUERY.")
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="Rows per list (rubrics, sources…); 0 for all.",
)
@click.option(
    "--chart",
    "chart_path",
    default=None,
    type=click.Path(dir_okay=False, writable=True),
    help="Also draw items per month (per year when months are sparse), stacked by category, "
    "into FILE: .svg, or .png with pip install 'regarchive[charts]'.",
)
@format_options(("text", "json"), default="text", aliases=("json",), what="counts")
def stats(
    db_path: str,
    filter_args: dict[str, Any],
    query: str | None,
    top: int,
    chart_path: str | None,
    output: Output,
) -> None:
    """Count items per category, rubric, source, site and month, with a chart per month."""
    filters = build_filters(query=query, **filter_args)
    with open_archive(db_path, create=False) as archive:
        try:
            counts = archive.facets(filters)
            chart = chart_of(archive, filters, counts, db_path) if chart_path else None
        except QueryError as error:
            raise ConfigError(str(error)) from error
        warn_unmatched(archive, filters, db_path)
    if chart_path is not None:
        try:
            charts.write_chart(chart, chart_path)
        except charts.ChartError as error:
            raise ConfigError(str(error)) from error
    if output.format == "json":
        write_lines(output, [json.dumps(stats_json(counts), ensure_ascii=False, indent=2)], db_path)
    else:
        write_lines(output, stats_lines(db_path, counts, top=top), db_path)
    if chart_path is not None:
        click.echo(f"chart written to {chart_path}", err=True)
