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
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateparser.date import DateDataParser

# Older dates on these sites are almost always a template default or a parsing accident.
MIN_YEAR = 1990
# A page may be dated "tomorrow" by a server a few hours ahead of the crawler; beyond that, no.
FUTURE_TOLERANCE = timedelta(days=1)

try:  # UTC timestamps (SPIP's ``date_iso``) are read in the sites' time unless told otherwise
    SITE_TIMEZONE: ZoneInfo | None = ZoneInfo("Europe/Paris")
except ZoneInfoNotFoundError:  # pragma: no cover - no tz database: keep the date as written
    SITE_TIMEZONE = None

FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def french_long_date(day: date) -> str:
    """A day as French pages write it in full: ``12 décembre 2017``, ``1er août 2023``."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {FRENCH_MONTHS[day.month - 1]} {day.year}"


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
    # A UTC timestamp read without a time zone to place it in: the publisher's own day may be
    # the one before or after.
    utc: bool = False
    # That timestamp's moment (UTC), to tell which neighbouring days a real offset can reach.
    instant: datetime | None = None

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


def parse_french_date(
    text: str, *, today: date | None = None, utc_zone: tzinfo | None = SITE_TIMEZONE
) -> DateResult:
    """The first date written in ``text``, as ``YYYY-MM-DD``.

    Leading words ("Publié le", "mardi", "Mis à jour :") and trailing ones ("à 10h30") are
    ignored. A timestamp is the publisher's day as written, in its own offset
    (``2023-11-08T21:11:03-05:00`` is the 8th), except a UTC one (``Z``, ``+00:00``), which says
    nothing of the publisher's day: it is placed in ``utc_zone`` (default the sites' time zone,
    Europe/Paris: ``2017-12-11T23:30:00Z`` is the 12th), or kept as written and marked ``utc``
    when ``utc_zone`` is None. ``today`` bounds what is acceptable (default: the current date).
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
        return _from_match(best, clean[best.start() : best.end()], today, utc_zone)
    return _fallback(folded, clean, today)


def date_spans(folded: str) -> list[tuple[int, int]]:
    """Where full dates are written in a :func:`fold`-ed text, in order, none overlapping (the
    longest of those starting at one place)."""
    found = sorted(
        (match.start(), -match.end()) for pattern in _PATTERNS for match in pattern.finditer(folded)
    )
    spans: list[tuple[int, int]] = []
    for start, negative_end in found:
        if not spans or start >= spans[-1][1]:
            spans.append((start, -negative_end))
    return spans


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


def _from_match(
    match: re.Match[str], raw: str, today: date | None, utc_zone: tzinfo | None
) -> DateResult:
    parts = match.groupdict()
    month_text = parts["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text]
    year = int(parts["year"])
    if len(parts["year"]) == 2:
        year += 2000 if year <= (today or date.today()).year % 100 + 1 else 1900
    day = int(parts["day"])
    utc = bool(parts.get("hour") and parts.get("tz") in _UTC_OFFSETS)
    if utc and utc_zone is not None:
        local = _local_date(year, month, day, parts, utc_zone)
        if local is not None:
            year, month, day = local.year, local.month, local.day
    result = check_date(year, month, day, raw, today)
    if not (utc and not utc_zone):
        return result
    instant = _instant(year, month, day, parts)
    return DateResult(result.value, result.reason, utc=True, instant=instant)


_UTC_OFFSETS = frozenset({"z", "+00:00", "+0000", "-00:00", "-0000"})


def _local_date(
    year: int, month: int, day: int, parts: dict[str, str], zone: tzinfo
) -> date | None:
    """The day in ``zone`` of a UTC timestamp (None if it is not a real time)."""
    moment = _instant(year, month, day, parts)
    return moment.astimezone(zone).date() if moment else None


def _instant(year: int, month: int, day: int, parts: dict[str, str]) -> datetime | None:
    """The moment of a UTC timestamp (None if it is not a real time)."""
    try:
        return datetime(
            year, month, day, int(parts["hour"]), int(parts["minute"]),
            int(parts["second"] or 0), tzinfo=timezone.utc,
        )  # fmt: skip
    except ValueError:
        return None


def _fallback(folded: str, clean: str, today: date | None) -> DateResult:
    """dateparser, for what the patterns did not recognise (``2017, December 12``…)."""
    candidate = _PREFIX.sub("", folded, count=1)
    if len(candidate) > _FALLBACK_MAX_LENGTH or not _FALLBACK_CANDIDATE.match(candidate):
        return NO_DATE
    parsed = _PARSER.get_date_data(candidate).date_obj
    if parsed is None:
        return NO_DATE
    return check_date(parsed.year, parsed.month, parsed.day, clean, today)


# --- dates written in other languages ------------------------------------------------------

# Month names (folded: lower case, no accents) of the languages of the pages these sites link
# to and quote; read only where a date is expected (next to a title), never in running text.
_WORLD_MONTH_NAMES = {
    1: "january jan janvier janv januar janner enero ene gennaio gen janeiro januari stycznia "
    "leden ledna",
    2: "february feb fevrier fevr fev februar feber febrero febbraio fevereiro februari lutego "
    "unor unora",
    3: "march mar mars marz maerz marzo marco maart maret marca brezen brezna",
    4: "april apr avril avr abril aprile kwietnia duben dubna",
    5: "may mai mayo maggio maio mei maja kveten kvetna",
    6: "june jun juin juni junio giugno junho czerwca cerven cervna",
    7: "july jul juillet juil juli julio luglio julho lipca cervenec cervence",
    8: "august aug aout agosto augustus agustus sierpnia srpen srpna",
    9: "september sep sept septembre septiembre settembre setembro wrzesnia zari",
    10: "october oct octobre oktober okt octubre ottobre outubro pazdziernika rijen rijna",
    11: "november nov novembre noviembre novembro listopada listopad listopadu",
    12: "december dec decembre dezember dez diciembre dicembre dezembro desember grudnia "
    "prosinec prosince",
}
_WORLD_MONTHS = {
    name: number for number, names in _WORLD_MONTH_NAMES.items() for name in names.split()
}
_WORLD_MONTH = "(?P<month>" + "|".join(sorted(_WORLD_MONTHS, key=len, reverse=True)) + r")\.?"
_WORLD_YEAR = r"(?P<year>(?:19|20)\d{2})(?!\d)"
_WRITTEN_PATTERNS = (
    # 3. Dezember 2011, 17 de febrero de 2020, 1er août 2023, 4th of July 2019
    re.compile(
        r"(?<!\d)(?P<day>\d{1,2})(?:\.|er|st|nd|rd|th|º)?\s*(?:de\s+|of\s+)?"
        + _WORLD_MONTH
        + r",?\s*(?:de\s+)?"
        + _WORLD_YEAR
    ),
    # December 3, 2011
    re.compile(
        r"(?<![a-z])" + _WORLD_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+" + _WORLD_YEAR
    ),
    # 03.04.2019, 3/4/2019 (day first)
    re.compile(r"(?<![\d/.-])(?P<day>\d{1,2})([./])(?P<month>\d{1,2})\2" + _WORLD_YEAR),
    re.compile(r"(?<!\d)(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})(?!\d)"),
)
# 12/03/2019 read month first, on American pages only.
_MONTH_FIRST = re.compile(
    r"(?<![\d/])(?P<month>\d{1,2})/(?P<day>\d{1,2})/(?P<year>(?:19|20)\d{2})(?!\d)"
)


def find_written_date(
    text: str, *, today: date | None = None, month_first: bool = False
) -> str | None:
    """The first full date written in a short text, in any of the languages above, or None.

    ``month_first`` reads ``12/03/2019`` as December 3rd (American pages).
    """
    folded = fold(text)
    patterns = (*_WRITTEN_PATTERNS[:2], _MONTH_FIRST if month_first else _WRITTEN_PATTERNS[2],
                _WRITTEN_PATTERNS[3])  # fmt: skip
    best: tuple[int, str] | None = None
    for pattern in patterns:
        for match in pattern.finditer(folded):
            month_text = match.group("month")
            month = int(month_text) if month_text.isdigit() else _WORLD_MONTHS.get(month_text)
            if not month:
                continue
            result = check_date(int(match.group("year")), month, int(match.group("day")), "", today)
            if result.value and (best is None or match.start() < best[0]):
                best = (match.start(), result.value)
            break
    return best[1] if best else None


def writes_day(text: str, day: str) -> bool:
    """True when ``text`` writes the ISO ``day`` out in full: ISO, numeric day first or year
    first, or with the month's name (in any language above)."""
    year, month, dom = (int(part) for part in day.split("-"))
    folded = fold(text)
    if f"{year}-{month:02d}-{dom:02d}" in folded:
        return True
    names = "|".join(re.escape(name) for name, number in _WORLD_MONTHS.items() if number == month)
    d, m, y = rf"0?{dom}", rf"0?{month}", str(year)
    patterns = (
        rf"(?<!\d){d}(?P<sep>[./-]){m}(?P=sep){y}(?!\d)",
        rf"(?<!\d){y}(?P<sep>[./]){m}(?P=sep){d}(?!\d)",
        rf"(?<!\d){d}(?:\.|er|st|nd|rd|th)?\s*(?:de\s+|of\s+)?(?:{names})\.?,?\s*(?:de\s+)?{y}(?!\d)",
        rf"(?<![a-z])(?:{names})\.?\s+{d}(?:st|nd|rd|th)?,?\s+{y}(?!\d)",
    )
    return any(re.search(pattern, folded) for pattern in patterns)
