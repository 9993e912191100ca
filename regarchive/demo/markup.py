"""Small pieces every skeleton of the sample sites writes its pages with: SPIP's typography,
attribute escaping, dates as pages and HTTP give them, the attached PDFs, tracking parameters."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date, datetime, timezone
from email.utils import format_datetime

from regarchive.demo import content as c

_TRACKING_PREFIXES = ("utm_",)
_TRACKING_PARAMS = {"fbclid", "gclid", "xtor", "mc_cid", "mc_eid"}
HTML_UTF8 = "text/html; charset=utf-8"


_TYPO_SPACE = re.compile(r" ([:;!?»])")


def typo(text: str) -> str:
    """HTML for a text as SPIP typesets it: &nbsp; before : ; ! ? » and after «."""
    out = _TYPO_SPACE.sub(r"&nbsp;\1", html.escape(text, quote=False))
    return out.replace("« ", "«&nbsp;")


def retyped(text: str) -> str:
    """HTML for the same text typed again by hand: straight quotes, a nbsp, double spaces."""
    out = text.replace("« ", '"').replace(" »", ' "').replace("’", "'")
    out = out.replace(", ", ",  ", 1)
    first = out.find(" ")
    if first > 0:
        out = out[:first] + "\u00a0" + out[first + 1 :]
    return html.escape(out, quote=False)


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def relative(path: str) -> str:
    """Relative href of a root-level path, as SPIP writes it (``spip.php?article12``)."""
    return path.lstrip("/") or "./"


def intro(chapo: str, limit: int = 150) -> str:
    """SPIP's #INTRODUCTION, roughly: the chapô cut at a word boundary."""
    if len(chapo) <= limit:
        return chapo
    return chapo[: chapo.rfind(" ", 0, limit)] + " (…)"


def iso_time(day: date, number: int) -> str:
    return f"{day.isoformat()}T{8 + number % 9:02d}:{(number * 7) % 60:02d}:00Z"


def http_date(day: date) -> str:
    moment = datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.utc)
    return format_datetime(moment, usegmt=True)


def etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest() + '"'


def pdf_reference(number: int) -> str:
    """The file reference the note of article ``number`` gives, in its PDF only: a word to
    search the archive for, found in the attachment and nowhere else."""
    return f"NOTE{number:04d}DGCL"


def pdf_bytes(title: str, number: int) -> bytes:
    """A small, valid one-page PDF (ASCII title, then the note's reference)."""
    text = c.slugify(title, 80).replace("-", " ")
    stream = (
        f"BT /F1 12 Tf 72 720 Td ({text}) Tj 0 -20 Td "
        f"(Annexe technique, reference {pdf_reference(number)}) Tj ET"
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def strip_tracking(path: str) -> str:
    """The path without ``utm_*``-style parameters (which PHP would simply ignore)."""
    base, sep, query = path.partition("?")
    if not sep:
        return path
    kept = [
        part
        for part in query.split("&")
        if part
        and not part.split("=", 1)[0].startswith(_TRACKING_PREFIXES)
        and part.split("=", 1)[0] not in _TRACKING_PARAMS
    ]
    return base + ("?" + "&".join(kept) if kept else "")


def utm_suffix(path: str) -> str:
    joiner = "&" if "?" in path else "?"
    return f"{joiner}utm_source=newsletter&utm_medium=email"
