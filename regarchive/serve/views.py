"""The pages: home, search, item, stored snapshot, chart, downloads, and (when allowed) SQL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, render_template, request, send_file

from regarchive.archive import charts
from regarchive.archive.queries import Filters, QueryError
from regarchive.archive.store import Archive
from regarchive.serve.diffs import history_steps
from regarchive.serve.downloads import FORMATS, write_download
from regarchive.serve.selection import PAGE_SIZE, Selection, read_selection

pages = Blueprint("pages", __name__)
sql_page = Blueprint("sql", __name__)

# The stored copy of a page: sandboxed (an origin of its own, no script, no form, no popup),
# nothing fetched from anywhere (its images and styles sheets stay away, and so does any beacon
# telling the site it was looked at), shown only inside this application's frame.
SNAPSHOT_POLICY = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
)
# Plain text needs nothing at all.
TEXT_POLICY = "default-src 'none'; frame-ancestors 'none'"
# The chart is an SVG document: no script, nothing fetched.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"

SOURCES_SHOWN = 10
RUNS_SHOWN = 5
SQL_MAX_ROWS = 1000
SQL_TIME_LIMIT = 5.0


def archive() -> Archive:
    """The archive, opened read-only once per request (an SQLite connection stays in the thread
    that opened it; waitress answers each request in one of its threads)."""
    if "archive" not in g:
        g.archive = Archive(current_app.config["REGARCHIVE_DB"], create=False, read_only=True)
    opened: Archive = g.archive
    return opened


# -- home ---------------------------------------------------------------------------------------


@pages.get("/")
def home() -> str:
    reader = archive()
    counts = reader.facets(Filters())
    runs = [dict(run, health=run_health(run)) for run in reader.crawls(limit=RUNS_SHOWN)]
    return render_template(
        "home.html",
        counts=counts,
        runs=runs,
        listings=reader.listings(),
        has_chart=bool(charts.month_series(counts["by_month"])),
        path=current_app.config["REGARCHIVE_DB"],
    )


def run_health(run: Mapping[str, Any]) -> str | None:
    """Why a recorded run was not healthy, or None; judged as ``regarchive status`` does."""
    from regarchive.scraper.health import CrawlOutcome

    if not run.get("finished"):
        return "n’a pas fini (interrompue, ou encore en cours)"
    stats = run.get("stats") or {}
    outcome = CrawlOutcome({**stats, "finish_reason": run.get("finish_reason")})
    return outcome.unhealthy_reason()


@pages.get("/charts/months.svg")
def month_chart() -> Response:
    try:
        filters = read_selection(request.args).filters
        counts = archive().facets(filters)
    except QueryError:
        abort(404)
    if not charts.month_series(counts["by_month"]):
        abort(404)
    by_category = charts.months_by_category(archive().facets, filters, counts)
    subtitle = "la sélection en cours" if filters.describe() else None
    chart = charts.build_chart(by_category, subtitle=subtitle, words=charts.FRENCH)
    svg = charts.svg_chart(chart)
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    return response


@pages.get("/favicon.ico")
def favicon() -> tuple[str, int]:
    """No icon: an empty answer rather than a 404 in every browser's console."""
    return "", 204


# -- search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacetEntry:
    label: str
    count: int
    selected: bool
    href: str | None  # None: a count that cannot be selected (no category, undated…)


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    entries: list[FacetEntry]
    hidden: int = 0  # values left out of a long list


@pages.get("/search")
def search() -> tuple[str, int] | str:
    reader = archive()
    try:
        selection = read_selection(request.args)
        filters = selection.filters
        rows = reader.find_items(
            filters,
            sort=selection.sort,  # type: ignore[arg-type]
            limit=PAGE_SIZE,
            offset=selection.offset,
        )
        total = reader.count_items(filters)
        counts = reader.facets(filters)
    except QueryError as error:
        fallback = Selection(query=request.args.get("q"))
        return render_template("search.html", selection=fallback, error=str(error)), 400
    pages_count = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "search.html",
        selection=selection,
        rows=rows,
        total=total,
        facets=facets(selection, counts),
        page_count=pages_count,
        span=(counts["published_from"], counts["published_to"]),
        error=None,
    )


def facets(selection: Selection, counts: Mapping[str, Any]) -> list[Facet]:
    """The facets of the search page, each value a link adding or removing it."""

    def entries(name: str, values: Mapping[Any, int], empty: str) -> list[FacetEntry]:
        return [
            FacetEntry(
                label=empty if key in (None, "") else str(key),
                count=count,
                selected=selection.has(name, key),
                href=None if key in (None, "") else selection.toggled(name, str(key)),
            )
            for key, count in values.items()
        ]

    years: Counter[int | None] = Counter()
    for month, count in counts["by_month"].items():
        years[int(month[:4]) if month else None] += count
    by_year = dict(sorted(years.items(), key=lambda item: -(item[0] or 0)))
    sources = entries("source", counts["by_source"], "(inconnue)")
    shown = [entry for entry in sources if entry.selected] + [
        entry for entry in sources[:SOURCES_SHOWN] if not entry.selected
    ]
    return [
        Facet("category", "Catégorie", entries("category", counts["by_category"], "(aucune)")),
        Facet("rubric", "Rubrique", entries("rubric", counts["by_rubric"], "(aucune)")),
        Facet("year", "Année", entries("year", by_year, "(sans date)")),
        Facet("source", "Source", shown, hidden=len(sources) - len(shown)),
        Facet("site", "Site", entries("site", counts["by_site"], "(aucun)")),
    ]


# -- downloads ----------------------------------------------------------------------------------


@pages.get("/download/<fmt>")
def download(fmt: str) -> Response | tuple[str, int]:
    if fmt not in FORMATS:
        abort(404)
    try:
        filters = read_selection(request.args).filters
        written = write_download(archive(), filters, fmt)
    except QueryError as error:
        fallback = Selection(query=request.args.get("q"))
        return render_template("search.html", selection=fallback, error=str(error)), 400
    return send_file(
        written.file, mimetype=written.mimetype, as_attachment=True, download_name=written.name
    )


# -- item ---------------------------------------------------------------------------------------


@pages.get("/items/<int:item_id>")
def item(item_id: int) -> str:
    reader = archive()
    record = reader.record(item_id)
    if record is None:
        abort(404)
    columns = reader.item_columns(item_id) or {}
    versions = reader.versions(item_id)
    return render_template(
        "item.html",
        record=record,
        sources={key: columns.get(f"{key}_source") for key in ("published", "updated", "category")},
        other_urls=[url for url in record["urls"] if url != record["url"]],
        related=reader.related_items(item_id),
        steps=history_steps(versions, record),
        attachments=reader.attachments(item_id),
        snapshots=[page for page in reader.item_pages(item_id) if page["has_body"]],
    )


def _snapshot(item_id: int) -> tuple[dict[str, Any], bytes]:
    """The stored page asked for (``?url=``, one of the item's) or the item's main one."""
    stored = [page for page in archive().item_pages(item_id) if page["has_body"]]
    wanted = request.args.get("url")
    chosen = next((p for p in stored if wanted is None or p["url"] == wanted), None)
    body = archive().page_html(chosen["url"]) if chosen is not None else None
    if chosen is None or body is None:
        abort(404)
    return chosen, body


@pages.get("/items/<int:item_id>/snapshot")
def snapshot(item_id: int) -> str:
    record = archive().record(item_id)
    if record is None:
        abort(404)
    page, _ = _snapshot(item_id)
    return render_template("snapshot.html", record=record, page=page)


@pages.get("/items/<int:item_id>/snapshot/page")
def snapshot_page(item_id: int) -> Response:
    page, body = _snapshot(item_id)
    content_type = page["content_type"] or ""
    is_html = content_type.split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml")
    response = Response(body, content_type=content_type if is_html else "text/plain")
    response.headers["Content-Security-Policy"] = SNAPSHOT_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@pages.get("/items/<int:item_id>/snapshot.txt")
def snapshot_text(item_id: int) -> Response:
    from regarchive.pipelines.extraction.page import decode_body

    page, body = _snapshot(item_id)
    _, text = decode_body(body, page["content_type"])
    response = Response(text, mimetype="text/plain")
    response.headers["Content-Security-Policy"] = TEXT_POLICY
    return response


# -- SQL (only with --allow-sql) ----------------------------------------------------------------


@sql_page.get("/sql")
def sql() -> tuple[str, int] | str:
    statement = (request.args.get("sql") or "").strip()
    if not statement:
        return render_template("sql.html", statement="", result=None, error=None)
    try:
        result = archive().run_select(statement, max_rows=SQL_MAX_ROWS, time_limit=SQL_TIME_LIMIT)
    except QueryError as error:
        return render_template("sql.html", statement=statement, result=None, error=str(error)), 400
    return render_template("sql.html", statement=statement, result=result, error=None)
