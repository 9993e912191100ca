"""Downloads of the current selection, written by the archive's own exporters: the same records,
fields and safeguards as ``regarchive export`` (CSV with a byte-order mark for Excel and formula
cells neutralised, JSON Lines, a Data Package zipped with its ``datapackage.json``).

Each is written to a temporary file first, then sent: a failure never leaves the visitor with a
truncated file that looks whole, and memory stays the same whatever the selection's size.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from regarchive.archive.datapackage import write_datapackage
from regarchive.archive.export import write_export
from regarchive.archive.queries import Filters
from regarchive.archive.store import Archive

# Excel reads a CSV file as UTF-8 only when it starts with this byte-order mark.
UTF8_BOM = "\ufeff"


class Download:
    """A written download: its file (at offset 0), media type and file name."""

    def __init__(self, file: IO[bytes], mimetype: str, name: str) -> None:
        self.file, self.mimetype, self.name = file, mimetype, name


FORMATS = {
    "csv": ("text/csv", "csv"),
    "jsonl": ("application/x-ndjson", "jsonl"),
    "datapackage": ("application/zip", "zip"),
}


def write_download(archive: Archive, filters: Filters, fmt: str) -> Download:
    """The items matching ``filters``, in export order, as ``fmt`` (one of :data:`FORMATS`)."""
    mimetype, suffix = FORMATS[fmt]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    name = f"regarchive-{stamp}.{suffix}"
    records = archive.iter_export(filters)
    target = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that sends it
    try:
        if fmt == "datapackage":
            _write_zipped_package(records, filters, target)
        else:
            text = io.TextIOWrapper(target, encoding="utf-8", newline="")
            if fmt == "csv":
                text.write(UTF8_BOM)
            write_export(records, fmt, text)  # type: ignore[arg-type]
            text.flush()
            text.detach()
        target.seek(0)
    except BaseException:
        target.close()
        raise
    return Download(target, mimetype, name)


def _write_zipped_package(
    records: Iterable[dict[str, Any]], filters: Filters, target: IO[bytes]
) -> None:
    with tempfile.TemporaryDirectory(prefix="regarchive-package-") as scratch:
        folder = Path(scratch) / "package"
        write_datapackage(
            records,
            folder,
            version=_version(),
            about={"filters": filters.describe(), "made_with": "regarchive serve"},
        )
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as package:
            for path in sorted(folder.iterdir()):
                package.write(path, arcname=f"regarchive/{path.name}")


def _version() -> str:
    try:
        return metadata.version("regarchive")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"
