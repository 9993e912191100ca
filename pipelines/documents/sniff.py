"""What a document is, from its bytes first and the server's Content-Type second.

Servers label documents wrongly all the time (``application/octet-stream``, ``text/html`` for a
PDF, ``application/pdf`` for an HTML error page), so the bytes decide: the PDF header, the
zip members that make an ODF or OOXML file, an HTML start.
"""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
OCTET_STREAM = "application/octet-stream"

# Content-Types that say nothing about the document ("download this").
GENERIC_TYPES = frozenset(
    {
        OCTET_STREAM,
        "binary/octet-stream",
        "application/force-download",
        "application/download",
        "application/x-download",
        "application/unknown",
    }
)
# The OOXML main parts and the media type each one makes.
_OOXML_PARTS = {
    "word/document.xml": DOCX,
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<title", b"<meta", b"<?xml")


def served_type(content_type: str | None) -> str | None:
    """The media type of a Content-Type header, lower case, without parameters."""
    if not content_type:
        return None
    return content_type.split(";")[0].strip().lower() or None


def media_type_of(body: bytes, content_type: str | None) -> str:
    """The document's media type, read from its bytes where they say it."""
    head = body[:1024]
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(body) or served_type(content_type) or "application/zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: .doc, .xls, .ppt
        served = served_type(content_type)
        return served if served and served not in GENERIC_TYPES else "application/x-ole-storage"
    if _looks_like_html(head):
        return HTML
    served = served_type(content_type)
    return served if served and served != HTML else OCTET_STREAM


def _zip_type(body: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 200:
                    return archive.read(info).decode("ascii", "replace").strip() or None
            for part, media_type in _OOXML_PARTS.items():
                if part in names:
                    return media_type
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    return None


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<?xml"):
        return b"<html" in start
    return start.startswith(_HTML_STARTS)


def type_warning(media_type: str, content_type: str | None) -> str | None:
    """A warning when the server called the document something it is not."""
    served = served_type(content_type)
    if served is None or served in GENERIC_TYPES or served == media_type:
        return None
    return f"served as {served} but is {media_type}"
