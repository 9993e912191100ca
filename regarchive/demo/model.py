"""The sample sites' shared article model: what every article is (its spec, rendered by each
skeleton in its own markup) and what a perfect extraction of it yields (its truth), generated
deterministically, with the articles that carry the single-article traps.

The specs say *what* an article says (title, category, rubric, chapô, body, dates, source and how
the page states them: ``style``); a skeleton (:mod:`regarchive.demo.skeletons`) says *how*.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from regarchive.demo import content as c
from regarchive.demo.content import RUBRICS, RubricInfo, TextFactory, Topic

PAGE_SIZE = 10
FIRST_NUMBER = 101
MIN_ARTICLES = 12
FIRST_DAY = date(2017, 1, 9)
LAST_DAY = date(2025, 6, 20)
LATEST_ON_HOME = 5
FEED_SIZE = 20

# Rubric of the i-th article (by age): 3 in 10 Régions, 3 Départements, 2 Communes, 2 Intercos.
_RUBRIC_PATTERN = (0, 1, 0, 1, 2, 3, 0, 1, 2, 3)
# How the date and source appear, by article index (each skeleton phrases them its own way; the
# SPIP "dist" skeleton as follows): a = byline "Source - YYYY-MM-DD" ending the text; b =
# "Source : X (dd/mm/yyyy)" line; c = "Publié le 1er août 2023 par <author>"; d = <time> +
# article:published_time + "mis à jour le"; e = the publication date only; f = no date at all
# (one article).
_STYLE_CYCLE = ("e", "a", "b", "c", "d", "a", "e", "b", "c", "d", "e", "a")
DATE_STYLES = {
    "a": "byline",
    "b": "source_line",
    "c": "publie_le",
    "d": "time_updated",
    "e": "abbr_only",
    "f": "no_date",
}
RESERVED_SLUGS = frozenset({"ecrire", "interne", "img", "prive", "local", "squelettes", "plugins"})


@dataclass(frozen=True)
class Page:
    """One served response. ``headers`` are extra HTTP headers (ETag, Last-Modified…)."""

    body: bytes
    content_type: str
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ArticleTruth:
    """What a perfect extraction of one article yields.

    ``text`` is the chapô then the body paragraphs (intertitres included, each on its own line),
    joined by "\\n", whitespace-normalised (non-breaking spaces are plain spaces) and with SPIP's
    typographic apostrophe ’; no byline, source line, sidebar or share buttons. ``urls`` are the
    canonical URL first, then the other URLs the same article is served and linked at (tracking
    parameters such as ``utm_*`` excluded: see ``Site.traps["utm_url"]``).
    """

    number: int
    canonical_url: str
    urls: list[str]
    title: str
    category: str | None
    rubrics: list[str]
    source: str | None
    published: str | None
    updated: str | None
    text: str
    encoding: str


@dataclass
class ArticleSpec:
    """Everything needed to render an article (mutable: ``Site.update_article``)."""

    number: int
    title: str
    category: str | None
    rubric: RubricInfo
    extra_rubrics: tuple[RubricInfo, ...]
    chapo: str
    body: list[tuple[str, str]]  # ("p" | "h2", text)
    spip_date: date  # SPIP's #DATE: listings, sidebars, feed, sitemap
    published: date | None
    updated: date | None
    style: str
    source: str | None
    author: tuple[str, str] | None  # (name, path) for style "c"
    path: str
    alias: str | None
    keywords: tuple[int, ...]
    pdf: str | None
    repeat: str  # "" | "exact" | "retyped": the chapô again at the top of div.texte
    encoding: str
    banner: bool
    share: bool

    @property
    def title_prefix(self) -> bool:
        """Rubrics whose listings show bare titles carry the category in <title> instead."""
        return not self.rubric.labelled and self.category is not None

    @property
    def rubric_names(self) -> list[str]:
        return sorted({self.rubric.name, *(r.name for r in self.extra_rubrics)})

    @property
    def text(self) -> str:
        return "\n".join([self.chapo, *(line for _, line in self.body)])


class PageMap(MutableMapping[str, Page]):
    """Mapping path → Page whose pages are rendered on first access and cached.

    Assigning ``pages[path] = Page(...)`` adds or overrides a page (kept across invalidations),
    which lets a test serve something unusual without a new generator.
    """

    def __init__(self) -> None:
        self._factories: dict[str, Callable[[], Page]] = {}
        self._overrides: dict[str, Page] = {}
        self._cache: dict[str, Page] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def add(self, path: str, factory: Callable[[], Page]) -> None:
        if path in self._factories:
            raise ValueError(f"duplicate page path: {path}")
        self._factories[path] = factory

    def invalidate(self) -> None:
        """Forget every rendered page (after a change to the site's content)."""
        with self._lock:
            self._generation += 1
            self._cache.clear()

    def __getitem__(self, path: str) -> Page:
        page = self._overrides.get(path) or self._cache.get(path)
        if page is not None:
            return page
        factory = self._factories[path]
        generation = self._generation
        page = factory()
        with self._lock:
            if generation == self._generation:
                self._cache[path] = page
        return page

    def __setitem__(self, path: str, page: Page) -> None:
        self._overrides[path] = page

    def __delitem__(self, path: str) -> None:
        if path not in self:
            raise KeyError(path)
        self._overrides.pop(path, None)
        self._factories.pop(path, None)
        self._cache.pop(path, None)

    def __contains__(self, path: object) -> bool:
        return path in self._overrides or path in self._factories

    def __iter__(self) -> Iterator[str]:
        return iter(
            list(self._factories) + [p for p in self._overrides if p not in self._factories]
        )

    def __len__(self) -> int:
        return len(self._factories) + sum(1 for p in self._overrides if p not in self._factories)


@dataclass(frozen=True)
class TrapPlan:
    """Article indices (0 = oldest) that carry the single-article traps."""

    two_urls: int
    two_rubrics: int
    windows_1252: int
    no_date: int
    no_category: tuple[int, ...]
    retyped: int
    utm: int
    first_day_of_month: int

    @classmethod
    def for_size(cls, count: int) -> TrapPlan:
        by_rubric: dict[int, list[int]] = {0: [], 1: [], 2: [], 3: []}
        for index in range(count):
            by_rubric[_RUBRIC_PATTERN[index % 10]].append(index)
        regions, departements, communes, intercos = (by_rubric[k] for k in range(4))
        two_urls = regions[-2]
        utm = max(i for i in range(count) if _RUBRIC_PATTERN[i % 10] != 1 and i != two_urls)
        first_c = next(i for i in range(count) if _STYLE_CYCLE[i % 12] == "c")
        return cls(
            two_urls=two_urls,
            two_rubrics=departements[len(departements) // 2],
            windows_1252=communes[0],
            no_date=intercos[len(intercos) // 2],
            no_category=(regions[1], communes[len(communes) // 2]),
            retyped=regions[3],
            utm=utm,
            first_day_of_month=first_c,
        )


def _article_date(rng: random.Random, index: int, count: int) -> date:
    span = (LAST_DAY - FIRST_DAY).days
    step = max(1, span // count)
    return FIRST_DAY + timedelta(days=span * index // count + rng.randint(0, step // 2))


def _propre_path(title: str, used: set[str]) -> str:
    slug = c.slugify(title)
    candidate, suffix = slug, 2
    while candidate.casefold() in used:
        candidate, suffix = f"{slug}-{suffix}", suffix + 1
    used.add(candidate.casefold())
    return "/" + candidate


def _body(
    rng: random.Random, texts: TextFactory, topic: Topic, *, cp1252: bool
) -> list[tuple[str, str]]:
    """Body blocks so that chapô + body make 3 to 6 lines."""
    lines = 4 if cp1252 else rng.randint(3, 6)
    heading = texts.intertitre(topic) if not cp1252 and lines >= 4 and rng.random() < 0.35 else None
    count = lines - 1 - (1 if heading else 0) - (1 if cp1252 else 0)
    body = [("p", text) for text in texts.paragraphs(topic, count)]
    if cp1252:
        body.append(("p", c.CP1252_PARAGRAPH))
    if heading:
        body.insert(rng.randint(1, len(body) - 1), ("h2", heading))
    return body


def _source(rng: random.Random, style: str) -> tuple[str | None, tuple[str, str] | None]:
    if style == "a":
        return rng.choice(c.SOURCES_BYLINE), None
    if style == "b":
        return rng.choice(c.SOURCES_LINE), None
    if style == "c":
        author = rng.choice(c.AUTHORS)
        return author[0], author
    if style == "d":
        return rng.choice(c.SOURCES_PLAIN), None
    return None, None


def _topic_and_title(
    rng: random.Random,
    texts: TextFactory,
    rubric: RubricInfo,
    category: str | None,
    day: date,
    style: str,
    number: int,
) -> tuple[Topic, str]:
    """An actor and a theme for the article, and a title for them (some pairs are too long)."""
    for _ in range(20):
        topic = Topic(
            actor=rng.choice(rubric.actors),
            theme=rng.choice(c.THEMES),
            year=day.year,
            category=category,
            years_allowed=style != "f",
        )
        title = texts.title(topic)
        if title:
            return topic, title
    return topic, texts.fallback_title(topic, number)


def make_specs(
    rng: random.Random,
    texts: TextFactory,
    used_slugs: set[str],
    plan: TrapPlan,
    indexes: range,
    count: int,
    dated: date | None = None,
) -> list[ArticleSpec]:
    """Specs of the articles at ``indexes`` of a site of ``count``; ``dated`` fixes their date."""
    specs = []
    for index in indexes:
        number = FIRST_NUMBER + index
        rubric = RUBRICS[_RUBRIC_PATTERN[index % 10]]
        category = None if index in plan.no_category else ("Circ." if index % 3 == 1 else "Actu")
        style = "f" if index == plan.no_date else _STYLE_CYCLE[index % 12]
        day = dated or _article_date(rng, index, count)
        if index == plan.first_day_of_month:
            day = day.replace(day=1)
        topic, title = _topic_and_title(rng, texts, rubric, category, day, style, number)
        chapo = texts.chapo(topic, quoted=index == plan.retyped)
        body = _body(rng, texts, topic, cp1252=index == plan.windows_1252)
        source, author = _source(rng, style)
        if rubric.id == 2:
            path, alias = f"/spip.php?article{number}", None
        else:
            path = _propre_path(title, used_slugs)
            alias = f"/spip.php?article{number}" if index == plan.two_urls else None
        if index == plan.retyped:
            repeat = "retyped"
        elif index % 5 == 3:
            repeat = "exact"
        else:
            repeat = ""
        specs.append(
            ArticleSpec(
                number=number,
                title=title,
                category=category,
                rubric=rubric,
                extra_rubrics=(RUBRICS[0],) if index == plan.two_rubrics else (),
                chapo=chapo,
                body=body,
                spip_date=day + timedelta(days=number % 3) if style in "ab" else day,
                published=None if style == "f" else day,
                updated=day + timedelta(days=rng.randint(5, 60)) if style == "d" else None,
                style=style,
                source=source,
                author=author,
                path=path,
                alias=alias,
                keywords=tuple(sorted(rng.sample(range(len(c.KEYWORDS)), rng.randint(1, 2)))),
                pdf=f"/IMG/pdf/note-{number}.pdf" if number % 3 == 0 else None,
                repeat=repeat,
                encoding="windows-1252" if index == plan.windows_1252 else "utf-8",
                banner=number % 4 == 1,
                share=number % 2 == 0,
            )
        )
    return specs


def newest_first(specs: list[ArticleSpec]) -> list[ArticleSpec]:
    return sorted(specs, key=lambda s: (s.spip_date, s.number), reverse=True)
