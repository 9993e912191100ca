"""The selection a search page shows: its query string read into archive filters, and the
links that change it (a facet value added or removed, another sort, another page).

The same filters as the command line (:class:`regarchive.archive.queries.Filters`): a category,
rubric, source or site given twice means either; a year is a publication date range.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from regarchive.archive.queries import Filters, QueryError

PAGE_SIZE = 20
# A page number, and a number of values per filter, past any real use: bounds the work a
# crafted URL can ask for.
MAX_PAGE = 10_000
MAX_VALUES = 20
MAX_TEXT = 500

# Query-string name -> Filters field, for the filters that take several values.
MULTI = {"category": "categories", "rubric": "rubrics", "source": "sources", "site": "sites"}


@dataclass(frozen=True)
class Selection:
    """What the visitor asked for: filters, sort order and page."""

    query: str | None = None
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    year: int | None = None
    since: date | None = None
    until: date | None = None
    sort: str = "date"
    page: int = 1

    @property
    def filters(self) -> Filters:
        """The archive filters; raises :class:`QueryError` when they cannot be run."""
        since, until = self.since, self.until
        if self.year is not None:
            since = max(filter(None, (since, date(self.year, 1, 1))))
            until = min(filter(None, (until, date(self.year, 12, 31))))
        return Filters(
            query=self.query,
            since=since,
            until=until,
            **{MULTI[name]: tuple(self.values.get(name, ())) for name in MULTI},
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE

    def is_empty(self) -> bool:
        return not (self.query or any(self.values.values()) or self.year)

    # -- links ----------------------------------------------------------------------------------

    def args(self, *, with_view: bool = True) -> list[tuple[str, str]]:
        """The query string of this selection (without sort and page when ``with_view`` is
        False: the filters alone, for downloads and charts)."""
        pairs: list[tuple[str, str]] = []
        if self.query:
            pairs.append(("q", self.query))
        for name in MULTI:
            pairs += [(name, value) for value in self.values.get(name, ())]
        if self.year is not None:
            pairs.append(("year", str(self.year)))
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                pairs.append((name, value.isoformat()))
        if with_view:
            pairs.append(("sort", self.sort))
            if self.page > 1:
                pairs.append(("page", str(self.page)))
        return pairs

    def query_string(self, **changes: Any) -> str:
        return urlencode(self.changed(**changes).args())

    def filters_string(self) -> str:
        return urlencode(self.args(with_view=False))

    def changed(self, **changes: Any) -> Selection:
        """A copy with ``changes``; any change but the page goes back to the first page."""
        values = dict(self.__dict__)
        values.update(changes)
        if "page" not in changes:
            values["page"] = 1
        return Selection(**values)

    def toggled(self, name: str, value: str) -> str:
        """The query string with ``value`` of filter ``name`` added, or removed if present."""
        if name == "year":
            return self.query_string(year=None if self.year == int(value) else int(value))
        current = self.values.get(name, ())
        kept = tuple(v for v in current if v != value) if value in current else (*current, value)
        return self.query_string(values={**self.values, name: kept})

    def has(self, name: str, value: Any) -> bool:
        if name == "year":
            return self.year == value
        return value in self.values.get(name, ())


def read_selection(args: MultiDict[str, str]) -> Selection:
    """A :class:`Selection` from a request's query string; raises :class:`QueryError` (in
    French, for the page) when a value cannot be read."""
    query = _text(args.get("q"))
    values = {}
    for name in MULTI:
        kept = list(dict.fromkeys(v for v in (_text(v) for v in args.getlist(name)) if v))
        if len(kept) > MAX_VALUES:
            raise QueryError(f"trop de valeurs pour « {name} » (au plus {MAX_VALUES})")
        values[name] = tuple(kept)
    year = _number(args.get("year"), "année", low=1, high=9999)
    sort = args.get("sort") or ("relevance" if query else "date")
    if sort not in ("relevance", "date"):
        raise QueryError(f"tri inconnu « {sort} » : « relevance » ou « date »")
    if sort == "relevance" and not query:
        sort = "date"
    return Selection(
        query=query,
        values=values,
        year=year,
        since=_day(args.get("since"), "depuis"),
        until=_day(args.get("until"), "jusqu’au"),
        sort=sort,
        page=_number(args.get("page"), "page", low=1, high=MAX_PAGE) or 1,
    )


def _text(value: str | None) -> str | None:
    text = " ".join((value or "").split())
    if len(text) > MAX_TEXT:
        raise QueryError(f"texte trop long (au plus {MAX_TEXT} caractères)")
    return text or None


def _number(value: str | None, name: str, *, low: int, high: int) -> int | None:
    if not value:
        return None
    if not re.fullmatch(r"\d{1,5}", value.strip()) or not low <= int(value) <= high:
        raise QueryError(f"{name} illisible : « {value} »")
    return int(value)


def _day(value: str | None, name: str) -> date | None:
    """A day typed the French way (``31/01/2024``) or as in the links (``2024-01-31``)."""
    text = (value or "").strip()
    if not text:
        return None
    french = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    try:
        if french:
            day, month, year = (int(part) for part in french.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError:
        raise QueryError(f"date « {name} » illisible : « {value} » (attendu JJ/MM/AAAA)") from None
