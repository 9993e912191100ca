"""PDF text, page count and metadata with pypdf, within limits.

pypdf bounds decompression itself (``pypdf.apply_configuration``): a stream that inflates
beyond :attr:`ReadLimits.inflated` raises ``LimitReachedError`` at once instead of filling the
memory. Pages are read one by one, so a page that fails costs only itself, and reading stops
at :attr:`ReadLimits.pages` pages or :attr:`ReadLimits.text_chars` characters.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from regarchive.pipelines.documents.limits import MB, ReadLimits
from regarchive.pipelines.documents.sniff import PDF
from regarchive.pipelines.documents.text import Reading, TextBudget, date_hint, hint

_HINTS = {"/Author": "author", "/Subject": "subject", "/Creator": "creator"}
_HINTS |= {"/Producer": "producer", "/Keywords": "keywords"}
_DATES = {"/CreationDate": "created", "/ModDate": "modified"}


def read_pdf(body: bytes, limits: ReadLimits) -> Reading:
    import pypdf
    from pypdf.errors import FileNotDecryptedError, LimitReachedError

    # pypdf logs every repair it makes on a damaged file; the warnings below say what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reading = Reading(PDF)
    if not body.rstrip().endswith(b"%%EOF"):
        reading.warnings.append("truncated PDF: it has no end-of-file marker")
    bounds = {
        f"{name}_maximum_output_length": limits.inflated
        for name in ("zlib", "lzw", "run_length", "brotli", "jbig2", "array_based_stream")
    }
    try:
        with pypdf.apply_configuration(**bounds):
            reader = pypdf.PdfReader(io.BytesIO(body))
            if reader.is_encrypted and not _decrypt(reader):
                reading.warnings.append("encrypted PDF: it needs a password, its text was not read")
                return reading
            reading.pages = len(reader.pages)
            _read_metadata(reader, reading)
            _read_pages(reader, reading, limits)
    except LimitReachedError:
        reading.warnings.append(
            f"PDF with a stream inflating beyond {limits.inflated // MB} MB "
            "(a decompression bomb?): its text was not read"
        )
    except FileNotDecryptedError:
        reading.warnings.append("encrypted PDF: it needs a password, its text was not read")
    except MemoryError:
        raise  # the reader's process reports it (see documents.bounded)
    except Exception as error:  # pypdf raises many kinds on damaged files; none may stop us
        reading.warnings.append(f"unreadable PDF: {_reason(error)}")
    return reading


def _decrypt(reader: Any) -> bool:
    """Open a PDF encrypted with an empty user password (restrictions only), as viewers do."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # a missing crypto backend, an unknown algorithm…
        return False


def _read_metadata(reader: Any, reading: Reading) -> None:
    try:
        info = reader.metadata or {}
        reading.title = hint(info.get("/Title"))
        for key, name in _HINTS.items():
            if value := hint(info.get(key)):
                reading.hints[name] = value
        for key, name in _DATES.items():
            if value := date_hint(info.get(key)):
                reading.hints[name] = value
    except Exception as error:
        reading.warnings.append(f"unreadable PDF metadata: {_reason(error)}")


def _read_pages(reader: Any, reading: Reading, limits: ReadLimits) -> None:
    from pypdf.errors import LimitReachedError

    budget = TextBudget(limits.text_chars)
    failed = 0
    read = 0
    for page in reader.pages:
        if read >= limits.pages:
            reading.warnings.append(
                f"long PDF: only the first {limits.pages} of its {reading.pages} pages were read"
            )
            break
        read += 1
        try:
            text = page.extract_text() or ""
        except (LimitReachedError, MemoryError):
            raise
        except Exception:
            failed += 1
            continue
        if not budget.add(text):
            reading.warnings.append(
                f"long PDF: its text was cut at {limits.text_chars:,} characters".replace(",", " ")
            )
            break
    reading.text = budget.text
    if failed:
        reading.warnings.append(f"{failed} PDF page(s) could not be read")
    if reading.pages and not reading.text and not failed:
        reading.warnings.append("PDF without text (a scan?): nothing to search in it")


def _reason(error: Exception) -> str:
    message = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__
