"""The filters every reading command shares (``search``, ``list``, ``stats``, ``export``).

``--category``, ``--rubric``, ``--source``, ``--site``, ``--since`` and ``--until`` become one
:class:`~regarchive.archive.queries.Filters`; a filter value that matches nothing in the archive
is named, with the values that exist (``no category 'news' in archive.db; known: Actu, Circ.``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

import click

from regarchive.archive.queries import Filters, QueryError
from regarchive.archive.store import Archive
from regarchive.cli.commands.common import ConfigError

F = TypeVar("F", bound=Callable[..., Any])

DATE_HELP = "2024-01-01, 2024, 'mars 2024', '1er janvier 2024', 'last month', 'il y a 2 semaines'"

FILTER_ARGS = ("categories", "rubrics", "sources", "sites", "since", "until")


def today() -> date:
    """The day relative dates (``last month``) count from; tests replace it."""
    return date.today()


def filter_options(func: F) -> F:
    """The filter options every reading command takes (repeat one for alternatives).

    The command receives their values together as ``filter_args``, ready for
    ``build_filters(**filter_args)``.
    """

    @functools.wraps(func)
    def gather(*args: Any, **kwargs: Any) -> Any:
        kwargs["filter_args"] = {name: kwargs.pop(name) for name in FILTER_ARGS}
        return func(*args, **kwargs)

    options = [
        click.option(
            "--category",
            "categories",
            multiple=True,
            metavar="NAME",
            help="Actu or Circ. (case, accents and the final dot ignored).",
        ),
        click.option(
            "--rubric",
            "rubrics",
            multiple=True,
            metavar="NAME",
            help="A rubric the item is listed under (case and accents ignored).",
        ),
        click.option(
            "--source",
            "sources",
            multiple=True,
            metavar="WORDS",
            help="Words of the source (byline): 'commission' finds Commission Européenne.",
        ),
        click.option(
            "--site",
            "sites",
            multiple=True,
            metavar="HOST",
            help="The site's host, or a domain it belongs to (example.org finds www.example.org).",
        ),
        click.option("--since", metavar="DATE", help=f"Published on or after DATE: {DATE_HELP}."),
        click.option("--until", metavar="DATE", help="Published on or before DATE."),
    ]
    wrapped: Any = gather
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped


def build_filters(
    *,
    query: str | None = None,
    categories: Iterable[str] = (),
    rubrics: Iterable[str] = (),
    sources: Iterable[str] = (),
    sites: Iterable[str] = (),
    since: str | None = None,
    until: str | None = None,
    changed_after: int | None = None,
) -> Filters:
    """:class:`Filters` from option values; a bad date or range is a usage error (exit 2)."""
    try:
        return Filters(
            query=query,
            categories=_values(categories),
            rubrics=_values(rubrics),
            sources=_values(sources),
            sites=_values(sites),
            since=parse_date_option("--since", since, end=False),
            until=parse_date_option("--until", until, end=True),
            changed_after=changed_after,
        )
    except QueryError as error:
        raise ConfigError(str(error)) from error


def _values(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(value.strip() for value in values if value.strip())


# -- values that match nothing ------------------------------------------------------------------

# (Filters field, what the message calls it, the facet listing the values that exist)
_CHECKED = (
    ("categories", "category", "by_category"),
    ("rubrics", "rubric", "by_rubric"),
    ("sources", "source", "by_source"),
    ("sites", "site", "by_site"),
)
# Sources and sites can be many: the message names the most frequent ones.
_KNOWN_SHOWN = 8


def unmatched_values(archive: Archive, filters: Filters, db_path: str) -> list[str]:
    """One line per filter value that matches no item of the whole archive, naming the values
    that exist: ``no category 'news' in archive.db; known: Actu, Circ.``.

    Each value is tried alone with the archive's own matching (case, accents, prefixes…), so
    what counts as a match is exactly what the filter does.
    """
    lines: list[str] = []
    known_values: dict[str, Any] | None = None
    for field, noun, facet in _CHECKED:
        for value in getattr(filters, field):
            if archive.count_items(Filters(**{field: (value,)})):
                continue
            if known_values is None:
                known_values = archive.facets(Filters())
            known = [str(name) for name in known_values[facet] if name not in (None, "")]
            listed = ", ".join(known[:_KNOWN_SHOWN]) + (", …" if len(known) > _KNOWN_SHOWN else "")
            lines.append(
                f"no {noun} {value!r} in {db_path}; "
                + (f"known: {listed}" if known else f"no item has a {noun}")
            )
    return lines


def warn_unmatched(archive: Archive, filters: Filters, db_path: str) -> None:
    """Print :func:`unmatched_values` on stderr (the output itself stays as it is)."""
    for line in unmatched_values(archive, filters, db_path):
        click.echo(f"regarchive: {line}", err=True)


# -- dates --------------------------------------------------------------------------------------


def parse_date_option(option: str, text: str | None, *, end: bool) -> date | None:
    """The day ``text`` names, or None when not given; exit 2 when it names none.

    A bare year or month covers all of it: ``--since 2024`` is 1 January, ``--until 2024`` is
    31 December, ``--until 'mars 2024'`` is 31 March.
    """
    if text is None:
        return None
    parsed = parse_date(text, end=end, base=today())
    if parsed is None:
        raise ConfigError(f"{option}: cannot read {text!r} as a date; try {DATE_HELP}")
    return parsed


_YEAR = re.compile(r"\d{4}")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{2})")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# The extractor refuses dates after today (a page cannot be published tomorrow); a filter may
# well end in the future.
_NO_FUTURE_LIMIT = date(9999, 1, 1)


def parse_date(text: str, *, end: bool, base: date) -> date | None:
    """A day from ISO, French or English text, absolute or relative to ``base``.

    Days are read by the extractor's own date reader (the one that dates the archived
    articles: ``15/01/2024``, ``1er janvier 2024``…); what names a span or a moment relative
    to today (``2024``, ``mars 2024``, ``last month``, ``il y a 2 semaines``) goes to
    dateparser, told whether the span's first or last day is wanted.
    """
    value = " ".join(text.split())
    if _YEAR.fullmatch(value):
        return date(int(value), 12, 31) if end else date(int(value), 1, 1)
    if _ISO_DAY.fullmatch(value):
        # An impossible ISO day (2024-13-45) is an error, never "repaired" into another day.
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    if not _YEAR_MONTH.fullmatch(value):
        from regarchive.pipelines.extraction.dates import parse_french_date

        result = parse_french_date(value, today=_NO_FUTURE_LIMIT)
        if result.value is not None:
            return date.fromisoformat(result.value)
        if result.rejected and (result.reason or "").startswith("impossible"):
            return None  # 31/02/2024: a day that does not exist is an error
    return _parse_span(value, end=end, base=base)


def _parse_span(value: str, *, end: bool, base: date) -> date | None:
    import dateparser  # slow to import: only for the forms above do not cover

    settings: dict[str, Any] = {
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "last" if end else "first",
        "DATE_ORDER": "DMY",
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(value, languages=["fr", "en"], settings=settings)
    return parsed.date() if parsed is not None else None
