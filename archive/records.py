"""The public shape of an exported record: one place for the field list and its CSV form.

A record is a dict with exactly the keys of :data:`EXPORT_FIELDS`, in that order:

- ``id`` (int), ``url`` (canonical URL), ``urls`` (every URL the item was seen at, sorted),
  ``site``, ``title``, ``category`` (``Actu``, ``Circ.`` or None),
- ``rubrics`` (list of str, sorted case-insensitively), ``source``,
- ``published``, ``updated`` (``YYYY-MM-DD`` or None), ``lang``, ``text``,
- ``first_seen``, ``last_seen`` (ISO 8601 UTC, ``2026-11-28T10:00:00Z``),
- ``related`` (list of ``{url, label, category, rubric, title}`` sorted by url),
- ``warnings`` (list of str).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

EXPORT_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "urls",
    "site",
    "title",
    "category",
    "rubrics",
    "source",
    "published",
    "updated",
    "lang",
    "text",
    "first_seen",
    "last_seen",
    "related",
    "warnings",
)

RELATED_FIELDS: tuple[str, ...] = ("url", "label", "category", "rubric", "title")

# Plain string lists become one cell joined by this separator; `related` holds dicts, so it
# goes out as a JSON array instead.
LIST_SEPARATOR = ";"

CSV_FIELDS: tuple[str, ...] = EXPORT_FIELDS


def to_csv_row(record: Mapping[str, Any]) -> list[str]:
    """The CSV cells of ``record``, in :data:`CSV_FIELDS` order.

    None becomes an empty cell, string lists are ``;``-joined and ``related`` is a JSON array.
    """
    return [_csv_cell(field, record.get(field)) for field in CSV_FIELDS]


def _csv_cell(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field == "related":
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)
