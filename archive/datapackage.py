"""Export as a Frictionless Data Package: a folder with ``items.csv`` and ``datapackage.json``.

The descriptor follows the Data Package and Table Schema specifications (v1), so that
``frictionless validate DIR/datapackage.json`` checks the data against it: field names, types
and descriptions, the primary key, the row count, the byte size and the SHA-256 of the CSV. It
also says what the data covers (publication date range, sites, rubrics, categories), which
filters made it, and when and with which regarchive version it was made (under ``regarchive``,
since the specification has no property for these).

The CSV is written as records stream in, and its hash is computed by reading it back in
chunks: memory stays constant whatever the archive size. The folder is assembled next to its
destination and moved into place at the end, so a failed export leaves the previous one intact.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from regarchive.archive.errors import ExportError
from regarchive.archive.export import write_csv
from regarchive.archive.outputs import temporary_path
from regarchive.archive.records import CSV_FIELDS, FORMULA_TRIGGERS

DESCRIPTOR = "datapackage.json"
DATA_FILE = "items.csv"
PACKAGE_NAME = "regarchive-items"

_FIELDS: dict[str, tuple[str, str]] = {
    "id": ("integer", "The item's number in the archive."),
    "url": (
        "string",
        "Canonical URL: the page's rel=canonical on the same site, else where it was fetched; "
        "fragments and tracking parameters dropped.",
    ),
    "urls": ("string", "Every URL the article was seen at, separated by ';'."),
    "site": ("string", "Host (and port) of url."),
    "title": ("string", "Title, without the category and rubric prefix or the site name."),
    "category": ("string", "'Actu' (news) or 'Circ.' (circular); empty when unknown."),
    "category_source": (
        "string",
        "What gave the category: 'label' (a title or link label prefix), 'surtitre', 'tag', "
        "'breadcrumb', 'url', 'listing' (a listing entry linking to it); empty when unknown "
        "or not recorded (items archived before provenance was).",
    ),
    "rubrics": ("string", "Every rubric the article is listed under, separated by ';'."),
    "source": ("string", "Who issued it, from the byline."),
    "published": (
        "date",
        "Publication date, read from the page itself (or, for a page that shows none, from the "
        "site's feed: published_source 'feed'); empty when unknown.",
    ),
    "published_source": (
        "string",
        "The reader that gave the publication date, in their order of trust: 'spip-header', "
        "'byline', 'itemprop', 'json-ld', 'opengraph', 'meta', 'time', 'date-line', 'url', "
        "'near-title', 'htmldate'; 'feed' when the page shows none and the site's feed "
        "gives one; empty when no date or not recorded.",
    ),
    "updated": ("date", "Update date, read from the page itself; empty when none."),
    "updated_source": (
        "string",
        "The reader that gave the update date ('spip-header', 'byline', 'json-ld', 'opengraph', "
        "'meta'…); empty when no update or not recorded.",
    ),
    "lang": ("string", "The page's language."),
    "text": ("string", "The article text, one paragraph per line."),
    "first_seen": ("datetime", "When the archive first saw the article (UTC)."),
    "last_seen": ("datetime", "When the archive last saw the article (UTC)."),
    "related": (
        "array",
        "The 'Dans la même rubrique' entries: a JSON array of objects with url, label, "
        "category, rubric and title.",
    ),
    "warnings": ("string", "What the extractor found doubtful, separated by ';'."),
    "attachments": (
        "array",
        "The documents the article links (PDF, ODT, DOCX…): a JSON array of objects with url, "
        "label (the link's text), title (the document's own), media_type, size (bytes), sha256 "
        "(of the stored copy), pages and text_length (characters of text read), and text when "
        "exported with --with-attachment-text. A link that could not be fetched has only url "
        "and label.",
    ),
}

_CONSTRAINTS: dict[str, dict[str, Any]] = {
    "id": {"required": True, "unique": True},
    "url": {"required": True, "unique": True},
    "site": {"required": True},
    "first_seen": {"required": True},
    "last_seen": {"required": True},
}


def table_schema() -> dict[str, Any]:
    """The Table Schema of ``items.csv``: one field per CSV column, in order."""
    fields = []
    for name in CSV_FIELDS:
        kind, description = _FIELDS[name]
        entry: dict[str, Any] = {"name": name, "type": kind, "description": description}
        if name == "url":
            entry["format"] = "uri"
        if name in _CONSTRAINTS:
            entry["constraints"] = _CONSTRAINTS[name]
        fields.append(entry)
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}


@dataclass
class Coverage:
    """What the exported items cover, gathered while they stream past."""

    items: int = 0
    undated: int = 0
    first: str | None = None
    last: str | None = None
    sites: dict[str, str] = field(default_factory=dict)  # site -> scheme://site/
    rubrics: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)

    def track(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for record in records:
            self.add(record)
            yield record

    def add(self, record: Mapping[str, Any]) -> None:
        self.items += 1
        published = record.get("published")
        if published is None:
            self.undated += 1
        else:
            self.first = min(self.first or published, published)
            self.last = max(self.last or published, published)
        site = record.get("site")
        if site and site not in self.sites:
            self.sites[site] = f"{urlsplit(record.get('url') or '').scheme or 'https'}://{site}/"
        self.rubrics.update(record.get("rubrics") or ())
        self.categories[record.get("category") or ""] += 1


def write_datapackage(
    records: Iterable[dict[str, Any]],
    folder: str | Path,
    *,
    version: str,
    created: datetime | None = None,
    safe_csv: bool = True,
    about: Mapping[str, Any] | None = None,
) -> Coverage:
    """Write ``records`` as a Data Package in ``folder`` and return what it covers.

    ``folder`` is created, or replaced when it already holds a data package; any other
    existing path is refused (:class:`ExportError`). ``about`` adds properties under
    ``regarchive`` in the descriptor (the filters, the export name…).
    """
    target = Path(folder).expanduser()
    _check_target(target)
    with temporary_path(target, folder=True) as partial:
        coverage = Coverage()
        data = partial / DATA_FILE
        with data.open("w", encoding="utf-8", newline="") as out:
            write_csv(coverage.track(records), out, safe=safe_csv)
        descriptor = package_descriptor(
            coverage,
            data_bytes=data.stat().st_size,
            data_sha256=_sha256(data),
            version=version,
            created=created or datetime.now(timezone.utc),
            safe_csv=safe_csv,
            about=about or {},
        )
        text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
        (partial / DESCRIPTOR).write_text(text, encoding="utf-8")
    return coverage


def package_descriptor(
    coverage: Coverage,
    *,
    data_bytes: int,
    data_sha256: str,
    version: str,
    created: datetime,
    safe_csv: bool,
    about: Mapping[str, Any],
) -> dict[str, Any]:
    """The ``datapackage.json`` content for an ``items.csv`` of ``data_bytes`` bytes."""
    period = (
        f"published from {coverage.first} to {coverage.last}"
        if coverage.first
        else "without publication dates"
    )
    sites = ", ".join(coverage.sites) or "no site"
    description = (
        f"{coverage.items} news items and circulars {period}, archived from {sites} by "
        "regarchive: one row per article, however many URLs or rubrics it appears under."
    )
    if safe_csv:
        triggers = " ".join(t for t in FORMULA_TRIGGERS if t.isprintable())
        description += (
            f" Text cells starting with {triggers} (or a quote followed by one) are prefixed "
            "with a quote (') so that spreadsheets do not run them as formulas."
        )
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "News items and circulars archived by regarchive",
        "description": description,
        "created": _timestamp(created),
        "keywords": sorted(coverage.rubrics),
        "sources": [{"title": site, "path": url} for site, url in coverage.sites.items()],
        "resources": [
            {
                "profile": "tabular-data-resource",
                "name": "items",
                "path": DATA_FILE,
                "title": "Archived items",
                "description": "One row per article, ordered by publication date then id.",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": data_bytes,
                "hash": f"sha256:{data_sha256}",
                "rows": coverage.items,
                "dialect": {
                    "delimiter": ",",
                    "lineTerminator": "\n",
                    "quoteChar": '"',
                    "doubleQuote": True,
                    "header": True,
                },
                "schema": table_schema(),
            }
        ],
        "regarchive": {
            "version": version,
            "items": coverage.items,
            "published_from": coverage.first,
            "published_to": coverage.last,
            "undated_items": coverage.undated,
            "sites": list(coverage.sites),
            "rubrics": dict(sorted(coverage.rubrics.items())),
            "categories": dict(sorted(coverage.categories.items())),
            "safe_csv": safe_csv,
            **about,
        },
    }


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _check_target(target: Path) -> None:
    """Only a missing folder, an empty one or a package written before may be (re)placed."""
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file; a data package is a folder: give a folder path")
    if target.is_dir():
        names = {entry.name for entry in target.iterdir()}
        if names and (DESCRIPTOR not in names or not names <= {DESCRIPTOR, DATA_FILE}):
            raise ExportError(
                f"{target} holds other files than a data package; left untouched, "
                "give a new folder path"
            )
