"""What a frontier crawler pushes to the stream, and how the ingester reads it back.

One stream entry per thing the storage pipeline would have written: the start of a crawler's
run, a batch of sightings, an extracted record with its page, an unchanged page, an error, a
fetched document (attachment) with what was read of it, what the sitemaps and feeds said of
the pages fetched (hints), the listings walked to their end, the end of the run. Fields:
``kind``, ``crawler`` (who pushed it), ``data`` (JSON) and, for a record or a document,
``body``: its bytes, zlib-compressed (a real article page is about 100 kB, 21 kB compressed:
benchmarks, section g).

JSON rather than pickle: the ingester runs no code that a writer to the stream chose.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

START = "start"
SIGHTINGS = "sightings"
RECORD = "record"
UNCHANGED = "unchanged"
ERROR = "error"
ATTACHMENT = "attachment"
HINTS = "hints"
LISTINGS = "listings"
END = "end"
KINDS = frozenset({START, SIGHTINGS, RECORD, UNCHANGED, ERROR, ATTACHMENT, HINTS, LISTINGS, END})


class BadEntry(ValueError):
    """A stream entry that is not one of ours (or is damaged)."""


@dataclass(frozen=True)
class Entry:
    kind: str
    crawler: str
    data: dict[str, Any]
    body: bytes | None = None


def encode(
    kind: str, crawler: str, data: Mapping[str, Any], body: bytes | None = None
) -> dict[str, bytes]:
    fields = {
        "kind": kind.encode(),
        "crawler": crawler.encode(),
        "data": json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode(),
    }
    if body is not None:
        fields["body"] = zlib.compress(body)
    return fields


def decode(fields: Mapping[bytes, bytes]) -> Entry:
    try:
        kind = fields[b"kind"].decode()
        crawler = fields[b"crawler"].decode()
        data = json.loads(fields[b"data"])
        body = zlib.decompress(fields[b"body"]) if b"body" in fields else None
    except (KeyError, UnicodeDecodeError, ValueError, zlib.error) as error:
        raise BadEntry(f"unreadable entry ({type(error).__name__}: {error})") from None
    if kind not in KINDS or not isinstance(data, dict):
        raise BadEntry(f"unknown entry kind {kind!r}")
    return Entry(kind, crawler, data, body)
