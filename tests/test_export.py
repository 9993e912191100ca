"""Export formats: every record written parses back, streamed one record at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regarchive.archive.export import write_export
from regarchive.archive.records import CSV_FIELDS, EXPORT_FIELDS, to_csv_row
from regarchive.archive.store import Archive
from tests.support import extracted_record

BASE = "https://www.regions.example"


def make_record(item_id: int, **overrides: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": item_id,
        "url": f"{BASE}/article-{item_id}",
        "urls": [f"{BASE}/article-{item_id}", f"{BASE}/spip.php?article{item_id}"],
        "site": "www.regions.example",
        "title": f"Région Île-de-France n°{item_id}",
        "category": "Circ.",
        "rubrics": ["Europe", "Régions"],
        "source": "Préfecture",
        "published": "2024-03-01",
        "published_source": "byline",
        "updated": None,
        "updated_source": None,
        "category_source": "label",
        "lang": "fr",
        "text": 'Premier paragraphe, "cité".\nSecond paragraphe ; avec point-virgule.',
        "first_seen": "2026-11-28T10:00:00Z",
        "last_seen": "2026-11-28T11:00:00Z",
        "related": [
            {
                "url": f"{BASE}/autre",
                "label": "Autre",
                "category": "Actu",
                "rubric": None,
                "title": None,
            },
        ],
        "warnings": ["no update date found"],
        "attachments": [
            {
                "url": f"{BASE}/IMG/pdf/note-{item_id}.pdf",
                "label": "Note ; annexe",
                "title": None,
                "media_type": "application/pdf",
                "size": 1234,
                "sha256": "ab" * 32,
                "pages": 2,
                "text_length": 456,
            }
        ],
    }
    record.update(overrides)
    return {field: record[field] for field in EXPORT_FIELDS}


RECORDS = [make_record(1), make_record(2, category=None, rubrics=[], related=[], warnings=[])]


def export(fmt: str, records: list[dict[str, Any]] = RECORDS) -> tuple[int, str]:
    out = io.StringIO()
    count = write_export(iter(records), fmt, out)  # type: ignore[arg-type]
    return count, out.getvalue()


def test_jsonl_round_trip() -> None:
    count, text = export("jsonl")
    assert count == 2
    lines = text.splitlines()
    assert [json.loads(line) for line in lines] == RECORDS
    assert "Île-de-France" in text  # not \u-escaped


def test_json_round_trip() -> None:
    count, text = export("json")
    assert count == 2
    assert json.loads(text) == RECORDS
    assert "Île-de-France" in text


def test_json_empty_is_an_empty_array() -> None:
    assert export("json", []) == (0, "[]\n")


def test_csv_round_trip() -> None:
    count, text = export("csv")
    assert count == 2
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == CSV_FIELDS
    first, second = rows
    assert first["id"] == "1"
    assert first["urls"] == f"{BASE}/article-1;{BASE}/spip.php?article1"
    assert first["rubrics"] == "Europe;Régions"
    assert first["text"] == RECORDS[0]["text"]
    assert json.loads(first["related"]) == RECORDS[0]["related"]
    assert first["warnings"] == "no update date found"
    assert (second["category"], second["updated"], second["rubrics"]) == ("", "", "")
    assert "\r\n" not in text


def test_csv_row_shape() -> None:
    row = to_csv_row(RECORDS[1])
    assert len(row) == len(CSV_FIELDS)
    assert row[CSV_FIELDS.index("related")] == "[]"


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        write_export([], "xml", io.StringIO())  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_export_streams(fmt: str) -> None:
    """Each record is written before the next one is requested from the iterator."""
    out = io.StringIO()
    written_before: list[int] = []

    def records() -> Iterator[dict[str, Any]]:
        for item_id in range(1, 4):
            written_before.append(len(out.getvalue()))
            yield make_record(item_id)

    assert write_export(records(), fmt, out) == 3  # type: ignore[arg-type]
    assert written_before[0] < written_before[1] < written_before[2]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_export_from_archive(tmp_path: Path, fmt: str) -> None:
    with Archive(tmp_path / "archive.db") as archive:
        for path, published in [("/c", None), ("/b", "2021-01-01"), ("/a", "2020-01-01")]:
            record = extracted_record(
                BASE + path,
                f"Texte {path}",
                title=f"Titre {path}",
                category="Actu",
                rubrics=["Europe"],
                published=published,
            )
            archive.save_item(record, None, None)
        out_path = tmp_path / f"export.{fmt}"
        with out_path.open("w", encoding="utf-8", newline="") as out:
            assert write_export(archive.iter_records(), fmt, out) == 3  # type: ignore[arg-type]

    text = out_path.read_text(encoding="utf-8")
    if fmt == "jsonl":
        urls = [json.loads(line)["url"] for line in text.splitlines()]
    elif fmt == "json":
        urls = [record["url"] for record in json.loads(text)]
    else:
        urls = [row["url"] for row in csv.DictReader(io.StringIO(text, newline=""))]
    assert urls == [BASE + "/a", BASE + "/b", BASE + "/c"]
