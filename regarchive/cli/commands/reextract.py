"""``regarchive reextract``: today's extractor over the pages the archive kept, no request."""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterator
from contextlib import nullcontext
from typing import Any

import click

from regarchive.archive.errors import ArchiveError
from regarchive.cli.commands.common import DB_OPTION, open_archive
from regarchive.cli.commands.crawl import hold_lock
from regarchive.cli.commands.filters import build_filters, filter_options

# A changed text is shown as this many lines of diff at most, each cut to this width.
DIFF_LINES = 8
DIFF_WIDTH = 100


@click.command(short_help="Re-extract archived pages, no network.")
@filter_options
@DB_OPTION
@click.option(
    "--dry-run",
    is_flag=True,
    help="Show what would change (a sample of the differences) without writing anything.",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Also re-extract the items the current extractor already made.",
)
@click.option(
    "--sample",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many changed items --dry-run shows.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Extraction processes (default: one per core; 0 extracts in this process).",
)
def reextract(
    filter_args: dict[str, Any],
    db_path: str,
    dry_run: bool,
    everything: bool,
    sample: int,
    workers: int | None,
) -> None:
    """Re-run today's extractor over the pages the archive kept, without any request.

    Items made by an older extractor version (every item with --all), among those the filters
    keep, are extracted again from the raw HTML stored with them (or their WARC record). An
    item whose fields change keeps its earlier state as a version and counts as changed for
    --since-last-export. Safe to interrupt: a rerun finishes the rest.
    """
    from regarchive.pipelines.reextraction import reextract as run

    filters = build_filters(**filter_args)
    archive = open_archive(db_path, create=False)
    # A dry run writes nothing: it may run beside a crawl.
    lock = nullcontext() if dry_run else hold_lock(db_path)
    try:
        with lock, archive:
            progress = _progress if sys.stderr.isatty() else None
            report = run(
                archive,
                filters=filters,
                everything=everything,
                dry_run=dry_run,
                workers=workers,
                sample=sample if dry_run else 0,
                progress=progress,
            )
    except ArchiveError as error:
        click.echo(f"regarchive: {error}; what was re-extracted before is saved", err=True)
        sys.exit(1)
    if progress is not None:
        click.echo("\r\033[K", nl=False, err=True)
    for line in summary_lines(report):
        click.echo(line)
    for item_id, url, error in report.failures[:5]:
        click.echo(
            f"regarchive: item {item_id} ({url}) could not be re-extracted: {error}", err=True
        )
    if dry_run:
        for change in report.samples:
            for line in change_lines(change):
                click.echo(line)


def _progress(report: Any) -> None:
    click.echo(
        f"\r\033[Kre-extracting: {report.done:,} of {report.due:,} items, "
        f"{report.changed:,} changed ({report.rate:.0f} items/s)",
        nl=False,
        err=True,
    )


def summary_lines(report: Any) -> list[str]:
    """The per-field summary: one line for what was done, one for what changed."""
    verb = "Would re-extract" if report.dry_run else "Re-extracted"
    changed = "would change" if report.dry_run else "changed"
    speed = f"{report.rate:.0f} items/s"
    if report.workers and report.done > report.first_chunk:
        speed += (
            f", {report.steady_rate:.0f} once its {report.workers} workers had started "
            f"({report.warm_up:.1f} s)"
        )
    lines = [
        f"{verb} {report.done:,} item{'s' if report.done != 1 else ''} with extractor version "
        f"{report.version} in {report.seconds:.1f} s ({speed}): "
        f"{report.changed:,} {changed}, {report.unchanged:,} unchanged"
        + (f", {len(report.failures):,} failed" if report.failures else "")
        + "."
    ]
    from regarchive.pipelines.reextraction import SUMMARY_ORDER

    counts = ", ".join(f"{report.fields.get(name, 0):,} {name}" for name in SUMMARY_ORDER)
    lines.append(f"Items with changed {counts}.")
    if report.not_articles:
        lines.append(
            f"{report.not_articles:,} page(s) no longer read as articles: their items are "
            "left as they were."
        )
    if report.without_page:
        lines.append(
            f"{report.without_page:,} item(s) kept no page to re-extract from (left as they were)."
        )
    if report.dry_run:
        lines.append("Dry run: nothing was written.")
    return lines


def change_lines(change: Any) -> Iterator[str]:
    """One changed item, field by field (a text as a short diff)."""
    yield f"\n#{change.item_id} {change.url}"
    for name, (old, new) in change.fields.items():
        if name == "text":
            yield from _text_diff(old or "", new or "")
        else:
            yield f"  {name}: {old!r} → {new!r}"
    if change.rubrics_added:
        yield f"  rubrics added: {', '.join(change.rubrics_added)}"
    if change.related_changed:
        yield f"  related links added or changed: {change.related_changed}"


def _text_diff(old: str, new: str) -> Iterator[str]:
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=0))[
        2:
    ]  # no file header lines
    lines = [line for line in lines if not line.startswith("@@")]
    yield f"  text: {len(old):,} → {len(new):,} characters"
    for line in lines[:DIFF_LINES]:
        yield "    " + (line if len(line) <= DIFF_WIDTH else line[: DIFF_WIDTH - 1] + "…")
    if len(lines) > DIFF_LINES:
        yield f"    … {len(lines) - DIFF_LINES} more changed lines"
