"""Is this body really HTML? Servers label PDFs, images and archives ``text/html`` too."""

from __future__ import annotations

# File signatures of what public sites attach to articles (and sometimes serve as HTML).
_MAGIC = (
    b"%PDF",
    b"PK\x03\x04",  # zip, docx, xlsx, odt
    b"\xd0\xcf\x11\xe0",  # doc, xls (OLE)
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",  # JPEG
    b"\x1f\x8b",  # gzip
    b"Rar!",
    b"7z\xbc\xaf",
    b"ID3",  # mp3
)
_SAMPLE = 4096
# Share of control characters above which a body is binary: an HTML page with a stray NUL or
# two stays far below it, a compressed or image body is far above.
_MAX_CONTROL_SHARE = 0.1
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")


def looks_binary(body: bytes) -> bool:
    """True for a body that is a known binary format or mostly control bytes."""
    head = body[:_SAMPLE].lstrip()
    if head.startswith(_MAGIC):
        return True
    if not head:
        return False
    controls = sum(1 for byte in head if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return controls / len(head) > _MAX_CONTROL_SHARE
