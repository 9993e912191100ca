"""Is this body really HTML? Servers label PDFs, images and archives ``text/html`` too."""

from __future__ import annotations

import codecs
import re

from w3lib.encoding import read_bom

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
# UTF-16 and UTF-32 text is half or three quarters NUL bytes: read as characters, not bytes.
_WIDE_CHARSET = re.compile(r"charset\s*=\s*[\"']?(utf-?(?:16|32)(?:-?[bl]e)?)", re.I)


def looks_binary(body: bytes, content_type: str | None = None) -> bool:
    """True for a body that is a known binary format or mostly control characters.

    A body with a UTF-16 or UTF-32 byte-order mark, or whose ``content_type`` declares one of
    these encodings, is judged on its characters.
    """
    sample = body[:_SAMPLE]
    wide = _wide_encoding(sample, content_type)
    if wide is not None:
        text = sample.decode(wide, "replace").lstrip()
        codes = [ord(char) for char in text]
    else:
        head = sample.lstrip()
        if head.startswith(_MAGIC):
            return True
        codes = list(head)
    if not codes:
        return False
    controls = sum(1 for code in codes if code < 0x20 and code not in _TEXT_CONTROLS)
    return controls / len(codes) > _MAX_CONTROL_SHARE


def _wide_encoding(sample: bytes, content_type: str | None) -> str | None:
    """The UTF-16 or UTF-32 codec the body is in, by its byte-order mark or its charset."""
    encoding, bom = read_bom(sample)
    if encoding is not None and bom is not None and encoding.startswith(("utf-16", "utf-32")):
        return encoding
    match = _WIDE_CHARSET.search(content_type or "")
    if match is None:
        return None
    try:
        return codecs.lookup(match.group(1)).name
    except LookupError:  # "utf16le": no codec by that name, and no page either
        return None
