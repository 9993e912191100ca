"""Write export records as JSON Lines, CSV, a JSON array or Parquet, one record at a time.

Memory stays constant whatever the archive size: records are written as they come from the
iterator (``Archive.iter_records()`` and ``Archive.iter_export()`` stream from a cursor), the
JSON array is written incrementally instead of being built in memory, and Parquet is written in
row groups of :data:`PARQUET_BATCH` records. The Data Package format (a folder: CSV plus
``datapackage.json``) is in :mod:`regarchive.archive.datapackage`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO, Literal, TextIO

from regarchive.archive.attachments import ATTACHMENT_FIELDS
from regarchive.archive.errors import ExportError
from regarchive.archive.records import CSV_FIELDS, RELATED_FIELDS, csv_line, to_csv_row

ExportFormat = Literal["jsonl", "csv", "json"]
TEXT_FORMATS: tuple[str, ...] = ("jsonl", "csv", "json")
# Formats written to a path rather than a text stream.
FILE_FORMATS: tuple[str, ...] = ("parquet", "datapackage")
FORMATS: tuple[str, ...] = TEXT_FORMATS + FILE_FORMATS

# Records per Parquet row group: large enough for good compression, small enough that the
# batch held in memory stays a few megabytes whatever the archive size.
PARQUET_BATCH = 2_000

PARQUET_INSTALL = "pip install 'regarchive[parquet]'"


def write_export(
    records: Iterable[dict[str, Any]],
    fmt: ExportFormat,
    out: TextIO,
    *,
    safe_csv: bool = True,
) -> int:
    """Write ``records`` to ``out`` in format ``fmt`` and return how many were written.

    ``out`` should be a text stream opened with ``encoding="utf-8"`` (and ``newline=""`` for
    CSV files, as the csv module asks); non-ASCII characters are written as is. ``safe_csv``
    neutralises CSV cells that spreadsheets would run as formulas
    (:func:`regarchive.archive.records.neutralize`).
    """
    writers: dict[str, Callable[[Iterable[dict[str, Any]], TextIO], int]] = {
        "jsonl": _write_jsonl,
        "csv": lambda rows, stream: write_csv(rows, stream, safe=safe_csv),
        "json": _write_json,
    }
    try:
        writer = writers[fmt]
    except KeyError:
        if fmt in FILE_FORMATS:
            raise ValueError(f"{fmt} is written to a path, not a text stream") from None
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


def write_csv(records: Iterable[dict[str, Any]], out: TextIO, *, safe: bool = True) -> int:
    """CSV with a header row (:data:`CSV_FIELDS`), ``\\n`` line ends, cells quoted as needed."""
    out.write(csv_line(list(CSV_FIELDS)))
    count = 0
    for record in records:
        out.write(csv_line(to_csv_row(record, safe=safe)))
        count += 1
    return count


# -- Parquet ------------------------------------------------------------------------------------


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401  (makes pyarrow.parquet available)
    except ImportError:
        raise ExportError(f"the parquet format needs pyarrow: {PARQUET_INSTALL}") from None
    return pyarrow


def parquet_schema(*, attachment_text: bool = False) -> Any:
    """Typed columns: dates as dates, timestamps in UTC, lists as lists, ``related`` as a list
    of structs, so that pandas, Polars or DuckDB read them without parsing."""
    pa = _pyarrow()
    strings = pa.list_(pa.string())
    related = pa.list_(pa.struct([(name, pa.string()) for name in RELATED_FIELDS]))
    numbers = ("size", "pages", "text_length")
    attachments = pa.list_(
        pa.struct(
            [
                (name, pa.int64() if name in numbers else pa.string())
                for name in (*ATTACHMENT_FIELDS, *(("text",) if attachment_text else ()))
            ]
        )
    )
    types = {
        "id": pa.int64(),
        "urls": strings,
        "rubrics": strings,
        "published": pa.date32(),
        "updated": pa.date32(),
        "first_seen": pa.timestamp("s", tz="UTC"),
        "last_seen": pa.timestamp("s", tz="UTC"),
        "related": related,
        "warnings": strings,
        "attachments": attachments,
    }
    return pa.schema([(name, types.get(name, pa.string())) for name in CSV_FIELDS])


def write_parquet(
    records: Iterable[dict[str, Any]],
    path: str | Path | BinaryIO,
    *,
    batch: int = PARQUET_BATCH,
    attachment_text: bool = False,
) -> int:
    """Write ``records`` as Parquet (zstd) to the file ``path``, or into an open binary file
    (a pipe, a device), and return how many were written; ``attachment_text`` when their
    attachments carry their text."""
    pa = _pyarrow()
    schema = parquet_schema(attachment_text=attachment_text)
    count = 0
    where = str(path) if isinstance(path, (str, Path)) else path
    with pa.parquet.ParquetWriter(where, schema, compression="zstd") as writer:
        for rows in _batches(records, batch):
            writer.write_table(pa.Table.from_pydict(_parquet_columns(rows), schema=schema))
            count += len(rows)
    return count


def _parquet_columns(rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {name: [] for name in CSV_FIELDS}
    for row in rows:
        for name in CSV_FIELDS:
            try:
                columns[name].append(_parquet_value(name, row[name]))
            except ValueError:
                raise ExportError(
                    f"item #{row['id']} has {name} {row[name]!r}, not an ISO 8601 date; "
                    "export it as jsonl or csv instead"
                ) from None
    return columns


def _batches(records: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(records)
    while rows := list(islice(iterator, size)):
        yield rows


def _parquet_value(field: str, value: Any) -> Any:
    if value is None:
        return None
    if field in ("published", "updated"):
        return date.fromisoformat(value)
    if field in ("first_seen", "last_seen"):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value
