"""A page's publication and update days: every reader, in a fixed order of trust, with provenance.

Each reader gives candidate texts (``Candidate``: the reader's name, published or updated, the
raw text); :func:`resolve_dates` reads them in the order below and keeps the first day, naming
the reader that gave it (the record's ``published_source`` / ``updated_source``):

========================  ==============================================================
``hint``                  the site's ``date`` hint (sites file): the element or attribute it
                          selects, its "Publié le …"/"mis à jour le …" phrases if it has any
``spip-header``           the article header's own markup: SPIP's ``p.info-publi`` line,
                          ``abbr.published``, ``time[pubdate]``, ``.dt-published``, a
                          ``<time>`` in the article's ``<header>``/cartouche, "Publié le …" /
                          "mis à jour le …" phrases
``byline``                the byline's date (``Commission Européenne - 2017-12-12``)
``itemprop``              microdata ``itemprop="datePublished"`` (not in lists or sidebars)
``json-ld``               JSON-LD ``datePublished`` (``@graph``, arrays, ``mainEntity``…),
                          article types first
``opengraph``             ``article:published_time`` and its variants
``meta``                  other ``<meta>``: Dublin Core ``DC.date*``, ``dcterms.*``, ``date``,
                          ``pubdate``, and the keys of common publishing systems
``time``                  a ``<time datetime>`` of the article (not in lists or body text)
``date-line``             a line classed ``date``/``post-date`` in the article, or the
                          sentence in which it says when it was posted ("This entry was
                          posted on …", "Dieser Beitrag wurde am … veröffentlicht")
``url``                   a full date in the URL's path (``/2019/03/12/``, ``2019-03-12``)
``near-title``            the first full date written on a short line around the title,
                          in any of a dozen languages
``htmldate``              htmldate's ``find_date(original_date=True)`` on the whole page,
                          the last resort
========================  ==============================================================

Rules, all from what real pages do:

- the most trusted reader wins; where the readers down to ``meta`` give another day, the item
  carries a warning naming both;
- a page that shows by its title, as its plain date, the day its metadata gives as modified
  (later than the metadata's publication) is dated that day (``near-title``): it presents
  itself as that revision (a yearly guide, a republished story);
- a visible update ("mis à jour le …", the byline's) is the update; a metadata modified time
  (JSON-LD ``dateModified``, ``article:modified_time``, ``class="updated"``…) counts only when
  it falls on a later day than the publication, since many systems touch it on every save;
- never the crawl time, never a date from a sidebar, listing, comment or "Dans la même rubrique"
  entry (those are removed before the article's readers run), never a future date;
- a timestamp is the publisher's day as written, in its own offset; a UTC one (``Z``) is placed
  in the site's own offset when its other timestamps give one, else in the one time zone the
  page names (``"America/New_York"`` in its configuration), else in Europe/Paris on a French
  page, else kept as written — and, one day off a date in the URL, the URL's day wins when an
  inhabited time zone (UTC-10 to UTC+14) puts the moment on that day;
- an element that writes a day and carries a UTC timestamp (``<time datetime="…Z">28 October
  2020</time>``) gives the day it writes.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone, tzinfo
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree
from lxml.html import HtmlElement

from regarchive.pipelines.extraction.dates import (
    SITE_TIMEZONE,
    DateResult,
    check_date,
    find_written_date,
    fold,
    parse_french_date,
    writes_day,
)
from regarchive.pipelines.extraction.page import block_lines, clean_space, text_of

PUBLISHED_ORDER = (
    "hint", "spip-header", "byline", "itemprop", "json-ld", "opengraph", "meta", "time",
    "date-line", "url", "near-title", "htmldate",
)  # fmt: skip
# Readers whose disagreement with the one kept is worth a warning: those that state a date on
# purpose. (A URL, a <time> or a date line may well be another event's.)
TRUSTED = frozenset({"hint", "spip-header", "byline", "itemprop", "json-ld", "opengraph", "meta"})
# Update readers, visible statements first, then metadata (kept only when on a later day).
VISIBLE_UPDATES = ("hint", "spip-header", "byline")
METADATA_UPDATES = ("spip-header-markup", "itemprop", "json-ld", "opengraph", "meta")
# Machine-readable metadata, which the page's readers never see.
MACHINE_METADATA = ("itemprop", "json-ld", "opengraph", "meta")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A text that may hold the page's published or updated day, and the reader that found it."""

    source: str
    kind: str  # "published" | "updated"
    raw: str


@dataclass
class PageDates:
    published: str | None = None
    published_source: str | None = None
    updated: str | None = None
    updated_source: str | None = None
    warnings: list[str] = field(default_factory=list)


# --- structured metadata (read on the whole page, before its scripts are removed) -----------

_JSONLD = etree.XPath("//script[contains(translate(@type, 'JSONLD', 'jsonld'), 'ld+json')]")
_ARTICLE_TYPES = re.compile(r"article|posting|report|review|liveblog|blog", re.I)
_PAGE_TYPES = re.compile(r"webpage|creativework|videoobject|mediaobject|event", re.I)
_CDATA = re.compile(r"^\s*(?://)?\s*<!\[CDATA\[|(?://\s*)?\]\]>\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_JSONLD_KEYS = {"datePublished": "published", "dateCreated": "published", "dateModified": "updated"}

# <meta> keys (lower case) by reader and kind, most telling first.
OPENGRAPH_PUBLISHED = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "article:published", "og:pubdate", "og:publish_date",
)  # fmt: skip
OPENGRAPH_UPDATED = ("article:modified_time", "og:article:modified_time", "og:updated_time")
META_PUBLISHED = (
    "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date",
    "dcterms.date", "dc:date", "dc.created", "date", "pubdate", "publishdate", "publish-date",
    "publish_date", "publication_date", "published_date", "published-date", "published_time",
    "publish_time", "article.published", "article.created", "sailthru.date", "parsely-pub-date",
    "citation_publication_date", "citation_date", "rnews:datepublished", "datecreated",
    "date_published", "displaydate", "originalpublicationdate", "dateposted",
    "article_date_original", "dc.date.publication", "article:post_date", "created",
)  # fmt: skip
META_UPDATED = (
    "dc.date.modified", "dcterms.modified", "last-modified", "lastmod", "article.updated",
    "dc.modified", "changed",
)  # fmt: skip
_META = etree.XPath("//meta[@content]")
_ITEMPROP = etree.XPath(
    "//body//*[@itemprop='datePublished' or @itemprop='dateCreated' or @itemprop='dateModified']"
    "[not(ancestor::li or ancestor::aside or ancestor::nav or ancestor::footer)]"
)
# Where the site's own UTC offset shows: its machine-readable timestamps.
_STAMPS = etree.XPath("//time/@datetime | //meta/@content | //abbr/@title")
_STAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?\s*(Z|[+-]\d{2}:?\d{2})?"
    r"(?![\d:])"
)


@dataclass
class Structured:
    """What a page's metadata says about its dates, read before its scripts are removed."""

    candidates: list[Candidate]
    stamp_text: str  # where the site's own UTC offset is looked for, if a date needs it
    # Read on the way for the title (see metadata._title): an article object's JSON-LD
    # headline and name, and every <meta> content by its lower-cased property, name or itemprop.
    headline: str | None = None
    name: str | None = None
    metas: dict[str, str] = field(default_factory=dict)


def read_structured(tree: HtmlElement, html: str | None = None) -> Structured:
    """JSON-LD, ``<meta>`` and microdata date candidates, and the texts that show the site's
    UTC offset. ``html``, the page as decoded, when given, spares the tree walks for what the
    page does not hold at all."""
    candidates: list[Candidate] = []
    scripts = [script.text or "" for script in _JSONLD(tree)] if _has(html, "ld+json") else []
    objects = _jsonld_objects(scripts)
    candidates += _jsonld_candidates(objects)
    metas: dict[str, str] = {}
    for meta in _META(tree):
        for attribute in ("property", "name", "itemprop"):
            # RDFa allows several properties in one attribute: property="dc:title og:title"
            for key in (meta.get(attribute) or "").lower().split():
                if key not in metas:
                    metas[key] = meta.get("content") or ""
    for source, kind, keys in (
        ("opengraph", "published", OPENGRAPH_PUBLISHED),
        ("meta", "published", META_PUBLISHED),
        ("opengraph", "updated", OPENGRAPH_UPDATED),
        ("meta", "updated", META_UPDATED),
    ):
        candidates += [Candidate(source, kind, metas[key]) for key in keys if metas.get(key)]
    parsely = re.search(r'"pub_date"\s*:\s*"([^"]+)"', metas.get("parsely-page", ""))
    if parsely:
        candidates.append(Candidate("meta", "published", parsely.group(1)))
    microdata = _ITEMPROP(tree) if _has(html, "itemprop") else []
    for element in microdata:
        kind = "updated" if element.get("itemprop") == "dateModified" else "published"
        candidates += [Candidate("itemprop", kind, raw) for raw in element_date_texts([element])]
    stamp_text = html if html is not None else "\n".join([*map(str, _STAMPS(tree)), *scripts])
    headline, name = _headline(objects)
    return Structured(candidates, stamp_text, headline, name, metas)


def _has(html: str | None, word: str) -> bool:
    return html is None or word in html


def _jsonld_objects(scripts: list[str]) -> list[dict]:
    """Every JSON-LD object of the page (``@graph``, arrays, nested entities), articles first."""
    objects: list[dict] = []
    for raw in scripts:
        raw = _CDATA.sub("", raw.strip())
        if not raw:
            continue
        data = _loads(raw)
        if data is None:  # beyond repair: the keys read as text
            for key in _JSONLD_KEYS:
                for value in re.findall(rf'"{key}"\s*:\s*"([^"]+)"', raw):
                    objects.append({"@type": "?", key: value})
            continue
        stack = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                objects.append(item)
                for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart"):
                    if isinstance(item.get(key), (list, dict)):
                        stack.append(item[key])
    objects.sort(key=_type_rank)
    return objects


def _jsonld_candidates(objects: list[dict]) -> list[Candidate]:
    candidates = []
    for key, kind in _JSONLD_KEYS.items():
        for obj in objects:
            value = obj.get(key)
            if isinstance(value, list):
                value = value[0] if value else None
            if isinstance(value, dict):
                value = value.get("@value")
            if isinstance(value, str) and value.strip():
                candidates.append(Candidate("json-ld", kind, value))
    return candidates


def _headline(objects: list[dict]) -> tuple[str | None, str | None]:
    """The ``headline`` and ``name`` of the first article object (NewsArticle, BlogPosting…)."""
    for obj in objects:
        if _type_rank(obj) != 0:
            break
        values = [obj.get(key) for key in ("headline", "name")]
        headline, name = (v if isinstance(v, str) and v.strip() else None for v in values)
        if headline or name:
            return headline, name
    return None, None


def _loads(raw: str) -> object | None:
    for text in (raw, _TRAILING_COMMA.sub(r"\1", raw)):
        try:
            return json.loads(text, strict=False)
        except ValueError:
            continue
    return None


def _type_rank(obj: dict) -> int:
    kind = obj.get("@type", "")
    kind = " ".join(map(str, kind)) if isinstance(kind, list) else str(kind)
    return 0 if _ARTICLE_TYPES.search(kind) else 1 if _PAGE_TYPES.search(kind) else 2


def site_offset(texts: Iterable[str]) -> timedelta | None:
    """The most common non-zero UTC offset of the page's timestamps, else the difference
    between a local timestamp and a UTC one of the same minute and second (the same instant
    written twice), else None."""
    offsets: dict[timedelta, int] = {}
    naive: set[datetime] = set()
    utc: set[datetime] = set()
    for text in texts:
        for match in _STAMP.finditer(text):
            y, mo, d, hh, mi, ss, tz = match.groups()
            try:
                moment = datetime(int(y), int(mo), int(d), int(hh), int(mi), int(ss or 0))
            except ValueError:
                continue
            if tz is None:
                naive.add(moment)
            elif tz in ("Z", "+00:00", "+0000", "-00:00"):
                utc.add(moment)
            else:
                digits = tz[1:].replace(":", "")
                delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
                delta = delta if tz[0] == "+" else -delta
                offsets[delta] = offsets.get(delta, 0) + 1
    if offsets:
        return max(offsets, key=lambda delta: offsets[delta])
    for local in naive:
        if not (local.minute or local.second):
            continue
        for moment in utc:
            delta = local - moment
            if delta and abs(delta) <= timedelta(hours=14) and delta.seconds % 900 == 0:
                return delta
    return None


def element_date_texts(elements: Iterable[HtmlElement]) -> list[str]:
    """The date-bearing attributes of each element, then its text; its text first when an
    attribute is a UTC timestamp (``datetime="2020-10-28T22:22:49Z"``): the day the page
    writes is the publisher's, the UTC moment may fall on another day where the site is."""
    values = []
    for element in elements:
        attributes = [
            element.get(name) for name in ("datetime", "content", "title") if element.get(name)
        ]
        text = text_of(element)
        if text and any(_MAY_BE_UTC.search(value) for value in attributes):
            values += [text, *attributes]
        else:
            values += [*attributes, text]
    return [value for value in values if value]


# --- the article's sentence about itself -----------------------------------------------------

# "This entry was posted on Saturday, December 3rd, 2011 at …", "Dieser Beitrag wurde am
# Samstag, 3. Dezember 2011 … veröffentlicht", "Cet article a été publié le …": the sentence
# blog themes close a post with, in their translations (folded text). The article itself is the
# subject, so it is the article's date; "the report was published on …" is not read.
_SELF_SUBJECT = re.compile(
    r"\b(?:this (?:entry|post|article)|dieser (?:beitrag|artikel|eintrag)|cet article|ce billet"
    r"|questo articolo|este articulo|esta entrada|dit bericht|dit artikel)\b"
)
_SELF_PUBLISHED = re.compile(
    r"\b(?:was posted|was published|veroffentlicht|publie|pubblicato|publicado|geplaatst"
    r"|gepubliceerd)"
)
_SELF_WINDOW = 120
# A sentence ends after a word, not after a day ("3. Dezember") or a month's abbreviation.
_SENTENCE_END = re.compile(r"[!?]|(?<=[a-z]{5})\.\s")
_SELF_WORDS = (
    "this entry", "this post", "this article", "dieser ", "cet article", "ce billet",
    "questo articolo", "este art", "esta entrada", "dit bericht", "dit artikel",
)  # fmt: skip


def self_published_days(container: HtmlElement, today: date | None) -> list[str]:
    """The days of the sentences in which the article says when it was published."""
    text = container.text_content()
    lowered = text.lower()
    if not any(word in lowered for word in _SELF_WORDS):  # plain `in`: far faster than re
        return []
    folded = fold(text)
    days = []
    for subject in _SELF_SUBJECT.finditer(folded):
        window = folded[subject.start() : subject.start() + _SELF_WINDOW]
        sentence = _SENTENCE_END.split(window, maxsplit=1)[0]
        if _SELF_PUBLISHED.search(sentence):
            day = find_written_date(sentence, today=today)
            days += [day] if day else []
    return days


# --- the URL and the title's surroundings ----------------------------------------------------

_URL_DATES = (
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|[-_.]|$)"),
    re.compile(r"[/_-]((?:19|20)\d{2})[-_](\d{2})[-_](\d{2})(?!\d)"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?:/|[-_.]|$)"),
)


def url_day(urls: Iterable[str], today: date | None) -> str | None:
    """A full date in the path of one of ``urls`` (``/2019/03/12/``, ``…-2019-03-12``)."""
    for url in urls:
        path = urlsplit(url).path
        for pattern in _URL_DATES:
            match = pattern.search(path)
            if match:
                year, month, day = map(int, match.groups())
                value = check_date(year, month, day, "", today).value
                if value:
                    return value
    return None


_UPDATE_WORDS = re.compile(
    r"mise? a jour|actualise|updated|update|aktualisiert|geandert|actualizad|aggiornat|"
    r"atualizad|bijgewerkt"
)
# Lines looked at around the title: a few before it (kicker, date above the title), more after
# (standfirst, byline, date); only short lines (a date line, not a paragraph of the text).
_TITLE_BEFORE, _TITLE_AFTER, _TITLE_LINE_MAX = 4, 12, 120
# A date in a list or a table is an entry's (an agenda, a listing), not the page's.
_LIST_TAGS = frozenset({"ul", "ol", "table", "dl"})
_MONTH_FIRST_HOSTS = re.compile(r"\.(?:uk|au|nz|ie|in|za|sg|scot)$")


# A short list of facts under a title (date, author, views: ``<ul class="meta">``) is no
# listing: at most this many items, none of them a list.
_FACT_LIST_ITEMS = 3


def _is_fact_list(element: HtmlElement) -> bool:
    if element.tag not in ("ul", "ol"):
        return False
    items = [child for child in element if child.tag == "li"]
    return 0 < len(items) <= _FACT_LIST_ITEMS and all(item.find(".//li") is None for item in items)


def near_title_day(
    tree: HtmlElement, lang: str | None, url: str, today: date | None
) -> tuple[str | None, str | None]:
    """(published, updated) written on the short lines around the title line of the page."""
    lines = block_lines(tree.body, skip=_LIST_TAGS, keep=_is_fact_list)
    folded = [fold(line) for line in lines]
    heads = tree.xpath("/html/head/meta[@property='og:title']/@content | /html/head/title/text()")
    titles = [fold(clean_space(str(value))) for value in heads]
    titles += [fold(text_of(h1)) for h1 in tree.body.iter("h1")]
    index = next(
        (folded.index(title) for title in titles if title and title in folded), None
    )  # fmt: skip
    if index is None:
        return None, None
    month_first = lang == "en" and not _MONTH_FIRST_HOSTS.search(urlsplit(url).hostname or "")
    published = updated = None
    for position in range(max(0, index - _TITLE_BEFORE), index + _TITLE_AFTER):
        if position >= len(lines) or position == index or len(lines[position]) > _TITLE_LINE_MAX:
            continue
        value = find_written_date(lines[position], today=today, month_first=month_first)
        if not value:
            continue
        if _UPDATE_WORDS.search(folded[position]):
            updated = updated or value
        else:
            published = published or value
    return published, updated


def htmldate_day(
    html: str | None, url: str, context: DateContext, removed: list[HtmlElement]
) -> tuple[str | None, str | None]:
    """htmldate's guess of the original publication day on the whole page (it guesses better
    there than on the article alone), unless that day is one of the ``removed`` elements'
    entries of a list (a sidebar's, a listing's, a related block's): then None, and a warning
    saying so. (Other removed parts, page headers and footers, often state the article's own
    date.)"""
    if not html:
        return None, None
    from htmldate import find_date

    bound = (context.today or date.today()) + timedelta(days=1)
    try:
        found = find_date(html, original_date=True, url=url, max_date=bound.isoformat())
    except Exception:  # noqa: BLE001 - a library's failure on a hostile page is no date
        return None, None
    if not found:
        return None, None
    entries = [
        entry
        for element in removed
        for entry in element.iter("li", "tr", "article", "dd")
        if entry.find(".//a[@href]") is not None  # an entry linking elsewhere, not a fact box
    ]
    if found in days_written_in(entries, context):
        return None, f"htmldate's date {found} is a sidebar's or listing's: ignored"
    # htmldate gives a month without a day ("Juni 2010", "2022") as its first day: a day the
    # page never wrote is no publication day.
    if found.endswith("-01") and not writes_day(html, found):
        return None, f"htmldate's date {found} is a month, not a day: ignored"
    return check_date(*map(int, found.split("-")), found, context.today).value, None


_DAY_ATTRIBUTES = ("datetime", "title", "content")
_LINE_MAX = 200


def days_written_in(elements: Iterable[HtmlElement], context: DateContext) -> set[str]:
    """Every day the elements state, in an attribute or on a line of their text."""
    days: set[str] = set()
    for element in elements:
        if element.tag in ("script", "style", "template"):
            continue
        for descendant in element.iter():
            for attribute in _DAY_ATTRIBUTES:
                value = descendant.get(attribute)
                if value and any(ch.isdigit() for ch in value):
                    days.add(read_date(value, context).value or "")
        for line in block_lines(element):
            if len(line) <= _LINE_MAX and any(ch.isdigit() for ch in line):
                days.add(parse_french_date(line, today=context.today).value or "")
                days.add(find_written_date(line, today=context.today) or "")
    days.discard("")
    return days


# --- the policy ------------------------------------------------------------------------------


@dataclass
class DateContext:
    """What reading a date needs to know about its page."""

    today: date | None
    lang: str | None
    stamp_text: str  # the page's timestamps, read for its UTC offset only when one is needed

    @functools.cached_property
    def offset(self) -> timedelta | None:
        return site_offset([self.stamp_text])

    @functools.cached_property
    def named_zone(self) -> tzinfo | None:
        return named_time_zone(self.stamp_text)

    @property
    def utc_zone(self) -> tzinfo | None:
        """Where a UTC timestamp is placed: the site's own offset, else the time zone its
        page names, else Paris for a French page, else nowhere (kept as written, and
        marked)."""
        if self.offset is not None:
            return timezone(self.offset)
        if self.named_zone is not None:
            return self.named_zone
        return SITE_TIMEZONE if self.lang == "fr" else None


# A time zone's IANA name as a string of the page's scripts or attributes: sites configure
# their pages with it ("timezone": {"long": "America/New_York"}).
_ZONE_NAME = re.compile(
    r"[\"']((?:Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific)"
    r"/[A-Z][A-Za-z_-]+(?:/[A-Z][A-Za-z_-]+)?)[\"']"
)


def named_time_zone(text: str) -> tzinfo | None:
    """The one time zone a page names by its IANA name, if it names exactly one (a page
    offering a choice of zones names many, and none of them is the site's)."""
    names = set(_ZONE_NAME.findall(text))
    if len(names) != 1:
        return None
    try:
        return ZoneInfo(names.pop())
    except (ZoneInfoNotFoundError, ValueError):
        return None


_MAY_BE_UTC = re.compile(r"\d[zZ]\b|[+-]00:?00|\bUTC|\bGMT")
_COMPACT_ISO = re.compile(r"^(\d{4})(\d{2})(\d{2})(?=T\d)")


def read_date(raw: str, context: DateContext) -> DateResult:
    """A day from a machine or written date text (French and English, or, failing that, a
    full date written in one of the languages :func:`find_written_date` knows)."""
    raw = _COMPACT_ISO.sub(r"\1-\2-\3", raw.strip())
    # Only a UTC timestamp needs the page's offset (looked for once, on the first one).
    zone = context.utc_zone if _MAY_BE_UTC.search(raw) else SITE_TIMEZONE
    epoch = re.fullmatch(r"(1[0-9]{9})(?:\d{3})?", raw)
    if epoch:
        moment = datetime.fromtimestamp(int(epoch.group(1)), tz=context.utc_zone or timezone.utc)
        result = check_date(moment.year, moment.month, moment.day, raw, context.today)
        if context.utc_zone is not None:
            return result
        return DateResult(result.value, result.reason, utc=True, instant=moment)
    result = parse_french_date(raw, today=context.today, utc_zone=zone)
    if result.value or result.reason:
        return result
    written = find_written_date(raw, today=context.today)
    if written or len(raw) > 40:
        return DateResult(written)
    try:  # RFC 822 and other machine shapes ("Mon, 09 Nov 2020 12:00:00 GMT")
        from dateutil import parser as dateutil_parser

        # Parsed twice with different defaults: a part the text lacks (a bare "16:45" has no
        # day) would come from the default, and the two readings would differ.
        parsed, again = (dateutil_parser.parse(raw, default=d) for d in _DATEUTIL_DEFAULTS)
    except (ValueError, OverflowError, TypeError):
        return result
    if parsed.date() != again.date():
        return result
    return check_date(parsed.year, parsed.month, parsed.day, raw, context.today)


_DATEUTIL_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


def resolve_dates(
    candidates: list[Candidate],
    context: DateContext,
    *,
    urls: list[str],
    late_readers: dict[str, Callable[[], tuple[str | None, str | None]]],
) -> PageDates:
    """The page's published and updated days from ``candidates`` (every reader but the late
    ones) and, when none of those gives a publication day, ``late_readers`` (``near-title``:
    ``() -> (published, updated)``; ``htmldate``: ``() -> (published, warning)``), in
    :data:`PUBLISHED_ORDER`."""
    dates = PageDates()
    warnings = dates.warnings
    cache: dict[str, DateResult] = {}
    late_readers = {name: functools.cache(reader) for name, reader in late_readers.items()}

    def first(source: str, kind: str) -> tuple[str, datetime | None] | None:
        for candidate in candidates:
            if candidate.source != source or candidate.kind != kind:
                continue
            result = cache.get(candidate.raw) or read_date(candidate.raw, context)
            cache[candidate.raw] = result
            if result.value:
                return result.value, result.instant if result.utc else None
            if result.reason and result.reason not in warnings:
                warnings.append(result.reason)
        return None

    found: tuple[str, datetime | None] | None = None
    for source in PUBLISHED_ORDER:
        if source in late_readers and warnings:
            # The page states its date, but an impossible or future one: it is undated, with
            # the warning, rather than dated by a guess.
            break
        if source == "url":
            day = url_day(urls, context.today)
            found = (day, None) if day else None
        elif source == "htmldate":
            day, warning = late_readers[source]()
            found = (day, None) if day else None
            warnings.extend([warning] if warning else [])
        elif source in late_readers:
            day = late_readers[source]()[0]
            found = (day, None) if day else None
        else:
            found = first(source, "published")
        if found:
            break
    if not found:
        _resolve_updated(dates, first, late_readers)
        return dates
    day, instant = found
    if instant:  # a UTC timestamp nothing could place: the URL's day wins if the moment may be it
        url_value = url_day(urls, context.today)
        if url_value and url_value in _reachable_days(instant) and url_value != day:
            source, day = "url", url_value
    if source in MACHINE_METADATA and "near-title" in late_readers:
        shown = _shown_revision(day, first, late_readers["near-title"])
        if shown:
            source, day = "near-title", shown
    dates.published, dates.published_source = day, source
    for other in PUBLISHED_ORDER:
        if other in TRUSTED and other != source:
            found = first(other, "published")
            if found and found[0] != day:
                warnings.append(
                    f"published dates disagree: {day} ({source}) kept, {found[0]} ({other})"
                )
    _resolve_updated(dates, first, late_readers)
    return dates


def _shown_revision(
    published: str,
    first: Callable[[str, str], tuple[str, datetime | None] | None],
    near_title: Callable[[], tuple[str | None, str | None]],
) -> str | None:
    """The day the page shows by its title, with no update word, when it is not the
    metadata's publication day but its modification day (a later one): the page presents
    itself as of that revision (a guide re-issued each year, a story republished), and that
    is the day its readers were given. None otherwise."""
    modified = next(
        (found[0] for source in MACHINE_METADATA if (found := first(source, "updated"))), None
    )
    if not modified or modified <= published:
        return None
    shown = near_title()[0]
    return shown if shown == modified else None


# The offsets of the places where pages are published: UTC-10 (Hawaii, Tahiti) to UTC+14
# (Line Islands); -12 and -11 are uninhabited or nearly (Baker Island, Niue, American Samoa).
_WESTMOST, _EASTMOST = timedelta(hours=-10), timedelta(hours=14)


def _reachable_days(instant: datetime) -> set[str]:
    """The days a UTC moment falls on in some inhabited time zone."""
    return {(instant + offset).date().isoformat() for offset in (_WESTMOST, _EASTMOST)}


def _resolve_updated(
    dates: PageDates,
    first: Callable[[str, str], tuple[str, datetime | None] | None],
    late_readers: dict[str, Callable[[], tuple[str | None, str | None]]],
) -> None:
    for source in VISIBLE_UPDATES:
        found = first(source, "updated")
        if found and dates.published and found[0] < dates.published:
            dates.warnings.append(
                f"update {found[0]} ({source}) before publication {dates.published}: ignored"
            )
            continue
        if found:
            dates.updated, dates.updated_source = found[0], source
            return
    if not dates.published:
        return  # a modified time alone says when the page was last saved, not updated
    for source in METADATA_UPDATES:
        found = first(source, "updated")
        if found and found[0] > dates.published:
            dates.updated = found[0]
            dates.updated_source = "spip-header" if source == "spip-header-markup" else source
            return
    if dates.published_source == "near-title":
        updated = late_readers["near-title"]()[1]
        if updated and updated > dates.published:
            dates.updated, dates.updated_source = updated, dates.published_source
