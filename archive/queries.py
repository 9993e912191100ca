"""Search filters and full-text queries, turned into parameterised SQL over the archive.

Nothing a user types is ever formatted into SQL: every value becomes a named parameter
(``:p0``, ``:p1``…), and a full-text query is first rewritten by :func:`fts_match` into a
well-formed FTS5 expression whose words are quoted strings. The SQL built here reads the tables
documented in :mod:`regarchive.archive.schema`; :class:`regarchive.archive.store.Archive` runs it.

How each filter matches (several values of one filter are alternatives, different filters must
all hold):

- ``category``: the item's category, case and accents ignored, a final dot optional
  (``circ`` finds ``Circ.``);
- ``rubric``: one of the item's rubrics, case and accents ignored (``regions`` finds
  ``Régions``);
- ``source``: the words given appear in the item's source (``commission`` finds
  ``Commission Européenne``), case, accents and apostrophe style ignored;
- ``site``: the item's host, with or without its port, or a subdomain of it (``example.org``
  finds ``www.example.org``);
- ``since`` / ``until``: the publication date, both ends included; undated items are left out.

Case- and accent-insensitive comparisons call the SQL function :data:`MATCH_KEY_FUNCTION`, which
the archive registers on its connection (it is :func:`match_key`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from regarchive.archive.errors import QueryError

MATCH_KEY_FUNCTION = "regarchive_match_key"

Sort = Literal["relevance", "date"]
SORTS: tuple[str, ...] = ("relevance", "date")

# Markers that FTS5's snippet() puts around matched words; callers turn them into brackets or
# terminal styles. Control characters, so they never collide with the text itself.
MATCH_START = "\x02"
MATCH_END = "\x03"
SNIPPET_TOKENS = 14

# Title matches weigh this many times more than text matches in the relevance ranking (bm25
# column weights): a word in the title says more about an article than one in its body.
TITLE_WEIGHT = 4.0

# Terms (words, phrases, prefixes) one query may hold. A person's query has a handful; each term
# costs FTS5 a pass over its index (a prefix, over every word it starts), and 3,000 prefixes
# OR'ed together kept SQLite busy for half a minute on a small archive.
MAX_QUERY_TERMS = 100

OPERATORS = frozenset({"AND", "OR", "NOT"})
COLUMNS = frozenset({"title", "text"})


# -- matching -----------------------------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00a0": " "})


def match_key(value: str | None) -> str | None:
    """What filters compare of ``value``: case folded, accents removed, apostrophes and spaces
    plain.

    ``Ministère de l’Intérieur`` and ``ministere de l'interieur`` have the same key.
    """
    if value is None:
        return None
    decomposed = unicodedata.normalize("NFKD", value.translate(_APOSTROPHES).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.split())


# -- full-text queries --------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<open>\()
    | (?P<close>\))
    | (?:(?P<column>title|text):)?"(?P<phrase>[^"]*)"(?P<phrase_star>\*)?
    | (?P<quote>")
    | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Token:
    kind: Literal["term", "op", "open", "close"]
    text: str  # the FTS5 text for terms and operators, the user's text otherwise


def fts_match(query: str) -> str:
    """The FTS5 ``MATCH`` expression for a query as a user types it.

    Words are matched whole, accents and case ignored, all of them required; ``"an exact
    phrase"``, ``prefix*``, ``OR``, ``NOT``, ``-excluded``, parentheses and ``title:word`` /
    ``text:word`` work as in FTS5. Each word goes to FTS5 as a quoted string, so punctuation
    inside words (``l'Europe``, ``Île-de-France``) is safe. Raises :class:`QueryError` with a
    one-line explanation for a malformed query (unbalanced quotes or parentheses, an operator
    without a term on each side) or one of more than :data:`MAX_QUERY_TERMS` terms.
    """
    tokens = list(_tokens(query))
    _check_grammar(tokens)
    terms = sum(token.kind == "term" for token in tokens)
    if not terms:
        raise QueryError("nothing to search for: give at least one word")
    if terms > MAX_QUERY_TERMS:
        raise QueryError(
            f"the query has {terms} search terms; at most {MAX_QUERY_TERMS} are allowed: "
            "search for fewer words"
        )
    return " ".join(token.text for token in tokens)


def _tokens(query: str) -> Iterator[_Token]:
    previous: str | None = None
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if kind == "space":
            continue
        if kind == "quote":
            raise QueryError('unbalanced quote: close the phrase with another "')
        token = _token(match, kind, after_term=previous in ("term", "close"))
        for part in token:
            previous = part.kind
            yield part


def _token(match: re.Match[str], kind: str | None, *, after_term: bool) -> list[_Token]:
    if kind == "open":
        return [_Token("open", "(")]
    if kind == "close":
        return [_Token("close", ")")]
    if kind == "phrase":
        column = match.group("column")
        return _term(match.group("phrase"), column, bool(match.group("phrase_star")))
    word = match.group("word")
    if word in OPERATORS:
        return [_Token("op", word)]
    if word.startswith("-") and len(word) > 1 and after_term:
        # Google-style exclusion: "budget -covid" is FTS5's "budget NOT covid".
        return [_Token("op", "NOT"), *_word(word[1:])]
    return _word(word)


def _word(word: str) -> list[_Token]:
    column, _, rest = word.partition(":")
    if column in COLUMNS and rest:
        word = rest
    else:
        column = ""
    prefix = word.endswith("*")
    return _term(word.rstrip("*"), column or None, prefix)


def _term(text: str, column: str | None, prefix: bool) -> list[_Token]:
    """A quoted FTS5 string; nothing for text without a letter or digit (``-``, ``…``)."""
    if not any(char.isalnum() for char in text):
        return []
    quoted = '"' + text.replace('"', '""') + '"' + ("*" if prefix else "")
    return [_Token("term", f"{column} : {quoted}" if column else quoted)]


def _check_grammar(tokens: list[_Token]) -> None:
    """Operators between two terms, parentheses balanced and not empty."""
    depth = 0
    previous: _Token | None = None
    for token in tokens:
        if token.kind == "op" and (previous is None or previous.kind in ("op", "open")):
            if previous is not None and previous.kind == "op":
                raise QueryError(
                    f"'{previous.text} {token.text}': put a search term between the operators"
                )
            raise QueryError(
                f"{token.text} must stand between two search terms, as in: budget {token.text} "
                "région"
            )
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            if depth == 0:
                raise QueryError("')' without a matching '('")
            if previous is not None and previous.kind == "open":
                raise QueryError("empty parentheses: put search terms inside them")
            if previous is not None and previous.kind == "op":
                raise QueryError(f"{previous.text} needs a search term after it")
            depth -= 1
        previous = token
    if previous is not None and previous.kind == "op":
        raise QueryError(f"{previous.text} needs a search term after it")
    if depth:
        raise QueryError("unclosed '(': add the matching ')'")


# -- filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """Which items a search, a listing, stats or an export covers (all items by default).

    ``changed_after`` keeps only items added or changed after that change mark (see
    ``Archive.change_mark``); ``--since-last-export`` sets it.
    """

    query: str | None = None
    categories: tuple[str, ...] = ()
    rubrics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    changed_after: int | None = None

    def __post_init__(self) -> None:
        if self.query is not None:
            try:
                fts_match(self.query)
            except QueryError as error:
                raise QueryError(f"invalid search query {self.query!r}: {error}") from None
        if self.since and self.until and self.since > self.until:
            raise QueryError(
                f"--since {self.since.isoformat()} is after --until {self.until.isoformat()}: "
                "nothing can match"
            )

    def describe(self) -> dict[str, Any]:
        """The filters that are set, as JSON-ready values (for export metadata)."""
        described: dict[str, Any] = {}
        for name in ("query", "categories", "rubrics", "sources", "sites"):
            value = getattr(self, name)
            if value:
                described[name] = list(value) if isinstance(value, tuple) else value
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                described[name] = value.isoformat()
        return described


@dataclass
class Sql:
    """A statement (or a fragment) and its named parameters."""

    text: str
    params: dict[str, Any] = field(default_factory=dict)


class _Params:
    """Hands out parameter names, so that no value is ever written into the SQL text."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def __call__(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"

    def many(self, values: tuple[str, ...]) -> str:
        return ", ".join(self(value) for value in values)


# The items whose attachments hold a match of the full-text expression ``{match}``.
_ATTACHMENT_MATCHES = (
    "SELECT l.item_id FROM attachment_files_fts AS m "
    "JOIN attachment_files AS f ON f.id = m.rowid JOIN attachments AS a ON a.sha256 = f.sha256 "
    "JOIN item_attachments AS l ON l.url = a.url WHERE attachment_files_fts MATCH {match}"
)


def _conditions(filters: Filters, param: _Params, *, matched: bool) -> list[str]:
    """SQL conditions on ``items AS i``; ``matched`` when the query's matches are already
    joined (see :func:`search_sql`)."""
    where: list[str] = []
    if filters.query is not None and not matched:
        match = param(fts_match(filters.query))
        where.append(
            f"(i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH {match}) "
            f"OR i.id IN ({_ATTACHMENT_MATCHES.format(match=match)}))"
        )
    if filters.categories:
        keys = tuple((match_key(value) or "").rstrip(".") for value in filters.categories)
        where.append(f"rtrim({MATCH_KEY_FUNCTION}(i.category), '.') IN ({param.many(keys)})")
    if filters.rubrics:
        keys = tuple(match_key(value) or "" for value in filters.rubrics)
        where.append(
            "EXISTS (SELECT 1 FROM item_rubrics AS r WHERE r.item_id = i.id "
            f"AND {MATCH_KEY_FUNCTION}(r.rubric) IN ({param.many(keys)}))"
        )
    if filters.sources:
        words = [
            f"instr({MATCH_KEY_FUNCTION}(i.source), {param(match_key(value))}) > 0"
            for value in filters.sources
        ]
        where.append("(" + " OR ".join(words) + ")")
    if filters.sites:
        where.append(
            "(" + " OR ".join(_site_condition(site, param) for site in filters.sites) + ")"
        )
    if filters.since is not None:
        where.append(f"i.published >= {param(filters.since.isoformat())}")
    if filters.until is not None:
        where.append(f"i.published <= {param(filters.until.isoformat())}")
    if filters.changed_after is not None:
        where.append(
            f"i.id IN (SELECT item_id FROM item_changes WHERE seq > {param(filters.changed_after)})"
        )
    return where


def item_conditions(filters: Filters) -> Sql:
    """The conditions of ``filters`` on ``items AS i`` as one SQL expression (``1`` when there
    are none), for statements built elsewhere; parameters are named ``p0``, ``p1``…"""
    param = _Params()
    where = _conditions(filters, param, matched=False)
    return Sql(" AND ".join(where) or "1", param.values)


# The site without its port (sites are stored as host[:port]).
_HOST = (
    "(CASE WHEN instr(i.site, ':') THEN substr(i.site, 1, instr(i.site, ':') - 1) ELSE i.site END)"
)


def _site_condition(site: str, param: _Params) -> str:
    value = site.strip().lower()
    exact, dotted = param(value), param("." + value)
    return (
        f"(lower(i.site) = {exact} OR lower({_HOST}) = {exact} "
        f"OR substr(lower({_HOST}), -length({dotted})) = {dotted})"
    )


def _where(conditions: list[str]) -> str:
    return " WHERE " + " AND ".join(conditions) if conditions else ""


# -- statements ---------------------------------------------------------------------------------

SUMMARY_COLUMNS = """i.id, i.url, i.site, i.title, i.category,
    (SELECT json_group_array(r.rubric) FROM item_rubrics AS r WHERE r.item_id = i.id)
        AS rubrics_json,
    i.source, i.published, i.updated"""

_DATE_ORDER = "i.published IS NULL, i.published DESC, i.id DESC"


def search_sql(filters: Filters, *, sort: Sort, limit: int | None, offset: int = 0) -> Sql:
    """Item summaries (with a ``snippet`` when there is a query), best or newest first.

    ``limit`` None means no limit; ``offset`` skips that many first results (a page of them).
    """
    param = _Params()
    prefix = ""
    if filters.query is None:
        if sort == "relevance":
            raise QueryError("sorting by relevance needs a search query; use --sort date")
        columns, source, order = SUMMARY_COLUMNS, "items AS i", _DATE_ORDER
    else:
        prefix = _matches_cte(fts_match(filters.query), param)
        columns = f"{SUMMARY_COLUMNS}, b.snippet, b.attachment"
        source = "best AS b JOIN items AS i ON i.id = b.item_id"
        # Matches in the article itself before those only its attachments hold.
        ranking = "b.in_attachment, b.score, i.id"
        order = ranking if sort == "relevance" else _DATE_ORDER
    where = _conditions(filters, param, matched=filters.query is not None)
    text = f"{prefix}SELECT {columns} FROM {source}{_where(where)} ORDER BY {order}"
    if limit is not None or offset:
        text += f" LIMIT {param(-1 if limit is None else int(limit))}"
    if offset:
        text += f" OFFSET {param(int(offset))}"
    return Sql(text, param.values)


def _matches_cte(match_expression: str, param: _Params) -> str:
    """``WITH … best``: one row per item matching the query, in its own text or in one of its
    attachments, with its score, snippet and ``attachment`` (the URL of the document that
    matched, None for the article itself), the article's own match kept when there are both.
    """
    match, start, end = param(match_expression), param(MATCH_START), param(MATCH_END)
    weights = f"{TITLE_WEIGHT}, 1.0"
    return (
        "WITH matches AS ("
        f"SELECT rowid AS item_id, bm25(items_fts, {weights}) AS score, "
        f"snippet(items_fts, 1, {start}, {end}, '…', {SNIPPET_TOKENS}) AS snippet, "
        "NULL AS attachment, 0 AS in_attachment FROM items_fts "
        f"WHERE items_fts MATCH {match} "
        "UNION ALL "
        f"SELECT l.item_id, bm25(attachment_files_fts, {weights}), "
        f"snippet(attachment_files_fts, 1, {start}, {end}, '…', {SNIPPET_TOKENS}), "
        "l.url, 1 FROM attachment_files_fts JOIN attachment_files AS f "
        "ON f.id = attachment_files_fts.rowid JOIN attachments AS a ON a.sha256 = f.sha256 "
        "JOIN item_attachments AS l ON l.url = a.url "
        f"WHERE attachment_files_fts MATCH {match}), "
        "ranked AS (SELECT *, row_number() OVER (PARTITION BY item_id "
        "ORDER BY in_attachment, score, attachment) AS n FROM matches), "
        "best AS (SELECT * FROM ranked WHERE n = 1) "
    )


def count_sql(filters: Filters) -> Sql:
    param = _Params()
    where = _conditions(filters, param, matched=False)
    return Sql(f"SELECT count(*) AS n FROM items AS i{_where(where)}", param.values)


def export_sql(filters: Filters, select: str) -> list[Sql]:
    """``select`` (a ``SELECT … FROM items AS i``) filtered, in export order.

    Export order is publication date then id, undated items last. It takes two statements,
    dated then undated, so that each can walk the ``items_published`` index instead of sorting
    the whole archive in memory.
    """
    statements = []
    for dated, order in (
        ("i.published IS NOT NULL", "i.published, i.id"),
        ("i.published IS NULL", "i.id"),
    ):
        param = _Params()
        where = [*_conditions(filters, param, matched=False), dated]
        statements.append(Sql(f"{select}{_where(where)} ORDER BY {order}", param.values))
    return statements


FACETS: dict[str, str] = {
    "category": "SELECT i.category AS key, count(*) AS n FROM items AS i{where} GROUP BY key",
    "rubric": (
        "SELECT r.rubric AS key, count(DISTINCT r.item_id) AS n FROM item_rubrics AS r "
        "JOIN items AS i ON i.id = r.item_id{where} GROUP BY key"
    ),
    "source": "SELECT i.source AS key, count(*) AS n FROM items AS i{where} GROUP BY key",
    "site": "SELECT i.site AS key, count(*) AS n FROM items AS i{where} GROUP BY key",
    "month": (
        "SELECT substr(i.published, 1, 7) AS key, count(*) AS n FROM items AS i{where} GROUP BY key"
    ),
}


def facet_sql(filters: Filters, facet: str) -> Sql:
    """Item counts per value of ``facet`` (one of :data:`FACETS`), most frequent first.

    A None key counts the items without a value (no category, undated…); the rubric facet
    has no None row since an item without rubrics has no ``item_rubrics`` row.
    """
    param = _Params()
    where = _where(_conditions(filters, param, matched=False))
    order = "key" if facet == "month" else "n DESC, key"
    return Sql(FACETS[facet].format(where=where) + f" ORDER BY {order}", param.values)


def span_sql(filters: Filters) -> Sql:
    """How many items, and the first and last publication dates, under ``filters``."""
    param = _Params()
    where = _where(_conditions(filters, param, matched=False))
    return Sql(
        "SELECT count(*) AS items, min(i.published) AS first, max(i.published) AS last "
        f"FROM items AS i{where}",
        param.values,
    )
