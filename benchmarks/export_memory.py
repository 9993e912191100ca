"""Export time and peak memory on a large archive, and search latency.

Builds an archive of ``--items`` synthetic articles (100,000 by default) through the
``Archive`` API, the way crawls fill it, then runs ``regarchive export`` in each format in its
own process and reports its wall time and peak RSS (from ``wait4``, so each figure is that
process's alone). A second export of about a tenth of the items shows whether memory grows with
the size of the export: it should not. Finally it times ``Archive.find_items`` on a set of
searches (p50 and p95).

    python -m benchmarks.export_memory                      # 100k items in a temporary folder
    python -m benchmarks.export_memory --items 20000 --keep /tmp/bench
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.measure import run_measured
from regarchive.archive.queries import Filters
from regarchive.archive.store import Archive

ROOT = Path(__file__).resolve().parent.parent

SITE = "www.regions.example"
RUBRICS = ["Régions", "Départements", "Communes", "Intercommunalités"]
SOURCES = ["Commission Européenne", "Régions de France", "Insee", "Cerema", None]
WORDS = (
    "la région le département la commune financement apprentissage formation emploi budget "
    "dotation transition écologique énergie eau potable mobilité santé numérique inclusion "
    "circulaire préfet collectivités crédits millions euros convention État contrat plan "
    "investissement rénovation bâtiments publics logement jeunes entreprises aides agriculture"
).split()
SEARCHES = [
    "apprentissage",
    "financement formation",
    "transition écologique",
    "eau potable",
    "numérique inclusion",
    '"contrat plan"',
    "dotation*",
    "santé OR mobilité",
    "rénovation bâtiments publics",
    "circulaire préfet crédits",
]
FORMATS = ["jsonl", "csv", "json", "parquet", "datapackage"]


def vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Words and cumulative Zipf weights: full-text queries as selective as on real text.

    Uniform draws from a small word list would put every query word in nearly every article
    and make each search rank the whole archive. Topic words sit at ranks 50 to 2,500: each
    appears in a few percent of the articles, as "apprentissage" does in a real archive.
    """
    syllables = "ba be bi bo bu ca ce ci co da de di do fa fe fi la le li lo ma me mi mo na ne "
    syllables += "ni no pa pe pi po ra re ri ro sa se si so ta te ti to va ve vi vo"
    parts = syllables.split()
    words = ["".join(rng.choices(parts, k=rng.randint(2, 4))) for _ in range(size)]
    for index, word in enumerate(WORDS):
        words[50 + index * (2_450 // len(WORDS))] = word
    return words, list(itertools.accumulate(1 / rank for rank in range(1, size + 1)))


def synthetic_record(
    number: int, rng: random.Random, words: list[str], weights: list[float]
) -> dict[str, Any]:
    """An article of about 1,200 characters in five paragraphs, with two URLs and related links."""
    paragraphs = [
        " ".join(rng.choices(words, cum_weights=weights, k=35)).capitalize() + "." for _ in range(5)
    ]
    text = "\n".join(paragraphs)
    url = f"https://{SITE}/Article-{number}"
    published = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
    return {
        "url": url,
        "urls": [url, f"https://{SITE}/spip.php?article{number}"],
        "site": SITE,
        "title": " ".join(rng.choices(words, cum_weights=weights, k=9)).capitalize(),
        "category": rng.choice(["Actu", "Actu", "Circ."]),
        "rubrics": rng.sample(RUBRICS, k=rng.choice([1, 1, 2])),
        "source": rng.choice(SOURCES),
        "published": published.isoformat() if rng.random() > 0.01 else None,
        "updated": None,
        "text": text,
        "lang": "fr",
        "content_hash": hashlib.sha256(f"{number}:{text}".encode()).hexdigest(),
        "related": [
            {
                "url": f"https://{SITE}/Article-{rng.randrange(1, number + 2)}",
                "label": "Actu - Voir aussi",
                "category": "Actu",
                "rubric": rng.choice(RUBRICS),
                "title": "Voir aussi",
            }
            for _ in range(3)
        ],
        "warnings": [],
    }


def build(path: Path, items: int) -> float:
    """Fill the archive with ``items`` articles; return the items saved per second."""
    rng = random.Random(20261128)
    words, weights = vocabulary(rng)
    started = time.perf_counter()
    with Archive(path) as archive:
        for number in range(1, items + 1):
            archive.save_item(synthetic_record(number, rng, words, weights), None, None)
            if number % 10_000 == 0:
                print(f"  {number} items…", file=sys.stderr)
    return items / (time.perf_counter() - started)


def measure(args: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of one ``regarchive`` process.

    RSS is sampled from /proc while it runs: ``ru_maxrss`` from ``wait4`` would report the
    benchmark's own size, since Linux carries the high-water mark across fork and exec.
    """
    run = run_measured([sys.executable, "-m", "regarchive", *args])
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed with exit code {run.returncode}")
    return run.wall, run.peak_rss_mib


def search_latency(path: Path, rounds: int = 5) -> tuple[float, float]:
    """p50 and p95 (ms) of 20 best matches with snippets, over :data:`SEARCHES`."""
    timings = []
    with Archive(path, create=False) as archive:
        for _ in range(rounds):
            for query in SEARCHES:
                started = time.perf_counter()
                archive.find_items(Filters(query=query), limit=20)
                archive.count_items(Filters(query=query))
                timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep its files.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = options.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "archive.db"
        if not db.exists():
            print(f"building {options.items} items in {db}…", file=sys.stderr)
            rate = build(db, options.items)
            print(f"build: {rate:,.0f} items/s through Archive.save_item")
        print(f"archive: {db.stat().st_size / 2**20:,.0f} MiB")
        print(f"{'format':<12} {'items':>8} {'time':>8} {'peak RSS':>10}")
        for fmt in FORMATS:
            for label, extra in (("all", []), ("~10%", ["--until", "2015-12-31"])):
                target = folder / f"export-{label.strip('~%')}.{fmt}"
                seconds, rss = measure(
                    ["export", "--db", str(db), "-f", fmt, "-o", str(target), *extra]
                )
                print(f"{fmt:<12} {label:>8} {seconds:>7.1f}s {rss:>8.0f} MiB")
        p50, p95 = search_latency(db)
        print(f"search (20 best with snippets + match count): p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
