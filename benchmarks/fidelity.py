"""Fidelity: are the fields right on pages nobody on this project wrote?

``python -m benchmarks fidelity [--corpora PATH] [--limit N] [--quick]``

Three sections, measured in one run, ours beside the reference libraries on the same bytes:

- **dates** — ``shared/corpora/dates/`` (real news and blog pages, many languages and CMSs, with
  the day a person found each was first published): the day of our ``published``, of htmldate's
  ``find_date(html, original_date=True, url=URL)``, each classed right / missing / wrong;
- **articles** — ``shared/corpora/articles/`` (Mozilla Readability's test pages with their
  expected text and title): token F1 of our text and of trafilatura's
  ``extract(html, url=URL, include_comments=False, include_tables=True)`` (multiset of
  lower-cased ``\\w+`` tokens), and exact titles (spaces collapsed, case folded), ours against
  ``trafilatura.extract_metadata(html).title``;
- **fixture sites** — every article of the sample site in each of its skeletons
  (``regarchive.demo.skeletons``: SPIP dist, Zpip, Escal, WordPress): title, category, source,
  published and updated against what the site generator knows, text F1; htmldate's date and
  trafilatura's text and title beside ours. The category is the one the archive keeps: the
  page's, else its listing entry's, else that of the links to it.

The corpora are read at run time from ``--corpora``, else ``$REGARCHIVE_CORPORA``, else the
nearest ``shared/corpora`` beside the repository or one of its parents; a corpus that is absent
is skipped with a one-line note. Every page is compared as given (raw bytes in, as the crawl
hands them to the extractor: both libraries decode for themselves).

The report (``--markdown``, by default ``docs/FIDELITY.md`` for a full run) gives the totals
against their targets, and the worst pages of each section. No figure is asserted anywhere: the
targets are in the report, CI only checks that the run works (``--quick``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"\w+")
FIXTURE_BASE = "http://127.0.0.1:8000"
# The day accuracy the dates section aims at, besides htmldate's own in the same run.
DATE_TARGET = 0.95
# Worst pages listed per section.
WORST = 25


# --- metrics ---------------------------------------------------------------------------------


def tokens(text: str | None) -> Counter[str]:
    return Counter(TOKEN.findall((text or "").lower()))


def token_f1(predicted: str | None, gold: str | None) -> float:
    """F1 of the multisets of lower-cased word tokens (1.0 when both are empty)."""
    p, g = tokens(predicted), tokens(gold)
    if not p or not g:
        return float(not p and not g)
    common = sum((p & g).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def same_title(found: str | None, gold: str | None) -> bool:
    return " ".join((found or "").split()).casefold() == " ".join((gold or "").split()).casefold()


def day_status(found: str | None, gold: str | None) -> str:
    """right / missing / wrong, comparing days only (``2020-01-02T10:00`` is ``2020-01-02``)."""
    if not found:
        return "missing" if gold else "right"
    return "right" if gold and found[:10] == gold[:10] else "wrong"


# --- one page (in a worker process) ----------------------------------------------------------


def _init_worker() -> None:
    logging.disable(logging.CRITICAL)  # trafilatura and htmldate log every doubt


def _timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    started = time.process_time()
    try:
        value = fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - a crash is a result to report here
        value = error
    return value, time.process_time() - started


def _ours(body: bytes, url: str, content_type: str | None = None) -> tuple[dict[str, Any], float]:
    from regarchive.pipelines.extraction.core import extract_record

    record, cpu = _timed(extract_record, body, url, content_type=content_type)
    if isinstance(record, Exception):
        record = {"text": "", "title": None, "error": f"{type(record).__name__}: {record}"}
    return record, cpu


def _htmldate(body: bytes, url: str) -> tuple[str | None, float]:
    from htmldate import find_date

    found, cpu = _timed(find_date, body, original_date=True, url=url)
    return (None if isinstance(found, Exception) else found), cpu


def _trafilatura(body: bytes, url: str) -> tuple[str, str | None, float]:
    import trafilatura

    text, cpu = _timed(
        trafilatura.extract, body, url=url, include_comments=False, include_tables=True
    )
    meta, _ = _timed(trafilatura.extract_metadata, body)
    title = getattr(meta, "title", None) if not isinstance(meta, Exception) else None
    return ("" if isinstance(text, Exception) else text or ""), title, cpu


def date_row(corpus: str, item: dict[str, Any]) -> dict[str, Any]:
    body = gzip.decompress((Path(corpus) / item["file"]).read_bytes())
    url, gold = item["url"], item["published"]
    record, cpu_ours = _ours(body, url)
    hd, cpu_hd = _htmldate(body, url)
    ours = record.get("published")
    return {
        "page": item["file"].removeprefix("pages/"), "url": url, "gold": gold,
        "ours": ours, "ours_status": day_status(ours, gold),
        "ours_source": record.get("published_source"),
        "htmldate": hd, "htmldate_status": day_status(hd, gold),
        "cpu_ours": cpu_ours, "cpu_htmldate": cpu_hd, "error": record.get("error"),
    }  # fmt: skip


def article_row(corpus: str, item: dict[str, Any]) -> dict[str, Any]:
    body = gzip.decompress((Path(corpus) / item["file"]).read_bytes())
    url, gold_text, gold_title = item["url"], item["text"], item["title"]
    record, cpu_ours = _ours(body, url)
    traf_text, traf_title, cpu_traf = _trafilatura(body, url)
    return {
        "page": item["name"], "gold_title": gold_title,
        "ours_title": record.get("title"), "traf_title": traf_title,
        "ours_title_ok": same_title(record.get("title"), gold_title),
        "traf_title_ok": same_title(traf_title, gold_title),
        "f1_ours": token_f1(record.get("text"), gold_text),
        "f1_traf": token_f1(traf_text, gold_text),
        "words_gold": sum(tokens(gold_text).values()),
        "words_ours": sum(tokens(record.get("text")).values()),
        "words_traf": sum(tokens(traf_text).values()),
        "cpu_ours": cpu_ours, "cpu_trafilatura": cpu_traf, "error": record.get("error"),
    }  # fmt: skip


FIXTURE_FIELDS = ("title", "category", "source", "published", "updated")


def fixture_row(page: dict[str, Any]) -> dict[str, Any]:
    body, url, truth = page["body"], page["url"], page["truth"]
    record, cpu_ours = _ours(body, url, page["content_type"])
    hd, _ = _htmldate(body, url)
    traf_text, traf_title, _ = _trafilatura(body, url)
    row: dict[str, Any] = {"site": page["site"], "page": url, "cpu_ours": cpu_ours}
    for name in FIXTURE_FIELDS:
        row[f"{name}_gold"] = truth[name]
        row[f"{name}_ours"] = record.get(name)
        row[f"{name}_ok"] = record.get(name) == truth[name]
    row["published_source"] = record.get("published_source")
    related = record.get("related") or []
    row["linked_categories"] = [[e["url"], e["category"]] for e in related if e["category"]]
    row["htmldate"] = hd
    row["htmldate_ok"] = day_status(hd, truth["published"]) == "right"
    row["traf_title_ok"] = same_title(traf_title, truth["title"])
    row["f1_ours"] = token_f1(record.get("text"), truth["text"])
    row["f1_traf"] = token_f1(traf_text, truth["text"])
    return row


# --- inputs ----------------------------------------------------------------------------------


def find_corpora(given: str | None) -> Path | None:
    """``--corpora``, ``$REGARCHIVE_CORPORA``, or the nearest ``shared/corpora`` up the tree."""
    if given or os.environ.get("REGARCHIVE_CORPORA"):
        path = Path(given or os.environ["REGARCHIVE_CORPORA"])
        return path if path.is_dir() else None
    for folder in ROOT.parents:
        if (folder / "shared" / "corpora").is_dir():
            return folder / "shared" / "corpora"
    return None


def load_gold(corpora: Path | None, name: str, limit: int) -> tuple[str, list[dict[str, Any]]]:
    """The corpus folder and its gold entries (none when it is absent)."""
    if corpora is None or not (corpora / name / "gold.json").is_file():
        return "", []
    items = json.loads((corpora / name / "gold.json").read_text(encoding="utf-8"))
    return str(corpora / name), items[:limit] if limit else items


def fixture_pages(articles: int) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every article page of every sample site (one per skeleton), with what the generator
    knows of it; and, by skeleton, what the site's listings say (see :func:`listing_sightings`)
    and the URLs of each article (canonical first)."""
    from regarchive.demo.site import build_site, skeleton_names

    pages, sites = [], {}
    for name in skeleton_names():
        site = build_site(FIXTURE_BASE, articles=articles, skeleton=name)
        sites[name] = {
            "sightings": listing_sightings(site),
            "aliases": {url: t.canonical_url for t in site.articles for url in t.urls},
        }
        for truth in site.articles:
            page = site.lookup(truth.canonical_url.removeprefix(site.base_url))
            if page is None:
                continue
            pages.append(
                {
                    "site": name,
                    "url": truth.canonical_url,
                    "body": page.body,
                    "content_type": page.content_type,
                    "truth": asdict(truth),
                }
            )
    return pages, sites


def listing_sightings(site: Any) -> dict[str, str]:
    """URL → category, as the crawl reads the site's rubric listings (every page of each,
    followed by its pager): the category a listing entry gives its article (``Actu - …``, a
    surtitre next to the link), which the archive keeps when the page itself says none."""
    import lxml.html

    from regarchive.scraper import listing

    found: dict[str, str] = {}
    for root in site.rubrics.values():
        queue, seen = [root], {root}
        while queue:
            url = queue.pop()
            page = site.lookup(url.removeprefix(site.base_url))
            if page is None:
                continue
            tree = lxml.html.fromstring(page.body)
            for link in listing.article_links(tree, url):
                if link.category:
                    found.setdefault(link.url, link.category)
            for following in listing.next_pages(tree, url, root):
                if following not in seen:
                    seen.add(following)
                    queue.append(following)
    return found


# --- totals ----------------------------------------------------------------------------------


def date_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"pages": len(rows)}
    for system in ("ours", "htmldate"):
        counts = Counter(row[f"{system}_status"] for row in rows)
        out[system] = {s: counts.get(s, 0) for s in ("right", "missing", "wrong")}
        out[system]["accuracy"] = counts.get("right", 0) / max(len(rows), 1)
    out["ours_missing_where_htmldate_right"] = sum(
        r["ours_status"] == "missing" and r["htmldate_status"] == "right" for r in rows
    )
    out["ours_wrong_where_htmldate_right"] = sum(
        r["ours_status"] == "wrong" and r["htmldate_status"] == "right" for r in rows
    )
    out["ours_right_where_htmldate_not"] = sum(
        r["ours_status"] == "right" and r["htmldate_status"] != "right" for r in rows
    )
    sources = Counter(r["ours_source"] or "-" for r in rows)
    right = Counter(r["ours_source"] or "-" for r in rows if r["ours_status"] == "right")
    out["sources"] = {s: {"pages": n, "right": right.get(s, 0)} for s, n in sources.most_common()}
    out["cpu_ms_per_page"] = {
        s: 1000 * sum(r[f"cpu_{s}"] for r in rows) / max(len(rows), 1) for s in ("ours", "htmldate")
    }
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def article_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "pages": len(rows),
        "ours": {
            "text_f1": _mean([r["f1_ours"] for r in rows]),
            "title_exact": _mean([float(r["ours_title_ok"]) for r in rows]),
        },
        "trafilatura": {
            "text_f1": _mean([r["f1_traf"] for r in rows]),
            "title_exact": _mean([float(r["traf_title_ok"]) for r in rows]),
        },
        "text_worse_by_0.1": sum(r["f1_ours"] < r["f1_traf"] - 0.1 for r in rows),
        "cpu_ms_per_page": {
            s: 1000 * _mean([r[f"cpu_{s}"] for r in rows]) for s in ("ours", "trafilatura")
        },
    }


def with_linked_categories(rows: list[dict[str, Any]], sites: dict[str, dict[str, Any]]) -> None:
    """The category as the archive keeps it: the page's own, else the one its listing entry
    gives (a sighting), else the one the labels of links to it give ("Actu - Régions - …" in
    the related blocks of the site's other pages), links to any of its URLs counted."""
    linked: dict[tuple[str, str], str] = {}
    for row in rows:
        aliases = sites[row["site"]]["aliases"]
        for url, category in row.pop("linked_categories"):
            linked.setdefault((row["site"], aliases.get(url, url)), category)
    for row in rows:
        if row["category_ours"] is not None:
            continue
        sighted = sites[row["site"]]["sightings"]
        aliases = sites[row["site"]]["aliases"]
        urls = [url for url, canonical in aliases.items() if canonical == row["page"]]
        category = next((sighted[u] for u in urls if u in sighted), None)
        category = category or linked.get((row["site"], row["page"]))
        if category:
            row["category_ours"] = category
            row["category_ok"] = category == row["category_gold"]


def fixture_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for site in sorted({r["site"] for r in rows}):
        mine = [r for r in rows if r["site"] == site]
        out[site] = {
            "pages": len(mine),
            **{name: _mean([float(r[f"{name}_ok"]) for r in mine]) for name in FIXTURE_FIELDS},
            "text_f1": _mean([r["f1_ours"] for r in mine]),
            "htmldate_published": _mean([float(r["htmldate_ok"]) for r in mine]),
            "trafilatura_title": _mean([float(r["traf_title_ok"]) for r in mine]),
            "trafilatura_text_f1": _mean([r["f1_traf"] for r in mine]),
        }
    return out


# --- driver ----------------------------------------------------------------------------------


def run(
    corpora: Path | None, *, limit: int, articles: int, workers: int
) -> dict[str, list[dict[str, Any]]]:
    dates_dir, dates = load_gold(corpora, "dates", limit)
    articles_dir, article_items = load_gold(corpora, "articles", limit)
    fixtures, sites = fixture_pages(articles)
    with ProcessPoolExecutor(workers, initializer=_init_worker) as pool:
        # The slow pages first, so that the pool ends evenly.
        article_futures = [pool.submit(article_row, articles_dir, i) for i in article_items]
        date_futures = [pool.submit(date_row, dates_dir, i) for i in dates]
        fixture_futures = [pool.submit(fixture_row, p) for p in fixtures]
        rows = {
            "articles": [f.result() for f in article_futures],
            "dates": [f.result() for f in date_futures],
            "fixtures": [f.result() for f in fixture_futures],
        }
    with_linked_categories(rows["fixtures"], sites)
    return rows


def main(argv: list[str] | None = None) -> int:
    from benchmarks.fidelity_report import render_markdown, render_table

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks fidelity", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--corpora", help="folder holding dates/ and articles/")
    parser.add_argument("--limit", type=int, default=0, help="first N pages of each corpus")
    parser.add_argument("--articles", type=int, default=36, help="articles per sample site")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="a smoke run: 20 pages per corpus")
    parser.add_argument("--json", type=Path, help="also write the totals and rows here")
    parser.add_argument(
        "--markdown", type=Path, help="write the report here (default for a full run: "
        "docs/FIDELITY.md)"
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.limit, args.articles = args.limit or 20, min(args.articles, 12)
    corpora = find_corpora(args.corpora)
    if corpora is None:
        print("corpora not found (--corpora, $REGARCHIVE_CORPORA, shared/corpora): "
              "only the fixture sites are measured", file=sys.stderr)  # fmt: skip
    started = time.perf_counter()
    rows = run(corpora, limit=args.limit, articles=args.articles, workers=args.workers)
    results: dict[str, Any] = {
        "when": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "corpora": str(corpora) if corpora else None,
        "limit": args.limit,
        "wall_s": time.perf_counter() - started,
        "versions": {name: version(name) for name in ("regarchive", "htmldate", "trafilatura")},
        "dates": date_totals(rows["dates"]) if rows["dates"] else None,
        "articles": article_totals(rows["articles"]) if rows["articles"] else None,
        "fixtures": fixture_totals(rows["fixtures"]),
    }
    print(render_table(results))
    if args.json:
        args.json.write_text(json.dumps({**results, "rows": rows}, indent=1, default=str) + "\n")
    markdown = args.markdown or (
        ROOT / "docs" / "FIDELITY.md" if not args.limit and not args.quick and corpora else None
    )
    if markdown:
        markdown.write_text(render_markdown(results, rows), encoding="utf-8")
        print(f"report written to {markdown}", file=sys.stderr)
    return 0
