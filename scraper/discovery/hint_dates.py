"""Sitemap and feed dates, normalised so that two readings of one date compare equal.

A date from a sitemap (``<lastmod>``, W3C Datetime) or a feed (``<pubDate>``, RFC 822;
``<dc:date>``, ``<updated>``, ISO 8601) is a *hint*: it is compared with the value read the
last time the article was fetched, never with the crawler's clock (sites give a day without a
time, and their clocks and time zones are their own). So what matters is that one date always
gives one string: a moment with an offset becomes UTC (``2024-03-05T09:00:00Z``), a day stays a
day (``2024-03-05``), a time without an offset stays as written, and a date that cannot be read
is kept as its text, which still tells whether it changed.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# A hint is a date; anything longer is not one, and is not worth keeping whole.
MAX_HINT_LENGTH = 64

_W3C = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})"
    r"(?:[Tt ](?P<time>\d{2}:\d{2}(?::\d{2})?)(?P<fraction>[.,]\d+)?"
    r"\s*(?P<tz>[Zz]|[+-]\d{2}:?\d{2})?)?$"
)
_YEAR_MONTH = re.compile(r"^\d{4}(?:-\d{2})?$")


def normalize_hint(text: str | None) -> str | None:
    """The comparable form of a sitemap or feed date, or None when there is none."""
    clean = " ".join((text or "").split())[:MAX_HINT_LENGTH]
    if not clean:
        return None
    return _w3c(clean) or _rfc822(clean) or clean


def _w3c(text: str) -> str | None:
    if _YEAR_MONTH.match(text):
        return text
    match = _W3C.match(text)
    if not match:
        return None
    day, time, tz = match.group("day"), match.group("time"), match.group("tz")
    if time is None:
        return _checked(day, "%Y-%m-%d")
    if len(time) == 5:
        time += ":00"
    if tz is None:
        return _checked(f"{day}T{time}", "%Y-%m-%dT%H:%M:%S")
    if tz in "Zz":
        tz = "+00:00"
    elif ":" not in tz:
        tz = f"{tz[:3]}:{tz[3:]}"
    try:
        moment = datetime.fromisoformat(f"{day}T{time}{tz}")
    except ValueError:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _checked(text: str, pattern: str) -> str | None:
    """``text`` when it is a real day or time (``2024-02-31`` is not), else None."""
    try:
        datetime.strptime(text, pattern)
    except ValueError:
        return None
    return text


def _rfc822(text: str) -> str | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": a time whose zone is unknown
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
