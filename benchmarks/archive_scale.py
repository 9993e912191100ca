"""(d) The archive at scale, for ``python -m benchmarks``: the items, searches and exports of
:mod:`benchmarks.export_memory`, repeated and summarised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.export_memory import build, measure, search_latency
from benchmarks.measure import Summary


def export(db: Path, fmt: str, out: Path, repeats: int, *extra: str) -> dict[str, Summary]:
    """Wall time and peak RSS of ``regarchive export`` in its own process."""
    runs = [
        measure(["export", "--db", str(db), "-f", fmt, "-o", str(out), *extra])
        for _ in range(repeats)
    ]
    return {
        "wall": Summary.of([seconds for seconds, _ in runs]),
        "peak_rss_mib": Summary.of([rss for _, rss in runs]),
    }


def archive_scale(workdir: Path, items: int, repeats: int) -> dict[str, Any]:
    db = workdir / "scale.db"
    insert_rate = build(db, items)
    p50, p95 = search_latency(db)
    return {
        "items": items,
        "insert_per_s": insert_rate,
        "search_ms_p50": p50,
        "search_ms_p95": p95,
        "export_csv": export(db, "csv", workdir / "items.csv", repeats),
        "export_jsonl": export(db, "jsonl", workdir / "items.jsonl", repeats),
        # a tenth of the items: the same peak memory shows that exports stream
        "export_csv_tenth": export(
            db, "csv", workdir / "tenth.csv", repeats, "--until", "2015-12-31"
        ),
        "db_mib": db.stat().st_size / 1024 / 1024,
    }
