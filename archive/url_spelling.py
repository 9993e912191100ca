"""How a URL is spelled in the archive: one spelling per URL, whatever the page wrote.

``/Régions``, ``/R%C3%A9gions`` and ``/R%c3%a9gions`` are one URL (RFC 3986: the same IRI,
percent-encoded or not, escapes in either case). :func:`spell` writes each the way browsers
send it (w3lib's ``safe_url_string``: UTF-8 percent-encoding, an IDNA host), escapes in upper
case, unreserved characters (``A-Z a-z 0-9 - . _ ~``) as themselves. It lives here, under
every layer, because the archive itself needs it to give the URLs stored by earlier versions
their new spelling (schema 7); the extraction layer's ``normalize_url`` builds on it.
"""

from __future__ import annotations

import re

from w3lib.url import safe_url_string

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else match.group().upper()


def spell(url: str) -> str:
    """``url`` percent-encoded as browsers send it, escapes normalised (see the module)."""
    return _ESCAPE.sub(_escape, safe_url_string(url))
