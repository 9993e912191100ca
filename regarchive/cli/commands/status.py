"""``regarchive status``: the last runs and the rubrics, and a warning when something is off.

Exits 1 when there is a warning (last run unhealthy or interrupted, or older than ``--max-age``)
so that a monitoring job can run it as it is.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import click

from regarchive.cli.commands.common import DB_OPTION, MAX_SQLITE_INTEGER, open_archive
from regarchive.cli.terminal import printable

# A century: older than that, no archive is being kept up, and timedelta would overflow.
MAX_AGE_HOURS = 100 * 365 * 24

RUN_COLUMNS = (
    "#",
    "started (UTC)",
    "took",
    "requests",
    "200",
    "304",
    "errors",
    "new",
    "updated",
    "result",
)


def _a_number(hours: float) -> float:
    """``nan`` is no age (click's range lets it through: it compares false to everything)."""
    if math.isnan(hours):
        raise click.BadParameter("nan is not a number of hours")
    return hours


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def run_verdict(run: dict[str, Any]) -> str | None:
    """Why a recorded run was not healthy, or None; judged from its stored stats."""
    from regarchive.scraper.health import CrawlOutcome

    if not run.get("finished"):
        return "did not finish (killed, or still running)"
    stats = run.get("stats") or {}
    if isinstance(stats, str):
        stats = json.loads(stats)
    return CrawlOutcome({**stats, "finish_reason": run.get("finish_reason")}).unhealthy_reason()


def table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    """Left-aligned plain-text columns (readable in a terminal and in cron mail)."""
    cells = [
        tuple(str(c) for c in header),
        *[tuple("" if c is None else str(c) for c in r) for r in rows],
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    ]


def run_row(run: dict[str, Any]) -> tuple[Any, ...]:
    started, finished = parse_time(run["started"]), parse_time(run.get("finished"))
    took = f"{(finished - started).total_seconds():.1f} s" if started and finished else "-"
    verdict = run_verdict(run)
    result = run.get("finish_reason") or "interrupted"
    if verdict and run.get("finished"):
        result += " (unhealthy)"
    return (
        run["id"],
        started.strftime("%Y-%m-%d %H:%M") if started else "?",
        took,
        run.get("requests"),
        run.get("pages_ok"),
        run.get("pages_not_modified"),
        run.get("errors"),
        run.get("items_new"),
        run.get("items_updated"),
        result,
    )


@click.command()
@DB_OPTION
@click.option(
    "--runs",
    default=5,
    show_default=True,
    type=click.IntRange(1, MAX_SQLITE_INTEGER),
    help="How many runs to list.",
)
@click.option(
    "--max-age",
    default=36.0,
    show_default=True,
    type=click.FloatRange(min=0, max=MAX_AGE_HOURS, min_open=True),
    callback=lambda ctx, param, hours: _a_number(hours),
    help="Warn when the last run is older than this many hours.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the warnings (for cron).")
def status(db_path: str, runs: int, max_age: float, quiet: bool) -> None:
    """Show the last crawls and the rubrics, and warn when the archive is not being kept up."""
    with open_archive(db_path, create=False) as archive:
        total = archive.item_count()
        last_runs = archive.crawls(limit=runs)
        listings = archive.listings()
    show = (lambda line: None) if quiet else (lambda line: click.echo(printable(line, keep="\n")))
    show(f"Archive {db_path}: {total} items, {len(listings)} rubrics")
    warnings = []
    if not last_runs:
        warnings.append("no crawl has run yet")
    else:
        show("\nLast runs")
        for line in table(RUN_COLUMNS, [run_row(run) for run in last_runs]):
            show(f"  {line}")
        last = last_runs[0]
        verdict = run_verdict(last)
        if verdict:
            warnings.append(
                f"the last run (#{last['id']}) {verdict}"
                if not last.get("finished")
                else f"the last run (#{last['id']}) was unhealthy: {verdict}"
            )
        started = parse_time(last["started"])
        if started and datetime.now(timezone.utc) - started > timedelta(hours=max_age):
            warnings.append(
                f"the last run started {started:%Y-%m-%d %H:%M} UTC, more than {max_age:g} h ago"
            )
    if listings:
        show("\nRubrics")
        rows = [
            (row["site"], row["rubric"] or "?", row["items"], row["last_walked"] or "-", row["url"])
            for row in listings
        ]
        for line in table(("site", "rubric", "items", "last walked (UTC)", "listing"), rows):
            show(f"  {line}")
    for warning in warnings:
        click.echo(printable(f"WARNING: {warning}"), err=True)
    sys.exit(1 if warnings else 0)
