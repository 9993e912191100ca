"""``regarchive status``: the last runs and the rubrics, and a warning when something is off.

Exits 1 when there is a warning (last run unhealthy or interrupted, or older than ``--max-age``)
so that a monitoring job can run it as it is. A run still in progress (its process holds the
archive's lock) is shown as running, with how long it has been going, and is no cause for alarm.
"""

from __future__ import annotations

import json
import math
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import click

from regarchive.archive.lock import lock_holder
from regarchive.cli.commands.common import DB_OPTION, MAX_SQLITE_INTEGER, open_archive
from regarchive.cli.commands.output import Output, columns, counted, format_options, write_lines
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
RUN_ALIGN = "rlrrrrrrrl"


def _a_number(hours: float) -> float:
    """``nan`` is no age (click's range lets it through: it compares false to everything)."""
    if math.isnan(hours):
        raise click.BadParameter("nan is not a number of hours")
    return hours


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def duration(seconds: float) -> str:
    """``0.6 s``, ``12.3 s``, ``2 min 05 s``, ``1 h 02 min``."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


SITE_COLUMNS = ("site", "requests", "200", "304", "errors", "new", "updated", "unchanged")


def last_run_sites(run: dict[str, Any]) -> list[tuple[Any, ...]]:
    """One row per site of a run that crawled several (a sites file), from its stored stats."""
    from regarchive.pipelines.site_counts import site_counts, site_names

    stats = run.get("stats") or {}
    if isinstance(stats, str):
        stats = json.loads(stats)
    counts = site_counts(stats)
    if len(counts) < 2:
        return []
    names = site_names(stats)
    return [
        (
            f"{names[site]} ({site})" if site in names else site,
            c["requests"],
            c["pages_ok"],
            c["pages_not_modified"],
            c["errors"],
            c["items_inserted"],
            c["items_updated"],
            c["items_unchanged"],
        )
        for site, c in counts.items()
    ]


def run_verdict(run: dict[str, Any]) -> str | None:
    """Why a recorded run was not healthy, or None; judged from its stored stats."""
    from regarchive.scraper.health import CrawlOutcome

    if not run.get("finished"):
        return "did not finish (killed, or the machine stopped)"
    stats = run.get("stats") or {}
    if isinstance(stats, str):
        stats = json.loads(stats)
    return CrawlOutcome({**stats, "finish_reason": run.get("finish_reason")}).unhealthy_reason()


def run_state(run: dict[str, Any], running_id: int | None, now: datetime) -> tuple[str, str]:
    """``(took, result)`` for a run: a live duration for the one running."""
    started, finished = parse_time(run["started"]), parse_time(run.get("finished"))
    if run["id"] == running_id:
        took = duration((now - started).total_seconds()) if started else "-"
        return took, "running"
    if not finished:
        return "-", "interrupted"
    took = duration((finished - started).total_seconds()) if started else "-"
    result = run.get("finish_reason") or "finished"
    return took, result + (" (unhealthy)" if run_verdict(run) else "")


def run_row(run: dict[str, Any], running_id: int | None, now: datetime) -> tuple[Any, ...]:
    started = parse_time(run["started"])
    took, result = run_state(run, running_id, now)
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


RUN_FIELDS = (
    "id",
    "started",
    "finished",
    "requests",
    "pages_ok",
    "pages_not_modified",
    "errors",
    "items_new",
    "items_updated",
)


def run_json(run: dict[str, Any], running_id: int | None, now: datetime) -> dict[str, Any]:
    """A run for ``--format json``: its counts, seconds so far or in all, and its result."""
    started, finished = parse_time(run["started"]), parse_time(run.get("finished"))
    end = now if run["id"] == running_id else finished
    seconds = round((end - started).total_seconds(), 1) if started and end else None
    result = run_state(run, running_id, now)[1]
    return {**{key: run.get(key) for key in RUN_FIELDS}, "seconds": seconds, "result": result}


def status_warnings(
    last_runs: list[dict[str, Any]], running_id: int | None, now: datetime, max_age: float
) -> list[str]:
    """What should alarm whoever reads this: the latest run that is over went wrong, or the
    last run started too long ago."""
    if not last_runs:
        return ["no crawl has run yet"]
    warnings = []
    over = [run for run in last_runs if run["id"] != running_id]
    if over:
        last = over[0]
        verdict = run_verdict(last)
        if verdict:
            warnings.append(
                f"the last run (#{last['id']}) {verdict}"
                if not last.get("finished")
                else f"the last run (#{last['id']}) was unhealthy: {verdict}"
            )
    started = parse_time(last_runs[0]["started"])
    if started and now - started > timedelta(hours=max_age):
        warnings.append(
            f"the last run started {started:%Y-%m-%d %H:%M} UTC, more than {max_age:g} h ago"
        )
    return warnings


@click.command(short_help="Last crawls and rubrics; warn if unhealthy.")
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
@click.option(
    "--frontier",
    metavar="REDIS_URL",
    default=None,
    help="Also show a shared frontier: crawlers alive, queue per site, entries waiting.",
)
@format_options(("text", "json"), default="text", aliases=("json",), what="status")
def status(
    db_path: str, runs: int, max_age: float, quiet: bool, frontier: str | None, output: Output
) -> None:
    """Show the last crawls and the rubrics, and warn when the archive is not being kept up.

    A crawl still running shows as "running" (for how long so far); one that was killed or
    stopped with the machine shows as "interrupted".
    """
    if frontier is not None:
        from regarchive.cli.commands.frontier_status import frontier_report

        if not quiet:
            click.echo("\n".join(frontier_report(frontier)) + "\n")
        if not Path(db_path).expanduser().exists():
            return  # a crawling machine: no archive here
    with open_archive(db_path, create=False) as archive:
        total = archive.item_count()
        last_runs = archive.crawls(limit=runs)
        listings = archive.listings()
    now = datetime.now(timezone.utc)
    holder = lock_holder(db_path)
    unfinished = [run for run in last_runs if not run.get("finished")]
    # Only the newest run can be the one holding the lock now.
    running_id = (
        last_runs[0]["id"] if holder and unfinished and unfinished[0] is last_runs[0] else None
    )
    warnings = status_warnings(last_runs, running_id, now, max_age)
    if output.format == "json":
        report = {
            "archive": db_path,
            "items": total,
            "running": {"run": running_id, "pid": holder[0]} if running_id and holder else None,
            "runs": [run_json(run, running_id, now) for run in last_runs],
            "sites": [
                dict(zip(SITE_COLUMNS, row, strict=True))
                for row in (last_run_sites(last_runs[0]) if last_runs else [])
            ],
            "rubrics": listings,
            "warnings": warnings,
        }
        write_lines(output, [json.dumps(report, ensure_ascii=False, indent=2)], db_path)
    elif not quiet:
        write_lines(output, text_lines(db_path, total, last_runs, listings, running_id, now))
    for warning in warnings:
        click.echo(printable(f"WARNING: {warning}"), err=True)
    sys.exit(1 if warnings else 0)


def text_lines(
    db_path: str,
    total: int,
    last_runs: list[dict[str, Any]],
    listings: list[dict[str, Any]],
    running_id: int | None,
    now: datetime,
) -> list[str]:
    lines = [f"Archive {db_path}: {counted(total, 'item')}, {counted(len(listings), 'rubric')}"]
    if last_runs:
        lines += ["", "Last runs"]
        rows = [run_row(run, running_id, now) for run in last_runs]
        lines += [f"  {line}" for line in columns(RUN_COLUMNS, rows, align=RUN_ALIGN)]
        site_rows = last_run_sites(last_runs[0])
        if site_rows:
            lines += ["", f"Sites (run #{last_runs[0]['id']})"]
            lines += [f"  {line}" for line in columns(SITE_COLUMNS, site_rows, align="lrrrrrrr")]
    if listings:
        lines += ["", "Rubrics"]
        rows = [
            (row["site"], row["rubric"] or "?", row["items"], row["last_walked"] or "-", row["url"])
            for row in listings
        ]
        header = ("site", "rubric", "items", "read to the end (UTC)", "listing")
        lines += [f"  {line}" for line in columns(header, rows, align="llrll")]
    return lines
