"""(d) The archive at scale: items written through the archive API, then searched and exported.

Texts are drawn from the sample site's French vocabulary so that full-text search works on
realistic words; every item is distinct (its own title, text, URL).
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from archive.demo import content
from archive.store import Archive
from benchmarks.measure import Summary, run_measured

QUERIES = (
    "apprentissage", "budget", "région", "départements", "fonds européens", "logement",
    "transition écologique", "dotation", "intercommunalité", "mobilité", "santé", "numérique",
    "emploi", "formation professionnelle", "aides d'État", "collectivités", "eau", "énergie",
    "culture", "\"plan de relance\"",
)  # fmt: skip


def vocabulary() -> list[str]:
    words = set()
    for pool in (
        content.THEMES,
        content.GENERIC_ACTORS,
        content.PUBLICS,
        content.PROGRAMS,
        content.SENTENCES,
    ):
        for phrase in pool:
            words.update(
                w for w in re.findall(r"[a-zàâçéèêëîïôûùüÿœæ’'-]+", phrase.lower()) if len(w) > 3
            )
    return sorted(words)


def synthetic_record(rng: random.Random, words: list[str], number: int) -> dict[str, Any]:
    title = " ".join(rng.choices(words, k=rng.randint(6, 12))).capitalize() + f" ({number})"
    paragraphs = [
        " ".join(rng.choices(words, k=rng.randint(25, 60))).capitalize() + "."
        for _ in range(rng.randint(3, 6))
    ]
    text = "\n".join(paragraphs)
    url = f"https://bench.example/article-{number}"
    published = date(2017, 1, 1) + timedelta(days=rng.randint(0, 3000))
    rubric = rng.choice([r.name for r in content.RUBRICS])
    return {
        "url": url, "urls": [url], "site": "bench.example", "title": title,
        "category": rng.choice(["Actu", "Circ.", None]), "rubrics": [rubric],
        "source": rng.choice(content.SOURCES_PLAIN), "published": published.isoformat(),
        "updated": None, "text": text, "lang": "fr", "content_hash": f"{number:064x}",
        "related": [], "warnings": [],
    }  # fmt: skip


def fill(db: Path, items: int) -> float:
    """Write ``items`` items; returns items per second."""
    rng, words = random.Random(7), vocabulary()
    records = [synthetic_record(rng, words, n) for n in range(items)]
    with Archive(db) as archive:
        started = time.perf_counter()
        for record in records:
            archive.save_item(record, None, None)
        return items / (time.perf_counter() - started)


def search_latencies(db: Path, repeats: int) -> list[float]:
    """Milliseconds per full-text query, each query run ``repeats`` times (first run discarded)."""
    latencies = []
    with Archive(db, create=False) as archive:
        for query in QUERIES:
            archive.search(query, limit=20, raw=query.startswith('"'))
            for _ in range(repeats):
                started = time.perf_counter()
                archive.search(query, limit=20, raw=query.startswith('"'))
                latencies.append(1000 * (time.perf_counter() - started))
    return latencies


def export(db: Path, fmt: str, out: Path, repeats: int) -> dict[str, Summary]:
    command = [
        sys.executable,
        "-m",
        "archive.cli",
        "export",
        "--db",
        str(db),
        "--format",
        fmt,
        "-o",
        str(out),
    ]
    runs = [run_measured(command) for _ in range(repeats)]
    failed = [r for r in runs if r.returncode]
    if failed:
        raise SystemExit(f"export failed: {failed[0].stderr.strip()}")
    return {
        "wall": Summary.of([r.wall for r in runs]),
        "peak_rss_mib": Summary.of([r.peak_rss_mib for r in runs]),
    }


def archive_scale(workdir: Path, items: int, repeats: int) -> dict[str, Any]:
    db = workdir / "scale.db"
    insert_rate = fill(db, items)
    latencies = sorted(search_latencies(db, max(repeats, 3)))
    return {
        "items": items,
        "insert_per_s": insert_rate,
        "search_ms_p50": statistics.median(latencies),
        "search_ms_p95": latencies[int(0.95 * (len(latencies) - 1))],
        "export_csv": export(db, "csv", workdir / "items.csv", repeats),
        "export_jsonl": export(db, "jsonl", workdir / "items.jsonl", repeats),
        "db_mib": db.stat().st_size / 1024 / 1024,
    }
