"""One document's bytes in, what was read from them out: the reader's one entry point."""

from __future__ import annotations

from typing import Any

from regarchive.pipelines.documents.limits import ReadLimits
from regarchive.pipelines.documents.sniff import DOCX, HTML, ODT, PDF, media_type_of, type_warning
from regarchive.pipelines.documents.text import Reading


def read_document(
    body: bytes, *, content_type: str | None = None, limits: ReadLimits | None = None
) -> dict[str, Any]:
    """What a fetched document holds: ``media_type`` (from its bytes), ``pages``, ``title``,
    ``text`` (one line per line of text), ``hints`` (author, subject, ``created`` and
    ``modified`` days… from its metadata), ``warnings``, and ``error`` when the body is no
    document at all (an HTML page: most often an error page served at the document's URL).

    A pure function (no I/O, no clock) that never raises on bad input; run it through
    :func:`regarchive.pipelines.documents.read_bounded` to bound its time and memory.
    """
    limits = limits or ReadLimits()
    media_type = media_type_of(body, content_type)
    if media_type == HTML:
        reading = Reading(HTML, error="an HTML page, not a document (an error page?)")
        return reading.as_dict()
    if not body:
        return Reading(media_type, error="an empty answer").as_dict()
    if media_type == PDF:
        from regarchive.pipelines.documents.pdf import read_pdf

        reading = read_pdf(body, limits)
    elif media_type in (ODT, DOCX):
        from regarchive.pipelines.documents.office import read_office

        reading = read_office(body, media_type, limits)
    else:
        # Stored as fetched; no text is read from other formats (.doc, .xls, images…).
        reading = Reading(media_type)
    mislabelled = type_warning(media_type, content_type)
    if mislabelled:
        reading.warnings.insert(0, mislabelled)
    return reading.as_dict()
