"""Item summaries, as ``search`` and ``list`` print them: a table, JSON or CSV.

A summary is an item's id, URL, site, title, category, rubrics, source and dates, plus the
matched passage (``snippet``) for a search.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, TextIO

import click

from regarchive.archive.queries import MATCH_END, MATCH_START, Filters, QueryError
from regarchive.archive.records import LIST_SEPARATOR, csv_line, neutralize
from regarchive.cli.commands.common import MAX_SQLITE_INTEGER, ConfigError, open_archive
from regarchive.cli.commands.filters import warn_unmatched
from regarchive.cli.commands.output import Output, columns, counted, destination
from regarchive.cli.terminal import printable, printable_json

FORMATS = ("table", "json", "csv")
FORMAT_ALIASES = FORMATS

SUMMARY_FIELDS = ("id", "url", "site", "title", "category", "rubrics", "source", "published")
SUMMARY_FIELDS += ("updated",)

LIMIT_OPTION = click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=0, max=MAX_SQLITE_INTEGER),
    help="How many items to show; 0 for all.",
)


def highlight(snippet: str, *, styled: bool) -> str:
    """Matched words in bold on a terminal, else between brackets."""
    if styled:
        pattern = re.escape(MATCH_START) + "(.*?)" + re.escape(MATCH_END)
        return re.sub(pattern, lambda m: click.style(m.group(1), bold=True, fg="yellow"), snippet)
    return snippet.replace(MATCH_START, "[").replace(MATCH_END, "]")


def plain(text: str | None) -> str:
    """One line: newlines and tabs in titles or snippets would break the columns."""
    return " ".join((text or "").split())


def clip(text: str, width: int | None) -> str:
    """``text`` cut to ``width`` visible characters (match markers do not count, and a match
    cut in the middle is still closed)."""
    markers = (MATCH_START, MATCH_END)
    if width is None or sum(char not in markers for char in text) <= width:
        return text
    kept, visible = [], 0
    for char in text:
        if char not in markers:
            if visible == width - 1:
                break
            visible += 1
        kept.append(char)
    clipped = "".join(kept)
    if clipped.count(MATCH_START) > clipped.count(MATCH_END):
        clipped += MATCH_END
    return clipped + "…"


def summary_table(
    rows: list[dict[str, Any]], *, width: int | None, styled: bool = False
) -> list[str]:
    """``id  published  category  title`` columns, each snippet on the line below its title.

    ``width`` (a terminal's) clips titles and snippets to fit; None leaves lines whole.
    """
    header = ("id", "published", "category")
    cells = [(str(row["id"]), row["published"] or "", row["category"] or "") for row in rows]
    # Where the title column starts: the widest cell of each column, two spaces after each.
    indent = sum(max(len(c[i]) for c in [header, *cells]) + 2 for i in range(len(header)))
    room = None if width is None else max(width - indent, 10)
    table = []
    for row, values in zip(rows, cells, strict=True):
        table.append((*values, clip(printable(plain(row["title"])), room)))
        if row.get("snippet"):
            snippet = printable(plain(row["snippet"]), keep=MATCH_START + MATCH_END)
            table.append(("", "", "", highlight(clip(snippet, room), styled=styled)))
        if row.get("attachment"):
            attachment = printable(f"(in attachment {row['attachment']})")
            table.append(("", "", "", clip(attachment, room)))
    return columns((*header, "title"), table, align="rlll")


def json_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for JSON and CSV: the snippet on one line, matched words between brackets."""
    return [
        {**row, "snippet": highlight(plain(row["snippet"]), styled=False)}
        if "snippet" in row
        else row
        for row in rows
    ]


def write_summaries_csv(rows: list[dict[str, Any]], out: TextIO) -> None:
    """Summaries as CSV: rubrics ``;``-joined, formula-like cells neutralised."""
    fields = SUMMARY_FIELDS + (("snippet", "attachment") if rows and "snippet" in rows[0] else ())
    out.write(csv_line(list(fields)))
    for row in json_rows(rows):
        cells = []
        for name in fields:
            value = row.get(name)
            if isinstance(value, list):
                value = LIST_SEPARATOR.join(value)
            cells.append(neutralize("" if value is None else str(value)))
        out.write(csv_line(cells))


def write_summaries(rows: list[dict[str, Any]], total: int, output: Output, db_path: str) -> None:
    with destination(output, db_path) as out:
        if output.format == "json":
            text = json.dumps(json_rows(rows), ensure_ascii=False, indent=2)
            out.write(printable_json(text) + "\n")
        elif output.format == "csv" and output.styled:
            # On a terminal the cells are shown, not obeyed; a file or a pipe gets the data.
            buffer = io.StringIO()
            write_summaries_csv(rows, buffer)
            out.write(printable(buffer.getvalue(), keep="\n"))
        elif output.format == "csv":
            write_summaries_csv(rows, out)
        elif not rows:
            out.write("No item matches.\n")
        else:
            for line in summary_table(rows, width=output.width, styled=output.styled):
                out.write(line + "\n")
            shown = f"{len(rows)} of {total} items" if len(rows) < total else counted(total, "item")
            more = " (--limit 0 shows them all)" if len(rows) < total else ""
            out.write(f"\n{shown}{more}\n")
    if output.to_file:
        click.echo(f"{counted(len(rows), 'item')} written to {output.path}", err=True)


def run_listing(db_path: str, filters: Filters, *, sort: str, limit: int, output: Output) -> None:
    """Find the items ``filters`` select and write their summaries; name the filter values
    that match nothing (on stderr: a typo in one of two rubrics would go unnoticed otherwise)."""
    with open_archive(db_path, create=False) as archive:
        try:
            rows = archive.find_items(filters, sort=sort, limit=limit or None)  # type: ignore[arg-type]
            total = archive.count_items(filters) if output.format == "table" else len(rows)
        except QueryError as error:
            raise ConfigError(str(error)) from error
        warn_unmatched(archive, filters, db_path)
    write_summaries(rows, total, output, db_path)
