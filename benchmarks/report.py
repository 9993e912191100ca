"""The benchmark results as a terminal table and as the docs/BENCHMARKS.md figures section."""

from __future__ import annotations

from typing import Any

from benchmarks.measure import Summary


def rows(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(measure, value, target) rows, the same for the terminal and the Markdown report."""
    ceiling, crawl, scale = results["ceiling"], results["crawl"], results["archive"]
    pool: Summary = ceiling["pool"]
    rate = crawl["pages_per_s"].median
    fetch_only = crawl["fetch_only"]
    bound = cpu_bound(results)
    lines = [
        ("a. extraction, one process", ceiling["one_process"].show(" pages/s"), ""),
        (f"a. extraction, pool of {results['machine']['cores']}", pool.show(" pages/s"), ""),
        ("b. crawl throughput", crawl["pages_per_s"].show(" pages/s"), "≥ 0.75 × pool"),
        ("b. crawl / pool ceiling", f"{rate / pool.median:.2f}", "≥ 0.75"),
        ("b. CPU per page (process tree)", crawl["cpu_ms_per_page"].show(" ms"), ""),
        ("b. Scrapy alone, same pages", fetch_only["pages_per_s"].show(" pages/s"), ""),
        ("b. Scrapy alone: CPU per page", fetch_only["cpu_ms_per_page"].show(" ms", 2), ""),
        ("b. serving the site: CPU per page", crawl["serve_cpu_ms_per_page"].show(" ms", 2), ""),
        ("b. CPU bound of a crawl here", f"{bound:.0f} pages/s", ""),
        ("b. crawl / CPU bound", f"{rate / bound:.2f}", ""),
        ("b. peak memory (process tree, PSS)", crawl["peak_rss_mib"].show(" MiB"), "< 300 MiB"),
    ]
    for policy, rerun in crawl["reruns"].items():
        lines += [
            (
                f"c. rerun ({policy}): bytes",
                f"{rerun['bytes']:,} B = {100 * rerun['bytes_share']:.2f} %",
                "≤ 2 %",
            ),
            (
                f"c. rerun ({policy}): wall",
                f"{rerun['wall'].show(' s', 2)} = {100 * rerun['wall_share'].median:.1f} %",
                "≤ 10 %",
            ),
            (
                f"c. rerun ({policy}): requests, 304s",
                f"{rerun['requests']}, {rerun['not_modified']}",
                "",
            ),
            (f"c. rerun ({policy}): peak memory", rerun["peak_rss_mib"].show(" MiB"), ""),
        ]

    def export(fmt: str) -> str:
        run = scale[f"export_{fmt}"]
        return f"{run['wall'].show(' s')}, {run['peak_rss_mib'].show(' MiB')}"

    lines += [
        (f"d. insert {scale['items']:,} items", f"{scale['insert_per_s']:,.0f} items/s", ""),
        (
            "d. search p50 / p95",
            f"{scale['search_ms_p50']:.2f} / {scale['search_ms_p95']:.2f} ms",
            "p50 < 20 ms",
        ),
        ("d. export CSV", export("csv"), "< 10 s, flat"),
        ("d. export JSONL", export("jsonl"), "< 10 s, flat"),
        ("d. export CSV of a tenth", export("csv_tenth"), "same memory"),
        ("e. cold start of `extract`", results["cold_start"].show(" s", 2), ""),
    ]
    if "reextract" in results:
        lines += reextract_rows(results["reextract"], pool)
    return lines + frontier_rows(results, bound)


def frontier_rows(results: dict[str, Any], bound: float) -> list[tuple[str, str, str]]:
    frontier = results.get("frontier")
    if not frontier:
        return []
    if "skipped" in frontier:
        return [("g. frontier", f"skipped: {frontier['skipped']}", "")]
    lines = []
    for count, run in frontier["rounds"].items():
        rate = run["pages_per_s"]
        lines += [
            (
                f"g. {count} crawler{'s' if int(count) > 1 else ''}, {frontier['sites']} sites",
                f"{rate.show(' pages/s')} = {rate.median / bound:.2f} × CPU bound",
                "",
            ),
            (f"g. {count}: archived (ingest done)", run["archived_per_s"].show(" pages/s"), ""),
            (f"g. {count}: CPU per page (all processes)", run["cpu_ms_per_page"].show(" ms"), ""),
        ]
    writer = frontier["writer"]
    lines += [
        (
            "g. single writer (ingest), stream full",
            f"{writer['items_per_s']:,.0f} items/s ({writer['entries_per_s']:,.0f} entries/s), "
            f"{writer['cpu_ms_per_item']:.1f} ms CPU/item",
            "",
        ),
        (
            "g. single writer, a rerun (all 304)",
            f"{writer['rerun_entries_per_s']:,.0f} entries/s ({writer['rerun_entries']} entries)",
            "",
        ),
        ("g. Redis: stream, per entry waiting", f"{writer['stream_bytes_per_entry']:,.0f} B", ""),
        ("g. Redis: duplicate filter, per URL", f"{writer['dupefilter_bytes_per_url']:.0f} B", ""),
        ("g. Redis: known pages, per URL", f"{writer['known_bytes_per_url']:.0f} B", ""),
        ("g. archive per item (sample site)", f"{writer['archive_bytes_per_item']:,.0f} B", ""),
    ]
    real = frontier.get("real_pages")
    if real:
        lines.append(
            (
                f"g. real article pages ({real['pages']}), median",
                f"{real['raw_kib']:.0f} KiB raw, {real['zlib_kib']:.0f} KiB zlib",
                "",
            )
        )
    return lines


def reextract_rows(run: dict[str, Any], pool: Summary) -> list[tuple[str, str, str]]:
    """(f) ``regarchive reextract``: a version bump, then ``--all`` (nothing changes)."""
    bump = run["bump"]
    steady: Summary = run["all_steady"]
    return [
        (
            f"f. reextract {run['items']:,} items after a version bump",
            f"{bump['steady']:.0f} items/s, {bump['wall']:.1f} s, {bump['changed']:,} changed",
            "",
        ),
        ("f. reextract --all (nothing changes)", steady.show(" items/s"), "≥ 0.9 × pool"),
        (
            "f. reextract / pool ceiling measured around each run",
            run["all_to_ceiling_around"].show("", 2),
            "≥ 0.9",
        ),
        ("f. reextract / pool ceiling of (a)", f"{steady.median / pool.median:.2f}", ""),
        ("f. reextract --all: wall", run["all_wall"].show(" s"), ""),
        (
            "f. reextract: peak memory, all / a tenth",
            f"{run['all_peak_rss_mib'].show(' MiB')} / "
            f"{run['tenth_peak_rss_mib'].show(' MiB')} ({run['tenth_items']:,} items)",
            "flat",
        ),
    ]


def cpu_bound(results: dict[str, Any]) -> float:
    """The fastest any crawl could go on this machine: every core busy with nothing but
    extracting (one-process rate), Scrapy's own work (fetch-only run) and serving the pages
    (the sample site shares the machine), no work of regarchive's besides."""
    crawl = results["crawl"]
    ms_per_page = (
        1000 / results["ceiling"]["one_process"].median
        + crawl["fetch_only"]["cpu_ms_per_page"].median
        + crawl["serve_cpu_ms_per_page"].median
    )
    return 1000 * results["machine"]["cores"] / ms_per_page


def render_table(results: dict[str, Any]) -> str:
    table = [("measure", "median (min–max)", "target"), *rows(results)]
    widths = [max(len(r[i]) for r in table) for i in range(3)]
    m = results["machine"]
    head = (
        f"{results['articles']} articles, {results['crawl']['pages']} pages fetched, "
        f"{results['repeats']} repeats; {m['cores']} cores, Python {m['python']}"
    )
    return "\n".join(
        [
            head,
            *(
                "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                for r in table
            ),
        ]
    )


def render_markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    versions = ", ".join(
        f"{name} {m[key]}"
        for name, key in (
            ("Python", "python"),
            ("Scrapy", "scrapy"),
            ("trafilatura", "trafilatura"),
            ("lxml", "lxml"),
            ("dateparser", "dateparser"),
            ("sqlite-utils", "sqlite-utils"),
            ("SQLite", "sqlite"),
        )
    )
    site = f"{results['articles']} articles ({results['crawl']['pages']} pages fetched)"
    out = [
        f"Run {results['when']} on {m['cores']} cores, {m['ram_gib']} GiB RAM, {m['platform']}; "
        f"{versions}. Sample site of {site}; medians of {results['repeats']} runs with min–max.",
        "",
        "| measure | median (min–max) | target |",
        "|---|---|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows(results)),
    ]
    return "\n".join(out) + "\n"
