"""What is kept of a document's text and metadata values."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# Control characters other than newline and tab: PDF text extraction yields stray ones.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u00a0\u202f]+")
# Metadata values (title, author) are labels, never pages of text.
MAX_HINT_CHARS = 500


@dataclass
class Reading:
    """What was read from a document (see :func:`regarchive.pipelines.documents.read_document`)."""

    media_type: str
    pages: int | None = None
    title: str | None = None
    text: str = ""
    hints: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "media_type": self.media_type,
            "pages": self.pages,
            "title": self.title,
            "text": self.text,
            "hints": self.hints,
            "warnings": self.warnings,
            "error": self.error,
        }


def clean_lines(text: str) -> list[str]:
    """Lines of extracted text: NFC, control characters gone, spaces collapsed, blank lines
    dropped."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", text))
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


class TextBudget:
    """Collects lines up to ``limit`` characters; says whether some were cut."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines: list[str] = []
        self.size = 0
        self.cut = False

    def add(self, text: str) -> bool:
        """Keep the lines of ``text`` while there is room; False once the budget is spent."""
        for line in clean_lines(text):
            if self.size + len(line) + 1 > self.limit:
                self.cut = True
                return False
            self.lines.append(line)
            self.size += len(line) + 1
        return True

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def hint(value: Any) -> str | None:
    """A metadata value as clean text, or None when there is nothing in it."""
    if value is None:
        return None
    lines = clean_lines(str(value))
    text = " ".join(lines)[:MAX_HINT_CHARS]
    return text or None


_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def date_hint(value: Any) -> str | None:
    """``YYYY-MM-DD`` from a PDF date (``D:20240315120000+01'00'``) or an ISO one, if valid."""
    text = hint(value)
    if text is None:
        return None
    match = _ISO_DATE.match(text) or _PDF_DATE.match(text)
    if match is None or not match.group(2) or not match.group(3):
        return None
    year, month, day = (int(part) for part in match.groups())
    if not (1970 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
