"""``regarchive search``, ``list``, ``show``, ``stats`` and ``datasette-metadata``.

The filters (``--category``, ``--rubric``, ``--source``, ``--site``, ``--since``, ``--until``)
are shared with ``export`` through :func:`filter_options` and :func:`build_filters`.
"""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import click

from regarchive.archive import charts
from regarchive.archive.queries import MATCH_END, MATCH_START, SORTS, Filters, QueryError
from regarchive.archive.records import LIST_SEPARATOR, csv_line, neutralize
from regarchive.archive.store import Archive
from regarchive.cli.commands.common import (
    DB_OPTION,
    MAX_SQLITE_INTEGER,
    ConfigError,
    item_key,
    open_archive,
)
from regarchive.cli.terminal import printable, printable_json

F = TypeVar("F", bound=Callable[..., Any])

DATE_HELP = "2024-01-01, 2024, 'mars 2024', '1er janvier 2024', 'last month', 'il y a 2 semaines'"

SUMMARY_FIELDS = ("id", "url", "site", "title", "category", "rubrics", "source", "published")
SUMMARY_FIELDS += ("updated",)


def today() -> date:
    """The day relative dates (``last month``) count from; tests replace it."""
    return date.today()


# -- filters ------------------------------------------------------------------------------------


FILTER_ARGS = ("categories", "rubrics", "sources", "sites", "since", "until")


def filter_options(func: F) -> F:
    """The filter options every reading command takes (repeat one for alternatives).

    The command receives their values together as ``filter_args``, ready for
    ``build_filters(**filter_args)``.
    """

    @functools.wraps(func)
    def gather(*args: Any, **kwargs: Any) -> Any:
        kwargs["filter_args"] = {name: kwargs.pop(name) for name in FILTER_ARGS}
        return func(*args, **kwargs)

    options = [
        click.option(
            "--category",
            "categories",
            multiple=True,
            metavar="NAME",
            help="Actu or Circ. (case, accents and the final dot ignored).",
        ),
        click.option(
            "--rubric",
            "rubrics",
            multiple=True,
            metavar="NAME",
            help="A rubric the item is listed under (case and accents ignored).",
        ),
        click.option(
            "--source",
            "sources",
            multiple=True,
            metavar="WORDS",
            help="Words of the source (byline): 'commission' finds Commission Européenne.",
        ),
        click.option(
            "--site",
            "sites",
            multiple=True,
            metavar="HOST",
            help="The site's host, or a domain it belongs to (example.org finds www.example.org).",
        ),
        click.option("--since", metavar="DATE", help=f"Published on or after DATE: {DATE_HELP}."),
        click.option("--until", metavar="DATE", help="Published on or before DATE."),
    ]
    wrapped: Any = gather
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


def build_filters(
    *,
    query: str | None = None,
    categories: Iterable[str] = (),
    rubrics: Iterable[str] = (),
    sources: Iterable[str] = (),
    sites: Iterable[str] = (),
    since: str | None = None,
    until: str | None = None,
    changed_after: int | None = None,
) -> Filters:
    """:class:`Filters` from option values; a bad date or range is a usage error (exit 2)."""
    try:
        return Filters(
            query=query,
            categories=_values(categories),
            rubrics=_values(rubrics),
            sources=_values(sources),
            sites=_values(sites),
            since=parse_date_option("--since", since, end=False),
            until=parse_date_option("--until", until, end=True),
            changed_after=changed_after,
        )
    except QueryError as error:
        raise ConfigError(str(error)) from error


def _values(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(value.strip() for value in values if value.strip())


def parse_date_option(option: str, text: str | None, *, end: bool) -> date | None:
    """The day ``text`` names, or None when not given; exit 2 when it names none.

    A bare year or month covers all of it: ``--since 2024`` is 1 January, ``--until 2024`` is
    31 December, ``--until 'mars 2024'`` is 31 March.
    """
    if text is None:
        return None
    parsed = parse_date(text, end=end, base=today())
    if parsed is None:
        raise ConfigError(f"{option}: cannot read {text!r} as a date; try {DATE_HELP}")
    return parsed


def parse_date(text: str, *, end: bool, base: date) -> date | None:
    """A day from ISO, French or English text, absolute or relative to ``base``."""
    value = text.strip()
    if re.fullmatch(r"\d{4}", value):
        return date(int(value), 12, 31) if end else date(int(value), 1, 1)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        # Never let dateparser "repair" an impossible ISO date such as 2024-13-45.
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    import dateparser  # slow to import: only for the forms above do not cover

    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "last" if end else "first",
        "DATE_ORDER": "DMY",
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(value, languages=["fr", "en"], settings=settings)
    return parsed.date() if parsed is not None else None


# -- output -------------------------------------------------------------------------------------


def output_options(func: F) -> F:
    """``--table`` (default), ``--json`` or ``--csv``, one destination for the three flags."""
    for option in reversed(
        [
            click.option(
                "--table",
                "form",
                flag_value="table",
                default=True,
                help="Aligned columns (default).",
            ),
            click.option("--json", "form", flag_value="json", help="A JSON array."),
            click.option("--csv", "form", flag_value="csv", help="CSV with a header row."),
        ]
    ):
        func = option(func)
    return func


def highlight(snippet: str, *, styled: bool) -> str:
    """Matched words in bold on a terminal, else between brackets."""
    if styled:
        pattern = re.escape(MATCH_START) + "(.*?)" + re.escape(MATCH_END)
        return re.sub(pattern, lambda m: click.style(m.group(1), bold=True, fg="yellow"), snippet)
    return snippet.replace(MATCH_START, "[").replace(MATCH_END, "]")


def _plain(text: str | None) -> str:
    """One line: newlines and tabs in titles or snippets would break the columns."""
    return " ".join((text or "").split())


def _clip(text: str, width: int | None) -> str:
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
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    indent = sum(widths) + 2 * len(widths)
    room = None if width is None else max(width - indent, 10)

    def line(values: tuple[str, ...], title: str) -> str:
        id_, published, category = values
        return (
            f"{id_:>{widths[0]}}  {published:<{widths[1]}}  {category:<{widths[2]}}  {title}"
        ).rstrip()

    lines = [line(header, "title")]
    for row, values in zip(rows, cells, strict=True):
        lines.append(line(values, _clip(printable(_plain(row["title"])), room)))
        if row.get("snippet"):
            snippet = _clip(printable(_plain(row["snippet"]), keep=MATCH_START + MATCH_END), room)
            lines.append(" " * indent + highlight(snippet, styled=styled))
        if row.get("attachment"):
            attachment = printable(f"(in attachment {row['attachment']})")
            lines.append(" " * indent + _clip(attachment, room))
    return lines


def _json_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows for JSON and CSV: the snippet on one line, matched words between brackets."""
    return [
        {**row, "snippet": highlight(_plain(row["snippet"]), styled=False)}
        if "snippet" in row
        else row
        for row in rows
    ]


def write_summaries_csv(rows: list[dict[str, Any]], out: Any) -> None:
    """Search results as CSV: rubrics ``;``-joined, formula-like cells neutralised."""
    fields = SUMMARY_FIELDS + (("snippet", "attachment") if rows and "snippet" in rows[0] else ())
    out.write(csv_line(list(fields)))
    for row in _json_rows(rows):
        cells = []
        for name in fields:
            value = row.get(name)
            if isinstance(value, list):
                value = LIST_SEPARATOR.join(value)
            cells.append(neutralize("" if value is None else str(value)))
        out.write(csv_line(cells))


def terminal_width() -> int | None:
    """The terminal's width when standard output is one, else None (lines are not clipped)."""
    if not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def echo_summaries(rows: list[dict[str, Any]], total: int, form: str) -> None:
    if form == "json":
        click.echo(printable_json(json.dumps(_json_rows(rows), ensure_ascii=False, indent=2)))
        return
    if form == "csv":
        if sys.stdout.isatty():
            out = io.StringIO()
            write_summaries_csv(rows, out)
            click.echo(printable(out.getvalue(), keep="\n"), nl=False)
            return
        write_summaries_csv(rows, sys.stdout)
        sys.stdout.flush()
        return
    if not rows:
        click.echo("No item matches.")
        return
    width = terminal_width()
    for line in summary_table(rows, width=width, styled=width is not None):
        click.echo(line)
    shown = f"{len(rows)} of {total} items" if len(rows) < total else _items(total)
    more = " (--limit 0 shows them all)" if len(rows) < total else ""
    click.echo(f"\n{shown}{more}")


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def run_listing(db_path: str, filters: Filters, *, sort: str, limit: int, form: str) -> None:
    with open_archive(db_path, create=False) as archive:
        try:
            rows = archive.find_items(filters, sort=sort, limit=limit or None)  # type: ignore[arg-type]
            total = archive.count_items(filters) if form == "table" else len(rows)
        except QueryError as error:
            raise ConfigError(str(error)) from error
    echo_summaries(rows, total, form)


LIMIT_OPTION = click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(min=0, max=MAX_SQLITE_INTEGER),
    help="How many items to show; 0 for all.",
)


# -- search and list ----------------------------------------------------------------------------


@click.command()
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
@output_options
def search(
    query: str,
    db_path: str,
    filter_args: dict[str, Any],
    limit: int,
    sort: str,
    form: str,
) -> None:
    """Full-text search of titles and texts, accents and case ignored.

    Every word must appear, in the item or in one of the documents it links (an
    attachment: the result then says which). QUERY also takes "an exact phrase", prefix*, OR,
    NOT, -word, parentheses and title:word. Matched words are shown [between brackets].
    """
    filters = build_filters(query=query, **filter_args)
    run_listing(db_path, filters, sort=sort, limit=limit, form=form)


@click.command(name="list")
@DB_OPTION
@filter_options
@LIMIT_OPTION
@output_options
def list_items(
    db_path: str,
    filter_args: dict[str, Any],
    limit: int,
    form: str,
) -> None:
    """List items, newest first (undated last)."""
    filters = build_filters(**filter_args)
    run_listing(db_path, filters, sort="date", limit=limit, form=form)


# -- show ---------------------------------------------------------------------------------------


def find_record(archive: Archive, item: str) -> dict[str, Any] | None:
    """The record of item ``item``: an id, or any URL it was seen at (as typed or normalised)."""
    key = item_key(item)
    if isinstance(key, int):
        return archive.record(key)
    record = archive.record(item)
    if record is None and item.startswith(("http://", "https://")):
        from regarchive.pipelines.extraction.urls import normalize_url

        record = archive.record(normalize_url(item))
    return record


def _size(size: int) -> str:
    if size < 1000:
        return f"{size} bytes"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


def attachment_lines(attachments: list[dict[str, Any]], item_id: int) -> list[str]:
    """``show``'s list of the documents an item links: label and URL, then what is stored."""
    lines = ["", "Attachments"]
    for entry in attachments:
        label = _plain(entry["label"]) or "(no label)"
        lines.append(f"  {label}  <{entry['url']}>")
        if entry["sha256"] is None:
            lines.append(f"    not fetched{': ' + entry['error'] if entry['error'] else ''}")
            continue
        pages = entry["pages"]
        facts = [
            entry["media_type"],
            *([f"{pages} page{'s' if pages != 1 else ''}"] if pages is not None else []),
            _size(entry["size"]),
            f"{entry['text_length']} characters of text",
            f"sha256 {entry['sha256'][:16]}",
        ]
        lines.append("    " + ", ".join(facts))
        if entry["title"]:
            lines.append(f"    title: {_plain(entry['title'])}")
        if entry["versions"]:
            lines.append(
                f"    {entry['versions']} earlier content(s) (regarchive history {item_id})"
            )
        for warning in ([f"last fetch failed: {entry['error']}"] if entry["error"] else []) + (
            entry["warnings"]
        ):
            lines.append(f"    warning: {warning}")
    return lines


def record_lines(
    record: Mapping[str, Any],
    related: list[dict[str, Any]],
    versions: int,
    attachments: list[dict[str, Any]] | None = None,
) -> list[str]:
    """``show``'s text: the title, a block of fields, other URLs, related items, attachments,
    the text."""
    title = _plain(record["title"]) or "(no title)"
    fields = [
        ("id", record["id"]),
        ("url", record["url"]),
        ("site", record["site"]),
        ("category", record["category"]),
        ("rubrics", "; ".join(record["rubrics"])),
        ("source", record["source"]),
        ("published", record["published"]),
        ("updated", record["updated"]),
        ("lang", record["lang"]),
        ("first seen", record["first_seen"]),
        ("last seen", record["last_seen"]),
        (
            "versions",
            f"{versions} earlier (regarchive history {record['id']})" if versions else "none",
        ),
        ("warnings", "; ".join(record["warnings"])),
    ]
    lines = [title, "=" * min(len(title), 80)]
    lines += [f"{name:<11} {'-' if value in (None, '') else value}" for name, value in fields]
    others = [url for url in record["urls"] if url != record["url"]]
    if others:
        lines += ["", "Also at"] + [f"  {url}" for url in others]
    if related:
        lines += ["", "Related (Dans la même rubrique)"]
        ids = [f"#{entry['item_id']}" if entry["item_id"] else "-" for entry in related]
        id_width = max(len(i) for i in ids)
        for entry, shown_id in zip(related, ids, strict=True):
            label = _plain(entry["title"] or entry["label"]) or entry["url"]
            category = entry["category"] or "-"
            lines.append(f"  {shown_id:<{id_width}}  {category:<5}  {label}  <{entry['url']}>")
    if attachments:
        lines += attachment_lines(attachments, record["id"])
    paragraphs = [p for p in (record["text"] or "").split("\n") if p.strip()]
    lines += ["", "Text", ""]
    lines += "\n\n".join(paragraphs).split("\n") if paragraphs else ["(no text)"]
    return lines


@click.command()
@click.argument("item")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="The item's export record as JSON.")
def show(item: str, db_path: str, as_json: bool) -> None:
    """Show one item (by id or any of its URLs): metadata, URLs, rubrics, related items,
    attachments, text."""
    with open_archive(db_path, create=False) as archive:
        record = find_record(archive, item)
        if record is None:
            raise ConfigError(f"no item {item!r} in {db_path}; find one with regarchive search")
        related = archive.related_items(record["id"])
        versions = len(archive.versions(record["id"]))
        attachments = archive.attachment_store.of_item(record["id"])
    if as_json:
        click.echo(printable_json(json.dumps(record, ensure_ascii=False, indent=2)))
        return
    for line in record_lines(record, related, versions, attachments):
        click.echo(printable(line, keep="	"))


# -- stats --------------------------------------------------------------------------------------


def counts_lines(title: str, counts: Mapping[Any, int], *, top: int, empty: str) -> list[str]:
    """A titled, aligned ``name  count`` list, the first ``top`` (0: all) and a remainder."""
    entries = [(empty if key in (None, "") else str(key), n) for key, n in counts.items()]
    shown = entries if top == 0 else entries[:top]
    rest = entries[len(shown) :]
    heading = title if not rest else f"{title} (top {len(shown)} of {len(entries)})"
    if not entries:
        return [heading, "  -"]
    width = max(len(name) for name, _ in shown)
    number = max(len(str(n)) for _, n in shown)
    lines = [heading] + [f"  {name:<{width}}  {n:>{number}}" for name, n in shown]
    if rest:
        others = sum(n for _, n in rest)
        lines.append(f"  … {len(rest)} more, {_items(others)}")
    return lines


def stats_lines(db_path: str, counts: Mapping[str, Any], *, top: int) -> list[str]:
    span = (
        f", published {counts['published_from']} to {counts['published_to']}"
        if counts["published_from"]
        else ""
    )
    lines = [f"{db_path}: {_items(counts['items'])}{span}"]
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
    lines += ["", "Per month" + (f" ({_items(undated)} undated)" if undated else "")]
    lines += [f"  {line}" for line in grid] if grid else ["  -"]
    return lines


def _stats_json(counts: Mapping[str, Any]) -> dict[str, Any]:
    """JSON keys must be strings: the None key (no value) becomes null-safe ``""``."""
    return {
        key: {("" if k is None else k): n for k, n in value.items()}
        if isinstance(value, dict)
        else value
        for key, value in counts.items()
    }


@click.command()
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
    help="Also write a chart of items per month to FILE (.svg or .png).",
)
@click.option("--json", "as_json", is_flag=True, help="The counts as JSON.")
def stats(
    db_path: str,
    filter_args: dict[str, Any],
    query: str | None,
    top: int,
    chart_path: str | None,
    as_json: bool,
) -> None:
    """Count items per category, rubric, source, site and month, with a chart per month."""
    filters = build_filters(query=query, **filter_args)
    with open_archive(db_path, create=False) as archive:
        try:
            counts = archive.facets(filters)
        except QueryError as error:
            raise ConfigError(str(error)) from error
    if chart_path is not None:
        series = charts.month_series(counts["by_month"])
        title = f"Items per month: {Path(db_path).name}"
        try:
            charts.write_chart(series, chart_path, title=title)
        except charts.ChartError as error:
            raise ConfigError(str(error)) from error
    if as_json:
        click.echo(printable_json(json.dumps(_stats_json(counts), ensure_ascii=False, indent=2)))
    else:
        for line in stats_lines(db_path, counts, top=top):
            click.echo(printable(line))
    if chart_path is not None:
        click.echo(f"chart written to {chart_path}", err=True)


# -- Datasette ----------------------------------------------------------------------------------

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


@click.command(name="datasette-metadata")
@DB_OPTION
def datasette_metadata_command(db_path: str) -> None:
    """Print Datasette metadata for the archive: datasette ARCHIVE -m metadata.json."""
    click.echo(json.dumps(datasette_metadata(db_path), ensure_ascii=False, indent=2))
