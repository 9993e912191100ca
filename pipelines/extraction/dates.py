"""French (and, failing that, English) dates as these sites write them, to ISO ``YYYY-MM-DD``.

The common shapes are read by regular expressions — ISO 8601, numeric day-first dates
(``12/12/2017``, ``12.12.2017``), ``1er août 2023`` with full or abbreviated month names, with or
without accents — since that is two orders of magnitude faster than dateparser. Whatever they do
not recognise goes to one dateparser instance built at import (French then English, day first,
day + month + year all required, absolute dates only: "il y a 3 jours" would need the crawl time,
and a record never takes its dates from the crawl).

A date is never invented nor guessed: an impossible day, a date in the future or before 1990 is
rejected with a reason the caller can turn into a warning.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateparser.date import DateDataParser

# Older dates on these sites are almost always a template default or a parsing accident.
MIN_YEAR = 1990
# A page may be dated "tomorrow" by a server a few hours ahead of the crawler; beyond that, no.
FUTURE_TOLERANCE = timedelta(days=1)

try:  # ISO timestamps with an offset (SPIP's ``date_iso`` is UTC) are read in the sites' time
    SITE_TIMEZONE: ZoneInfo | None = ZoneInfo("Europe/Paris")
except ZoneInfoNotFoundError:  # pragma: no cover - no tz database: keep the date as written
    SITE_TIMEZONE = None

_MONTHS = {
    "janvier": 1, "janv": 1, "jan": 1, "january": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "february": 2, "feb": 2,
    "mars": 3, "mar": 3, "march": 3,
    "avril": 4, "avr": 4, "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juin": 6, "june": 6, "jun": 6,
    "juillet": 7, "juil": 7, "july": 7, "jul": 7,
    "aout": 8, "august": 8, "aug": 8,
    "septembre": 9, "sept": 9, "sep": 9, "september": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\b\.?"
_YEAR = r"(?P<year>\d{4})(?!\d)"

# All patterns run on the folded text (lower case, no accents, spaces collapsed).
_ISO = re.compile(
    r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[t ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_YMD_SLASH = re.compile(r"(?<![\d/])(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})(?![\d/])")
_DMY_NUMERIC = re.compile(
    r"(?<![\d/.-])(?P<day>\d{1,2})(?P<sep>[/.-])(?P<month>\d{1,2})(?P=sep)"
    r"(?P<year>\d{4}|(?<=/)\d{2})(?!\d|[/.-]\d)"  # two-digit years only as 12/12/17
)
_DMY_TEXT = re.compile(r"(?<!\d)(?P<day>\d{1,2})\s?(?:er|eme|e)?\s+" + _MONTH + r",?\s+" + _YEAR)
_MDY_TEXT = re.compile(r"(?<![a-z])" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _YEAR)
_PATTERNS = (_ISO, _YMD_SLASH, _DMY_NUMERIC, _DMY_TEXT, _MDY_TEXT)

# What dateparser is given a chance on: short strings with a year and a word.
_FALLBACK_CANDIDATE = re.compile(r"(?=.*\d{4})(?=.*[a-z]{3})")
_FALLBACK_MAX_LENGTH = 60
_PREFIX = re.compile(
    r"^(?:(?:publie|mis a jour|mise a jour|modifie|derniere modification|date|"
    r"mise en ligne|cree)e?s?\s*(?:le|:)?\s*)?(?:le\s+)?",
)

_PARSER = DateDataParser(
    languages=["fr", "en"],
    settings={
        "DATE_ORDER": "DMY",
        "PREFER_LOCALE_DATE_ORDER": False,
        "REQUIRE_PARTS": ["day", "month", "year"],
        "STRICT_PARSING": True,
        "PARSERS": ["absolute-time"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    },
)

# Phrases that introduce a page's own dates ("Publié le …", "mis à jour le …").
_PHRASE = re.compile(
    r"(?P<published>publie(?:e|s|es)?\s*(?:le|:)|date de publication\s*:?|"
    r"mise? en ligne\s*(?:le|:)|en ligne depuis le)"
    r"|(?P<updated>mise? a jour\s*(?:le|:)?|modifie(?:e|s|es)?\s*(?:le|:)|"
    r"derniere (?:modification|mise a jour)\s*(?:le|:)?|actualise(?:e|s|es)?\s*(?:le|:))"
)
_PHRASE_WINDOW = 48

_FOLD = str.maketrans(
    "àâäáãåçéèêëíìîïñóòôöõúùûüýÿœæ\u00a0\u202f\u2009\u2007\u200b",
    "aaaaaaceeeeiiiinooooouuuuyyoa     ",
)


@dataclass(frozen=True, slots=True)
class DateResult:
    """An ISO date, or None; ``reason`` says why a date-looking text was rejected.

    ``reason`` is None both for a good date and for a text that holds no date at all; it is a
    ready-made warning (``impossible date '31/02/2024' ignored``) otherwise.
    """

    value: str | None
    reason: str | None = None

    @property
    def rejected(self) -> bool:
        return self.value is None and self.reason is not None


NO_DATE = DateResult(None)


def fold(text: str) -> str:
    """Lower case, accents removed, every space a plain one, runs collapsed.

    Keeps one character per character of the NFKC-normalised input, so offsets found in the
    folded text hold in :func:`normalize`'s output.
    """
    return " ".join(normalize(text).lower().translate(_FOLD).split())


def normalize(text: str) -> str:
    """NFKC (``1ᵉʳ`` → ``1er``), exotic spaces to plain ones, runs collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def parse_french_date(text: str, *, today: date | None = None) -> DateResult:
    """The first date written in ``text``, as ``YYYY-MM-DD``.

    Leading words ("Publié le", "mardi", "Mis à jour :") and trailing ones ("à 10h30") are
    ignored. A timestamp with an offset (``2017-12-11T23:30:00Z``) gives its date in the sites'
    time zone, Europe/Paris (``2017-12-12``); one without an offset, its date as written.
    ``today`` bounds what is acceptable (default: the current date).
    """
    clean = normalize(text)
    folded = fold(clean)
    if not folded:
        return NO_DATE
    if len(folded) != len(clean):  # a character folded into several: quote the whole input
        clean = folded
    best: re.Match[str] | None = None
    for pattern in _PATTERNS:
        match = pattern.search(folded)
        if match and (best is None or match.start() < best.start()):
            best = match
            if match.start() == 0:
                break
    if best is not None:
        return _from_match(best, clean[best.start() : best.end()], today)
    return _fallback(folded, clean, today)


def looks_like_date(text: str) -> bool:
    """True when ``text`` holds a date, valid or not (``31/02/2024`` does)."""
    result = parse_french_date(text)
    return result.value is not None or result.rejected


def find_dated_phrases(text: str) -> list[tuple[str, str]]:
    """``("published" | "updated", fragment)`` for each "Publié le …"/"mis à jour le …" phrase.

    The fragment is the text right after the phrase, for :func:`parse_french_date`.
    """
    clean = normalize(text)
    folded = fold(clean)
    if len(folded) != len(clean):
        clean = folded
    found: list[tuple[str, str]] = []
    for match in _PHRASE.finditer(folded):
        kind = "published" if match.group("published") else "updated"
        found.append((kind, clean[match.end() : match.end() + _PHRASE_WINDOW]))
    return found


def check_date(year: int, month: int, day: int, raw: str, today: date | None = None) -> DateResult:
    """Validate a calendar date: it must exist, not be before 1990 nor after tomorrow."""
    try:
        value = date(year, month, day)
    except ValueError:
        return DateResult(None, f"impossible date '{raw}' ignored")
    if year < MIN_YEAR:
        return DateResult(None, f"implausible date '{raw}' ignored")
    if value > (today or date.today()) + FUTURE_TOLERANCE:
        return DateResult(None, f"future date '{raw}' ignored")
    return DateResult(value.isoformat())


def _from_match(match: re.Match[str], raw: str, today: date | None) -> DateResult:
    parts = match.groupdict()
    month_text = parts["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text]
    year = int(parts["year"])
    if len(parts["year"]) == 2:
        year += 2000 if year <= (today or date.today()).year % 100 + 1 else 1900
    day = int(parts["day"])
    if parts.get("tz") and parts.get("hour") and SITE_TIMEZONE is not None:
        local = _local_date(year, month, day, parts)
        if local is not None:
            year, month, day = local.year, local.month, local.day
    return check_date(year, month, day, raw, today)


def _local_date(year: int, month: int, day: int, parts: dict[str, str]) -> date | None:
    """The site-local date of an ISO timestamp with an offset (None if it is not a real time)."""
    tz = parts["tz"]
    offset = timedelta(0)
    if tz != "z":
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        moment = datetime(
            year, month, day, int(parts["hour"]), int(parts["minute"]),
            int(parts["second"] or 0), tzinfo=timezone(offset),
        )  # fmt: skip
    except ValueError:
        return None
    return moment.astimezone(SITE_TIMEZONE).date()


def _fallback(folded: str, clean: str, today: date | None) -> DateResult:
    """dateparser, for what the patterns did not recognise (``2017, December 12``…)."""
    candidate = _PREFIX.sub("", folded, count=1)
    if len(candidate) > _FALLBACK_MAX_LENGTH or not _FALLBACK_CANDIDATE.match(candidate):
        return NO_DATE
    parsed = _PARSER.get_date_data(candidate).date_obj
    if parsed is None:
        return NO_DATE
    return check_date(parsed.year, parsed.month, parsed.day, clean, today)
