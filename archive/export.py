"""Write export records as JSON Lines, CSV or a JSON array, one record at a time.

Memory stays constant whatever the archive size: records are written as they come from the
iterator (``Archive.iter_records()`` streams from a cursor), and the JSON array is written
incrementally instead of being built in memory.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import Any, Literal, TextIO

from archive.records import CSV_FIELDS, to_csv_row

ExportFormat = Literal["jsonl", "csv", "json"]
FORMATS: tuple[str, ...] = ("jsonl", "csv", "json")


def write_export(records: Iterable[dict[str, Any]], fmt: ExportFormat, out: TextIO) -> int:
    """Write ``records`` to ``out`` in format ``fmt`` and return how many were written.

    ``out`` should be a text stream opened with ``encoding="utf-8"`` (and ``newline=""`` for
    CSV files, as the csv module asks); non-ASCII characters are written as is.
    """
    writers: dict[str, Callable[[Iterable[dict[str, Any]], TextIO], int]] = {
        "jsonl": _write_jsonl,
        "csv": _write_csv,
        "json": _write_json,
    }
    try:
        writer = writers[fmt]
    except KeyError:
        choices = ", ".join(FORMATS)
        raise ValueError(f"unknown export format {fmt!r}; use one of {choices}") from None
    return writer(records, out)


def _dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def _write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(_dumps(record))
        out.write("\n")
        count += 1
    return count


def _write_json(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(_dumps(record))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _write_csv(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    for record in records:
        writer.writerow(to_csv_row(record))
        count += 1
    return count
