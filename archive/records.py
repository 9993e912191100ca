"""The public shape of an exported record: one place for the field list and its CSV form.

A record is a dict with exactly the keys of :data:`EXPORT_FIELDS`, in that order:

- ``id`` (int), ``url`` (canonical URL), ``urls`` (every URL the item was seen at, sorted),
  ``site``, ``title``, ``category`` (``Actu``, ``Circ.`` or None), ``category_source``,
- ``rubrics`` (list of str, sorted case-insensitively), ``source``,
- ``published``, ``published_source``, ``updated``, ``updated_source`` (dates ``YYYY-MM-DD``
  or None; the sources name the reader that gave each, None for items saved before they were
  recorded), ``lang``, ``text``,
- ``first_seen``, ``last_seen`` (ISO 8601 UTC, ``2026-11-28T10:00:00Z``),
- ``related`` (list of ``{url, label, category, rubric, title}`` sorted by url),
- ``warnings`` (list of str; an attachment's problems as ``attachment URL: …``),
- ``attachments`` (list of ``{url, label, title, media_type, size, sha256, pages,
  text_length}`` sorted by url, with ``text`` when asked for; a link not fetched has only
  ``url`` and ``label`` set).
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
    "category_source",
    "rubrics",
    "source",
    "published",
    "published_source",
    "updated",
    "updated_source",
    "lang",
    "text",
    "first_seen",
    "last_seen",
    "related",
    "warnings",
    "attachments",
)

RELATED_FIELDS: tuple[str, ...] = ("url", "label", "category", "rubric", "title")

# Plain string lists become one cell joined by this separator; `related` holds dicts, so it
# goes out as a JSON array instead.
LIST_SEPARATOR = ";"

CSV_FIELDS: tuple[str, ...] = EXPORT_FIELDS


# Spreadsheets run a cell starting with one of these as a formula ("=HYPERLINK(…)"): CSV
# injection. Tab and carriage return too, as OWASP lists them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The quote that makes spreadsheets show a cell as text; it does not show in the cell.
FORMULA_ESCAPE = "'"


# Cells holding one of these are quoted. The csv module's writer only quotes for the characters
# of its line terminator, so with "\n" it would leave a lone "\r" bare and break the row.
_CSV_SPECIAL = (",", '"', "\r", "\n")


def csv_line(cells: list[str]) -> str:
    """One CSV line (RFC 4180 quoting, ``\n`` ending): what ``csv.reader`` reads back as is."""
    return ",".join(_quote(cell) for cell in cells) + "\n"


def _quote(cell: str) -> str:
    if any(special in cell for special in _CSV_SPECIAL):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def to_csv_row(record: Mapping[str, Any], *, safe: bool = False) -> list[str]:
    """The CSV cells of ``record``, in :data:`CSV_FIELDS` order.

    None becomes an empty cell, string lists are ``;``-joined and ``related`` is a JSON array.
    ``safe`` neutralises cells a spreadsheet would run as formulas (see :func:`neutralize`).
    """
    cells = [_csv_cell(field, record.get(field)) for field in CSV_FIELDS]
    return [neutralize(cell) for cell in cells] if safe else cells


def neutralize(cell: str) -> str:
    """``cell`` prefixed with ``'`` when a spreadsheet would take it for a formula.

    Cells that already start with quotes followed by a trigger get one more quote, so that
    :func:`restore` gives back exactly the original value: ``=1`` → ``'=1``, ``'=1`` → ``''=1``.
    """
    if cell.lstrip(FORMULA_ESCAPE).startswith(FORMULA_TRIGGERS):
        return FORMULA_ESCAPE + cell
    return cell


def restore(cell: str) -> str:
    """The value :func:`neutralize` was given (for programs reading a safe CSV back)."""
    if cell.startswith(FORMULA_ESCAPE) and cell.lstrip(FORMULA_ESCAPE).startswith(FORMULA_TRIGGERS):
        return cell[len(FORMULA_ESCAPE) :]
    return cell


def _csv_cell(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field in ("related", "attachments"):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)
