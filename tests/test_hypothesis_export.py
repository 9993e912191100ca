"""Property: whatever the items hold (quotes, newlines, separators, formula-like text, any
script), what goes into the archive comes back out of every export format unchanged."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regarchive.archive.datapackage import write_datapackage
from regarchive.archive.export import write_export, write_parquet
from regarchive.archive.queries import Filters
from regarchive.archive.records import CSV_FIELDS, LIST_SEPARATOR, RELATED_FIELDS, restore
from regarchive.archive.store import Archive

SITE = "www.regions.example"
RUBRICS = ["Régions", "Départements", "Communes", "Intercommunalités", "Europe", "Outre-mer"]

# Any text SQLite and the csv module can hold: no lone surrogates, no NUL.
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
OPTIONAL_TEXT = st.none() | TEXT
DATES = st.none() | st.dates(date(1990, 1, 1), date(2030, 12, 31)).map(date.isoformat)
# List items go to CSV joined with ';', so they cannot contain it nor be empty.
LIST_ITEM = TEXT.filter(lambda value: value and LIST_SEPARATOR not in value)
FORMULAS = st.sampled_from(["=1+1", "+33 1", "-20 %", "@SUM(A1)", "'=x", "\ttab", "\rcr"])


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """One to four records with distinct URLs (and hashes, so none is deduplicated)."""
    count = draw(st.integers(1, 4))
    made = []
    for number in range(count):
        url = f"https://{SITE}/article-{number}"
        text = draw(TEXT | FORMULAS.flatmap(lambda start: TEXT.map(lambda rest: start + rest)))
        related = [
            {
                "url": f"https://{SITE}/related-{number}-{index}",
                **{key: draw(OPTIONAL_TEXT) for key in RELATED_FIELDS if key != "url"},
            }
            for index in range(draw(st.integers(0, 2)))
        ]
        made.append(
            {
                "url": url,
                "urls": [url],
                "site": SITE,
                "title": draw(OPTIONAL_TEXT | FORMULAS),
                "category": draw(st.sampled_from(["Actu", "Circ.", None])),
                "rubrics": draw(st.lists(st.sampled_from(RUBRICS), unique=True, max_size=3)),
                "source": draw(OPTIONAL_TEXT),
                "published": draw(DATES),
                "updated": draw(DATES),
                "lang": draw(st.sampled_from(["fr", "en", None])),
                "text": text,
                "content_hash": hashlib.sha256((url + text).encode()).hexdigest(),
                "related": related,
                "warnings": draw(st.lists(LIST_ITEM, max_size=2)),
            }
        )
    return made


def clean(value: str | None) -> str | None:
    """How the archive stores optional text: stripped, empty as None."""
    return (value.strip() or None) if value is not None else None


def expected_values(record: dict[str, Any]) -> dict[str, Any]:
    """The record as the archive gives it back (urls, rubrics and related sorted)."""
    return {
        "url": record["url"],
        "urls": [record["url"]],
        "site": SITE,
        "title": clean(record["title"]),
        "category": record["category"],
        "rubrics": sorted(record["rubrics"], key=str.casefold),
        "source": clean(record["source"]),
        "published": record["published"],
        "updated": record["updated"],
        "lang": record["lang"],
        "text": record["text"],
        "related": sorted(
            ({key: clean(entry[key]) for key in RELATED_FIELDS} for entry in record["related"]),
            key=lambda entry: entry["url"],
        ),
        "warnings": record["warnings"],
        "attachments": [],
    }


def from_csv(text: str, *, safe: bool) -> list[dict[str, Any]]:
    """Records back from CSV cells: ids as numbers, lists split, empty cells as None."""
    back = []
    for row in csv.DictReader(io.StringIO(text, newline="")):
        cells = {key: restore(value) if safe else value for key, value in row.items()}
        record: dict[str, Any] = {}
        for field in CSV_FIELDS:
            value = cells[field]
            if field == "id":
                record[field] = int(value)
            elif field in ("related", "attachments"):
                record[field] = json.loads(value)
            elif field in ("urls", "rubrics", "warnings"):
                record[field] = value.split(LIST_SEPARATOR) if value else []
            elif field == "text":
                record[field] = value
            else:
                record[field] = value or None
        back.append(record)
    return back


def from_parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as parquet

    back = parquet.read_table(path).to_pylist()
    for row in back:
        for key in ("published", "updated"):
            row[key] = row[key] and row[key].isoformat()
        for key in ("first_seen", "last_seen"):
            row[key] = row[key].strftime("%Y-%m-%dT%H:%M:%SZ")
    return back


def written(fmt: str, rows: list[dict[str, Any]], **options: Any) -> str:
    out = io.StringIO(newline="")
    assert write_export(iter(rows), fmt, out, **options) == len(rows)  # type: ignore[arg-type]
    return out.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items=records())
def test_every_format_gives_back_what_went_in(items: list[dict[str, Any]]) -> None:
    pytest.importorskip("pyarrow")
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        with Archive(workdir / "archive.db") as archive:
            for record in items:
                assert archive.save_item(record, None, None).status == "inserted"
            stored = list(archive.iter_export(Filters()))

        by_url = {record["url"]: record for record in stored}
        for record in items:
            kept = by_url[record["url"]]
            assert {key: kept[key] for key in expected_values(record)} == expected_values(record)

        # Lines end with "\n" only: str.splitlines() would also split at U+0085, U+2028….
        lines = written("jsonl", stored).split("\n")
        assert lines.pop() == ""
        assert [json.loads(line) for line in lines] == stored
        assert json.loads(written("json", stored)) == stored
        assert from_csv(written("csv", stored), safe=True) == stored
        assert from_csv(written("csv", stored, safe_csv=False), safe=False) == stored

        write_parquet(iter(stored), workdir / "items.parquet", batch=2)
        assert from_parquet(workdir / "items.parquet") == stored

        coverage = write_datapackage(iter(stored), workdir / "package", version="test")
        assert coverage.items == len(stored)
        with (workdir / "package" / "items.csv").open(encoding="utf-8", newline="") as data:
            assert from_csv(data.read(), safe=True) == stored
