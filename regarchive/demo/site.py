"""The bundled sample SPIP site: pages as a real SPIP 4 "dist" site serves them, plus the truth.

``build_site(base_url)`` returns a :class:`Site` whose ``pages`` map every served path (path and
query, exactly as a client requests it) to a :class:`Page`, and whose ``articles`` hold the
:class:`ArticleTruth` an extraction is compared against. The site deliberately carries the traps
seen on real sites (chapô repeated in the body, bylines, "Dans la même rubrique" sidebars with
labelled links and dates, an article at two URLs, a windows-1252 page, robots.txt exclusions…);
``Site.traps`` says where each one is.

Pages are rendered lazily and cached, so that sites of 10,000 articles build in a few seconds.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
import threading
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import parse_qsl, quote

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
# How the date and source appear, by article index (see ``_info_publi`` and ``_texte``):
# a = byline "Source - YYYY-MM-DD" ending div.texte; b = "Source : X (dd/mm/yyyy)" line;
# c = "Publié le 1er août 2023 par <author>"; d = <time> + article:published_time + "mis à
# jour le"; e = abbr.published only; f = no date at all (one article).
_STYLE_CYCLE = ("e", "a", "b", "c", "d", "a", "e", "b", "c", "d", "e", "a")
DATE_STYLES = {
    "a": "byline",
    "b": "source_line",
    "c": "publie_le",
    "d": "time_updated",
    "e": "abbr_only",
    "f": "no_date",
}
_TRACKING_PREFIXES = ("utm_",)
_TRACKING_PARAMS = {"fbclid", "gclid", "xtor", "mc_cid", "mc_eid"}
_INTERNE_PATH = "/interne/Note-interne-sur-la-preparation-budgetaire"
_INTERNE_TITLE = "Note interne sur la préparation budgétaire"
_ROBOTS = """User-agent: *
Allow:    /local/cache-css/
Allow:    /local/cache-js/
Allow: /prive/javascript/jquery.js
Disallow: /ecrire/
Disallow: /lib/
Disallow: /prive/
Disallow: /spip.php?action=*
Disallow: /spip.php?page=login*
Disallow: /*.api/
Disallow: /interne/
Sitemap: {base}/sitemap.xml
"""
_SEARCHES = ("apprentissage", "dotation", "intercommunalité")
_HTML_UTF8 = "text/html; charset=utf-8"
ON_CLASS = ' class="on"'


# --- public data types ----------------------------------------------------------------------


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
class _ArticleSpec:
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


# --- small helpers ----------------------------------------------------------------------------


_TYPO_SPACE = re.compile(r" ([:;!?»])")


def _typo(text: str) -> str:
    """HTML for a text as SPIP typesets it: &nbsp; before : ; ! ? » and after «."""
    out = _TYPO_SPACE.sub(r"&nbsp;\1", html.escape(text, quote=False))
    return out.replace("« ", "«&nbsp;")


def _retyped(text: str) -> str:
    """HTML for the same text typed again by hand: straight quotes, a nbsp, double spaces."""
    out = text.replace("« ", '"').replace(" »", ' "').replace("’", "'")
    out = out.replace(", ", ",  ", 1)
    first = out.find(" ")
    if first > 0:
        out = out[:first] + "\u00a0" + out[first + 1 :]
    return html.escape(out, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _rel(path: str) -> str:
    """Relative href of a root-level path, as SPIP writes it (``spip.php?article12``)."""
    return path.lstrip("/") or "./"


def _intro(chapo: str, limit: int = 150) -> str:
    """SPIP's #INTRODUCTION, roughly: the chapô cut at a word boundary."""
    if len(chapo) <= limit:
        return chapo
    return chapo[: chapo.rfind(" ", 0, limit)] + " (…)"


def _iso_time(day: date, number: int) -> str:
    return f"{day.isoformat()}T{8 + number % 9:02d}:{(number * 7) % 60:02d}:00Z"


def _http_date(day: date) -> str:
    moment = datetime(day.year, day.month, day.day, 10, 0, tzinfo=timezone.utc)
    return format_datetime(moment, usegmt=True)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest() + '"'


def pdf_reference(number: int) -> str:
    """The file reference the note of article ``number`` gives, in its PDF only: a word to
    search the archive for, found in the attachment and nowhere else."""
    return f"NOTE{number:04d}DGCL"


def _pdf_bytes(title: str, number: int) -> bytes:
    """A small, valid one-page PDF (ASCII title, then the note's reference)."""
    text = c.slugify(title, 80).replace("-", " ")
    stream = (
        f"BT /F1 12 Tf 72 720 Td ({text}) Tj 0 -20 Td "
        f"(Annexe technique, reference {pdf_reference(number)}) Tj ET"
    ).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _listing_path(rubric: RubricInfo, offset: int) -> str:
    if offset == 0:
        return rubric.path
    joiner = "&" if "?" in rubric.path else "?"
    return f"{rubric.path}{joiner}debut_articles={offset}"


def _strip_tracking(path: str) -> str:
    """The path without ``utm_*``-style parameters (which PHP would simply ignore)."""
    base, sep, query = path.partition("?")
    if not sep:
        return path
    kept = [
        part
        for part in query.split("&")
        if part
        and not part.split("=", 1)[0].startswith(_TRACKING_PREFIXES)
        and part.split("=", 1)[0] not in _TRACKING_PARAMS
    ]
    return base + ("?" + "&".join(kept) if kept else "")


# --- building the content -----------------------------------------------------------------------


@dataclass(frozen=True)
class _TrapPlan:
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
    def for_size(cls, count: int) -> _TrapPlan:
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


def _make_specs(
    rng: random.Random,
    texts: TextFactory,
    used_slugs: set[str],
    plan: _TrapPlan,
    indexes: range,
    count: int,
    dated: date | None = None,
) -> list[_ArticleSpec]:
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
            _ArticleSpec(
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


def build_site(base_url: str, *, articles: int = 36, seed: int = 0) -> Site:
    """The sample site served at ``base_url`` (no trailing slash), deterministic for
    (articles, seed). At least ``MIN_ARTICLES`` articles, so that every trap exists."""
    if articles < MIN_ARTICLES:
        raise ValueError(f"the sample site needs at least {MIN_ARTICLES} articles")
    plan = _TrapPlan.for_size(articles)
    rng = random.Random(f"regarchive-demo:{seed}")
    texts = TextFactory(rng)
    used_slugs = {"ecrire", "interne", "img", "prive", "local", "squelettes", "plugins"}
    specs = _make_specs(rng, texts, used_slugs, plan, range(articles), articles)
    site = Site(base_url, specs, plan)
    site._generator = (rng, texts, used_slugs, plan)
    return site


# --- the site -----------------------------------------------------------------------------------


def _newest_first(specs: list[_ArticleSpec]) -> list[_ArticleSpec]:
    return sorted(specs, key=lambda s: (s.spip_date, s.number), reverse=True)


class Site:
    """Served pages, ground truth and the index of traps of one sample site."""

    def __init__(self, base_url: str, specs: list[_ArticleSpec], plan: _TrapPlan) -> None:
        self.base_url = base_url.rstrip("/")
        self._generator: tuple[random.Random, TextFactory, set[str], _TrapPlan] | None = None
        self._index(specs)
        self.rubrics: dict[str, str] = {r.name: self.url(r.path) for r in RUBRICS}
        self.articles: list[ArticleTruth] = [self._truth(spec) for spec in specs]
        self.traps = self._describe_traps(specs, plan)
        self.pages = PageMap()
        self._register()

    def _index(self, specs: list[_ArticleSpec]) -> None:
        """Listings, keyword and author pages: newest first, as SPIP sorts them."""
        self._specs = {spec.number: spec for spec in specs}
        self._latest = _newest_first(specs)
        self._members = {
            r.id: [s for s in self._latest if r in (s.rubric, *s.extra_rubrics)] for r in RUBRICS
        }
        self._by_keyword = {
            k: [s for s in self._latest if k in s.keywords][:PAGE_SIZE]
            for k in range(len(c.KEYWORDS))
        }
        self._by_author = {
            author[1]: [s for s in self._latest if s.author == author][:PAGE_SIZE]
            for author in c.AUTHORS
        }

    # public API --------------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base_url + path

    def article(self, number: int) -> ArticleTruth:
        for truth in self.articles:
            if truth.number == number:
                return truth
        raise KeyError(f"no article {number}")

    def lookup(self, path: str) -> Page | None:
        """The page served for a request path (fragment ignored, tracking parameters dropped,
        login/search/private-area pages answered for any query), or None for a 404."""
        path = path.split("#", 1)[0] or "/"
        if path in self.pages:
            return self.pages[path]
        stripped = _strip_tracking(path)
        if stripped in self.pages:
            return self.pages[stripped]
        return self._dynamic(stripped)

    def not_found(self, path: str) -> Page:
        content = (
            f'<p class="arbo"><a href="{self.base_url}/">Accueil</a> &gt; '
            '<strong class="on">Page introuvable</strong></p>\n'
            '<div class="cartouche"><h1 class="surlignable">Page introuvable</h1></div>\n'
            "<p>La page demandée n’existe pas ou a été déplacée.</p>"
        )
        body = self._layout(
            title="Page introuvable",
            body_class="page_404",
            canonical=None,
            here=path,
            content=content,
            robots="noindex",
        )
        return self._html(body, status=404)

    def update_article(
        self,
        number: int,
        *,
        text: str | None = None,
        title: str | None = None,
        updated: str | date | None = None,
    ) -> ArticleTruth:
        """Change an article in place and return its new truth; every page is re-rendered.

        ``text`` is the new clean text: its first line becomes the chapô, the others the body
        paragraphs. ``updated`` (``YYYY-MM-DD``) is shown as "mis à jour le …" on the page.
        """
        spec = self._specs[number]
        if title is not None:
            spec.title = title.strip()
        if text is not None:
            lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
            if not lines:
                raise ValueError("an article needs at least one line of text")
            spec.chapo, spec.body = lines[0], [("p", line) for line in lines[1:]]
        if updated is not None:
            spec.updated = updated if isinstance(updated, date) else date.fromisoformat(updated)
        truth = self._truth(spec)
        self.articles = [truth if t.number == number else t for t in self.articles]
        self.pages.invalidate()
        return truth

    def add_articles(self, count: int, *, published: date) -> list[ArticleTruth]:
        """Publish ``count`` new articles dated ``published`` (newest first in their listings)
        and return their truths; every page is re-rendered."""
        if self._generator is None:
            raise RuntimeError("only a site made by build_site can grow")
        rng, texts, used_slugs, plan = self._generator
        first = len(self._specs)
        new = _make_specs(
            rng, texts, used_slugs, plan, range(first, first + count), first + count, published
        )
        self._index([*self._specs.values(), *new])
        for spec in new:
            self._register_article(spec)
        truths = [self._truth(spec) for spec in new]
        self.articles = [*self.articles, *truths]
        self._register_listings()
        self.pages.invalidate()
        return truths

    # truth & traps -----------------------------------------------------------------------------

    def _truth(self, spec: _ArticleSpec) -> ArticleTruth:
        canonical = self.url(spec.path)
        return ArticleTruth(
            number=spec.number,
            canonical_url=canonical,
            urls=[canonical] + ([self.url(spec.alias)] if spec.alias else []),
            title=spec.title,
            category=spec.category,
            rubrics=spec.rubric_names,
            source=spec.source,
            published=spec.published.isoformat() if spec.published else None,
            updated=spec.updated.isoformat() if spec.updated else None,
            text=spec.text,
            encoding=spec.encoding,
        )

    def _describe_traps(self, specs: list[_ArticleSpec], plan: _TrapPlan) -> dict[str, object]:
        def number(index: int) -> int:
            return specs[index].number

        utm = specs[plan.utm]
        return {
            "two_urls": number(plan.two_urls),
            "two_rubrics": number(plan.two_rubrics),
            "windows_1252": number(plan.windows_1252),
            "no_date": number(plan.no_date),
            "no_category": [number(i) for i in plan.no_category],
            "retyped_chapo": number(plan.retyped),
            "repeated_chapo": [s.number for s in specs if s.repeat],
            "title_prefix": [s.number for s in specs if s.title_prefix],
            "first_day_of_month": number(plan.first_day_of_month),
            "utm": utm.number,
            "utm_url": self.url(utm.path) + _utm_suffix(utm.path),
            "disallowed_url": self.url(_INTERNE_PATH),
            "pdf": [s.number for s in specs if s.pdf],
            "date_styles": {
                name: [s.number for s in specs if s.style == key]
                for key, name in DATE_STYLES.items()
            },
        }

    # page registry -----------------------------------------------------------------------------

    def _register(self) -> None:
        add = self.pages.add
        add("/", lambda: self._html(self._home()))
        add("/robots.txt", self._robots)
        add("/sitemap.xml", self._sitemap)
        add("/spip.php?page=backend", lambda: self._feed(None))
        add("/spip.php?page=plan", lambda: self._html(self._plan()))
        add("/spip.php?page=contact", lambda: self._html(self._simple("contact")))
        add(_INTERNE_PATH, lambda: self._html(self._interne()))
        self._register_listings()
        for index, (_, path) in enumerate(c.KEYWORDS):
            add("/" + path, lambda k=index: self._html(self._keyword(k)))
        for name, path in c.AUTHORS:
            add("/" + path, lambda n=name, p=path: self._html(self._author(n, p)))
        for spec in self._specs.values():
            self._register_article(spec)

    def _register_listings(self) -> None:
        """Feeds and listing pages; pages that already exist render from the current index."""

        def add(path: str, factory: Callable[[], Page]) -> None:
            if path not in self.pages:
                self.pages.add(path, factory)

        for rubric in RUBRICS:
            add(f"/spip.php?page=backend&id_rubrique={rubric.id}", lambda r=rubric: self._feed(r))
            pages = max(1, -(-len(self._members[rubric.id]) // PAGE_SIZE))
            for offset in range(0, pages * PAGE_SIZE, PAGE_SIZE):
                add(_listing_path(rubric, offset), lambda r=rubric, o=offset: self._listing(r, o))

    def _register_article(self, spec: _ArticleSpec) -> None:
        add = self.pages.add
        add(spec.path, lambda n=spec.number: self._article_page(self._specs[n]))
        if spec.alias:
            add(spec.alias, lambda p=spec.path: self.pages[p])
        add(
            f"/spip.php?page=imprimer&id_article={spec.number}",
            lambda n=spec.number: self._html(self._print(self._specs[n])),
        )
        if spec.pdf:
            add(
                spec.pdf,
                lambda n=spec.number: Page(_pdf_bytes(self._specs[n].title, n), "application/pdf"),
            )

    def _dynamic(self, path: str) -> Page | None:
        if path == "/ecrire" or path.startswith(("/ecrire/", "/ecrire?")):
            return self._html(self._simple("ecrire"))
        base, _, query = path.partition("?")
        if base != "/spip.php":
            return None
        params = dict(parse_qsl(query, keep_blank_values=True))
        if params.get("page") == "login":
            return self._html(self._simple("login"))
        if params.get("page") == "recherche":
            return self._html(self._search(params.get("recherche", ""), path))
        return None

    # responses ---------------------------------------------------------------------------------

    def _html(self, markup: str, *, status: int = 200) -> Page:
        return Page(markup.encode("utf-8"), _HTML_UTF8, status, {"Composed-By": c.COMPOSED_BY})

    def _robots(self) -> Page:
        return Page(_ROBOTS.format(base=self.base_url).encode(), "text/plain; charset=utf-8")

    def _article_page(self, spec: _ArticleSpec) -> Page:
        markup = self._article(spec)
        if spec.encoding == "utf-8":
            body, content_type = markup.encode("utf-8"), _HTML_UTF8
        else:  # the old-site trap: no charset in the HTTP header, only in the meta
            body, content_type = markup.encode(spec.encoding, "xmlcharrefreplace"), "text/html"
        headers = {"Composed-By": c.COMPOSED_BY, "ETag": _etag(body)}
        if spec.style != "f":
            headers["Last-Modified"] = _http_date(spec.updated or spec.spip_date)
        return Page(body, content_type, 200, headers)

    # layout ------------------------------------------------------------------------------------

    def _layout(
        self,
        *,
        title: str,
        body_class: str,
        canonical: str | None,
        here: str,
        content: str,
        aside: str = "",
        rubric: RubricInfo | None = None,
        head: str = "",
        description: str = "",
        charset: str = "utf-8",
        banner: bool = False,
        robots: str | None = None,
    ) -> str:
        meta = [
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />',
            '<meta name="viewport" content="width=device-width, initial-scale=1" />',
            f'<meta name="generator" content="SPIP {c.SPIP_VERSION}" />',
        ]
        if description:
            meta.append(f'<meta name="description" content="{_attr(description)}" />')
        if canonical:
            meta.append(f'<link rel="canonical" href="{_attr(canonical)}" />')
        if robots:
            meta.append(f'<meta name="robots" content="{robots}" />')
        meta.append(
            '<link rel="alternate" type="application/rss+xml" title="Syndiquer tout le site" '
            f'href="{self.base_url}/spip.php?page=backend" />'
        )
        meta.append('<link rel="stylesheet" href="local/cache-css/spip.min.css" type="text/css" />')
        return "\n".join(
            [
                "<!DOCTYPE html>",
                '<html dir="ltr" lang="fr" class="ltr fr no-js">',
                "<head>",
                "<script type='text/javascript'>/*<![CDATA[*/(function(H){H.className="
                "H.className.replace(/\\bno-js\\b/,'js')})(document.documentElement);/*]]>*/"
                "</script>",
                f"<title>{html.escape(title, quote=False)}</title>",
                *meta,
                head,
                "</head>",
                f'<body class="pas_surlignable {body_class}">',
                '<div class="page">',
                self._cookie_banner() if banner else "",
                self._header(rubric),
                '<main class="main" role="main">',
                '<div class="wrapper hfeed">',
                f'<div class="content hentry" id="content">\n{content}\n</div>',
                "</div>",
                f'<aside class="aside" role="complementary">\n{aside}\n</aside>' if aside else "",
                "</main>",
                self._footer(here),
                "</div>",
                "</body>",
                "</html>",
            ]
        )

    def _header(self, current: RubricInfo | None) -> str:
        lines = []
        for rubric in RUBRICS:
            on = rubric is current
            lines.append(
                f'<li class="menu-entree item{" on" if on else ""}">'
                f'<a href="{_attr(_rel(rubric.path))}"{ON_CLASS if on else ""}>'
                f"{rubric.name}</a></li>"
            )
        items = "\n".join(lines)
        return f"""<header class="header" role="banner"><div class="container">
<div class="accueil"><a rel="start home" href="{self.base_url}/" title="Accueil" id="logo">
<strong class="nom_site">{c.SITE_NAME}</strong></a>
<p id="slogan">{c.SLOGAN}</p></div>
<div class="formulaire_spip formulaire_recherche" id="formulaire_recherche">
<form action="spip.php?page=recherche" method="get"><div class="editer-groupe">
<input name="page" value="recherche" type="hidden" />
<label for="recherche">Rechercher&nbsp;:</label>
<input type="search" class="search text" size="10" name="recherche" id="recherche" accesskey="4" />
<input type="submit" class="btn submit" value="&gt;&gt;" title="Rechercher" />
</div></form></div>
</div></header>
<nav class="nav" id="nav" role="navigation"><ul class="menu-liste menu-items" data-depth="0">
{items}
</ul></nav>"""

    def _footer(self, here: str) -> str:
        login = "spip.php?page=login&amp;url=" + quote(_rel(here), safe="")
        return f"""<footer class="footer" role="contentinfo"><div class="container">
<p class="colophon">2017-2025 &mdash; {c.SITE_NAME}<br />
<a rel="contents" href="spip.php?page=plan" class="first">Plan du site</a>
 | <a href="{login}" rel="nofollow" class="login_modal">Se connecter</a>
 | <a rel="nofollow" href="spip.php?page=contact">Contact</a>
 | <a href="{self.base_url}/spip.php?page=backend" rel="alternate"
 title="Syndiquer tout le site" class="last">RSS&nbsp;2.0</a>
 | <a href="ecrire/" rel="nofollow">Espace rédacteurs</a></p>
<small class="generator"><a href="https://www.spip.net/" rel="generator"
 title="Site réalisé avec SPIP" class="spip_out">SPIP</a></small>
</div></footer>"""

    @staticmethod
    def _cookie_banner() -> str:
        return (
            '<div id="cookie-banner" class="cookie-banner" role="dialog" aria-label="Cookies">'
            "<p>Ce site utilise des cookies de mesure d’audience. En poursuivant votre "
            "navigation, vous acceptez leur utilisation.</p>"
            '<button type="button" class="cookie-accept">J’accepte</button> '
            '<a href="spip.php?page=contact" rel="nofollow">En savoir plus</a></div>'
        )

    def _arbo(self, *crumbs: tuple[str, str] | str) -> str:
        parts = [f'<a href="{self.base_url}/">Accueil</a>']
        for crumb in crumbs:
            if isinstance(crumb, tuple):
                parts.append(f'<a href="{_attr(crumb[1])}">{_typo(crumb[0])}</a>')
            else:
                parts.append(f'<strong class="on">{_typo(crumb)}</strong>')
        return '<p class="arbo">' + " &gt; ".join(parts) + "</p>"

    # article -----------------------------------------------------------------------------------

    def _title_tag(self, spec: _ArticleSpec) -> str:
        prefix = f"{spec.category} - {spec.rubric.name} - " if spec.title_prefix else ""
        return f"{prefix}{spec.title} - {c.SITE_NAME}"

    def _article(self, spec: _ArticleSpec) -> str:
        canonical = self.url(spec.path)
        head = [
            '<meta property="og:type" content="article" />',
            f'<meta property="og:title" content="{_attr(spec.title)}" />',
            f'<meta property="og:url" content="{_attr(canonical)}" />',
            f'<meta property="og:site_name" content="{c.SITE_NAME}" />',
        ]
        if spec.style == "d" and spec.published:
            head.append(
                '<meta property="article:published_time" '
                f'content="{_iso_time(spec.published, spec.number)}" />'
            )
        content = "\n".join(
            part
            for part in (
                self._arbo((spec.rubric.name, _rel(spec.rubric.path)), spec.title),
                '<div class="cartouche">',
                f'<h1 class="surlignable entry-title">{_typo(spec.title)}</h1>',
                self._info_publi(spec),
                "</div>",
                '<div class="surlignable">',
                f'<div class="chapo entry-summary"><p>{_typo(spec.chapo)}</p></div>',
                f'<div class="texte entry-content">\n{self._texte(spec)}\n</div>',
                "</div>",
                self._documents(spec),
                self._share(spec) if spec.share else "",
                f'<p class="imprimer"><a href="spip.php?page=imprimer&amp;id_article={spec.number}"'
                ' rel="nofollow" title="Version imprimable">Imprimer cet article</a></p>',
            )
            if part
        )
        return self._layout(
            title=self._title_tag(spec),
            body_class="page_article",
            canonical=canonical,
            here=spec.path,
            content=content,
            aside=self._same_rubric(spec) + "\n" + self._keywords_block(spec),
            rubric=spec.rubric,
            head="\n".join(head),
            description=_intro(spec.chapo),
            charset=spec.encoding,
            banner=spec.banner,
        )

    def _info_publi(self, spec: _ArticleSpec) -> str:
        day, parts = spec.published, []
        if spec.style == "c" and day and spec.author:
            name, path = spec.author
            parts.append(
                f'Publié le {c.affdate(day)} <span class="auteurs">par <span class="vcard '
                f'author"><a class="url fn spip_in" href="{_attr(path)}">{_typo(name)}</a>'
                "</span></span>"
            )
        elif spec.style == "d" and day:
            parts.append(
                f'Publié le <time datetime="{day.isoformat()}" class="published">'
                f"{c.affdate(day)}</time>"
            )
        elif spec.style == "e" and day:
            parts.append(
                f'<abbr class="published" title="{_iso_time(day, spec.number)}">'
                f"{c.nom_jour(day)} {c.affdate(day)}</abbr>"
            )
        if spec.updated:
            parts.append(f'<span class="maj">mis à jour le {c.affdate(spec.updated)}</span>')
        if not parts:
            return ""
        return '<p class="info-publi">' + "<br />\n".join(parts) + "</p>"

    def _texte(self, spec: _ArticleSpec) -> str:
        blocks = []
        if spec.repeat == "exact":
            blocks.append(f"<p>{_typo(spec.chapo)}</p>")
        elif spec.repeat == "retyped":
            blocks.append(f"<p>{_retyped(spec.chapo)}</p>")
        for kind, text in spec.body:
            if kind == "h2":
                blocks.append(f'<h2 class="spip">{_typo(text)}</h2>')
            else:
                blocks.append(f"<p>{_typo(text)}</p>")
        day = spec.published
        if spec.style == "a" and day:
            blocks.append(f"<p>{_typo(spec.source or '')} - {day.isoformat()}</p>")
        elif spec.style == "b" and day:
            blocks.append(f"<p>{_typo(f'Source : {spec.source} ({day:%d/%m/%Y})')}</p>")
        elif spec.style == "d":
            blocks.append(f"<p>{_typo(f'Source : {spec.source}')}</p>")
        return "\n".join(blocks)

    def _documents(self, spec: _ArticleSpec) -> str:
        if not spec.pdf:
            return ""
        size = len(_pdf_bytes(spec.title, spec.number))
        return (
            '<div class="documents_joints"><h2>Documents joints</h2><ul class="spip_documents">'
            f'<li><a href="{_rel(spec.pdf)}" class="spip_doc" type="application/pdf" '
            f'title="PDF - {size} octets">Note de synthèse <small class="info_document">'
            f"(PDF - {size} octets)</small></a></li></ul></div>"
        )

    def _share(self, spec: _ArticleSpec) -> str:
        target, title = quote(self.url(spec.path), safe=""), quote(spec.title, safe="")
        return (
            '<div class="partage"><p>Partager cette page&nbsp;:</p><ul>'
            '<li><a class="share-twitter spip_out" href="https://twitter.com/intent/tweet?'
            f'url={target}&amp;text={title}">Twitter</a></li>'
            '<li><a class="share-facebook spip_out" href="https://www.facebook.com/sharer/'
            f'sharer.php?u={target}">Facebook</a></li>'
            f'<li><a class="share-mail" href="mailto:?subject={title}&amp;body={target}">'
            "Envoyer par courriel</a></li></ul></div>"
        )

    def _related_href(self, spec: _ArticleSpec) -> str:
        """Sidebars link the article at its alias when it has one (the two-URLs trap)."""
        return _rel(spec.alias or spec.path)

    def _same_rubric(self, spec: _ArticleSpec) -> str:
        rubric = spec.rubric
        items = [s for s in self._members[rubric.id] if s is not spec][:PAGE_SIZE]
        lines = []
        for other in items:
            label = " - ".join(x for x in (other.category, rubric.name, other.title) if x)
            date_html = (
                f' <small class="date">{c.affdate_jourcourt(other.spip_date)}</small>'
                if other.published
                else ""
            )
            lines.append(
                f'<li class="menu-entree item"><a href="{_attr(self._related_href(other))}" '
                f'class="spip_in">{_typo(label)}</a>{date_html}</li>'
            )
        return (
            '<div class="menu">\n<h2>Dans la même rubrique</h2>\n<ul class="menu-liste">\n'
            + "\n".join(lines)
            + "\n</ul>\n</div>"
        )

    def _keywords_block(self, spec: _ArticleSpec) -> str:
        links = ", ".join(
            f'<a href="{_attr(c.KEYWORDS[k][1])}" rel="tag">{_typo(c.KEYWORDS[k][0])}</a>'
            for k in spec.keywords
        )
        return f'<div class="menu menu_mots"><h2>Mots-clés</h2><p>{links}</p></div>'

    def _print(self, spec: _ArticleSpec) -> str:
        canonical = self.url(spec.path)
        return f"""<!DOCTYPE html>
<html dir="ltr" lang="fr">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{html.escape(spec.title, quote=False)} - {c.SITE_NAME}</title>
<meta name="robots" content="noindex, nofollow" />
<link rel="canonical" href="{_attr(canonical)}" />
</head>
<body class="page_imprimer" onload="window.print()">
<p class="nom_site">{c.SITE_NAME}</p>
<h1>{_typo(spec.title)}</h1>
<div class="chapo"><p>{_typo(spec.chapo)}</p></div>
<div class="texte">
{self._texte(spec)}
</div>
<p class="url">Adresse de cet article&nbsp;: {html.escape(canonical)}</p>
</body>
</html>"""

    # listings ----------------------------------------------------------------------------------

    def _item(self, spec: _ArticleSpec, label: str, href: str) -> str:
        date_html = (
            f'<small><abbr class="published" title="{_iso_time(spec.spip_date, spec.number)}">'
            f"{c.affdate_jourcourt(spec.spip_date)}</abbr></small>\n"
            if spec.published
            else ""
        )
        return (
            '<li class="hentry item">\n'
            f'<strong class="entry-title"><a href="{_attr(href)}" rel="bookmark">{_typo(label)}'
            "</a></strong>\n"
            f"{date_html}"
            f'<div class="introduction entry-content"><p>{_typo(_intro(spec.chapo))}</p></div>\n'
            "</li>"
        )

    def _listing(self, rubric: RubricInfo, offset: int) -> Page:
        members = self._members[rubric.id]
        chunk = members[offset : offset + PAGE_SIZE]
        items = []
        for position, spec in enumerate(chunk):
            label = (
                f"{spec.category} - {spec.title}"
                if rubric.labelled and spec.category
                else spec.title
            )
            # Alternate relative and absolute links, as sites mixing templates do.
            href = _rel(spec.path) if position % 2 == 0 else self.url(spec.path)
            items.append(self._item(spec, label, href))
        last = offset + PAGE_SIZE >= len(members)
        if last and rubric.name == "Communes":
            items.append(self._interne_item())
        head = ""
        if rubric.rel_next:
            links = []
            if offset:
                links.append(
                    f'<link rel="prev" href="{self._listing_url(rubric, offset - PAGE_SIZE)}" />'
                )
            if not last:
                links.append(
                    f'<link rel="next" href="{self._listing_url(rubric, offset + PAGE_SIZE)}" />'
                )
            head = "\n".join(links)
        content = "\n".join(
            [
                self._arbo(rubric.name),
                f'<div class="cartouche"><h1 class="surlignable">{_typo(rubric.name)}</h1></div>',
                f'<div class="chapo surlignable"><p>{_typo(rubric.description)}</p></div>',
                '<div class="menu menu_articles">',
                '<a id="pagination_articles" class="pagination_ancre"></a>',
                "<h2>Les derniers articles</h2>",
                '<ul class="menu-liste menu-items">',
                *items,
                "</ul>",
                self._pagination(rubric, offset, len(members)),
                "</div>",
            ]
        )
        feed = (
            '<link rel="alternate" type="application/rss+xml" '
            f'title="Syndiquer cette rubrique" href="{self.base_url}/spip.php?page=backend&amp;'
            f'id_rubrique={rubric.id}" />'
        )
        markup = self._layout(
            title=f"{rubric.name} - {c.SITE_NAME}",
            body_class="page_rubrique",
            canonical=self.url(rubric.path),
            here=_listing_path(rubric, offset),
            content=content,
            aside=self._rubrics_block(rubric),
            rubric=rubric,
            head="\n".join(x for x in (head, feed) if x),
            description=rubric.description,
        )
        return self._html(markup)

    def _listing_url(self, rubric: RubricInfo, offset: int) -> str:
        return self.url(_listing_path(rubric, offset))

    def _pagination(self, rubric: RubricInfo, offset: int, total: int) -> str:
        if total <= PAGE_SIZE:
            return ""
        offsets = list(range(0, total, PAGE_SIZE))
        current = offset // PAGE_SIZE
        shown = sorted(
            {0, len(offsets) - 1, *range(max(0, current - 4), min(len(offsets), current + 5))}
        )

        def link(target: int, text: str, rel: str = "nofollow") -> str:
            href = _rel(_listing_path(rubric, target)) + "#pagination_articles"
            return (
                f'<a href="{_attr(href)}" class="pagination-lien lien_pagination" rel="{rel}">'
                f"{text}</a>"
            )

        items, previous = [], -1
        if not rubric.rel_next and current > 0:
            items.append(
                '<li class="pagination-item prev">'
                + link(offset - PAGE_SIZE, "«&nbsp;Précédent", "prev nofollow")
                + "</li>"
            )
        for page in shown:
            if page - previous > 1:
                items.append(
                    '<li class="pagination-item tbc"><span class="pagination-lien">…</span></li>'
                )
            previous = page
            if page == current:
                items.append(
                    '<li class="pagination-item on active"><span class="pagination-lien" '
                    f'aria-current="page">{offsets[page]}</span></li>'
                )
            else:
                items.append(
                    f'<li class="pagination-item">{link(offsets[page], str(offsets[page]))}</li>'
                )
        if not rubric.rel_next and current < len(offsets) - 1:
            items.append(
                '<li class="pagination-item next">'
                + link(offset + PAGE_SIZE, "Suivant&nbsp;»", "next nofollow")
                + "</li>"
            )
        return (
            '<nav role="navigation" class="pagination"><ul class="pagination-items">\n'
            + "\n".join(items)
            + "\n</ul></nav>"
        )

    def _rubrics_block(self, current: RubricInfo | None = None) -> str:
        items = "\n".join(
            f'<li class="item{" on" if r is current else ""}"><a href="{_attr(_rel(r.path))}">'
            f"{r.name}</a></li>"
            for r in RUBRICS
        )
        return (
            '<div class="menu menu_rubriques">\n<h2>Rubriques</h2>\n'
            f'<ul class="menu-liste">\n{items}\n</ul>\n</div>'
        )

    def _interne_item(self) -> str:
        return (
            '<li class="hentry item">\n'
            f'<strong class="entry-title"><a href="{_rel(_INTERNE_PATH)}" rel="bookmark">'
            f"Circ. - {_INTERNE_TITLE}</a></strong>\n"
            '<div class="introduction entry-content"><p>Document de travail réservé aux '
            "services.</p></div>\n</li>"
        )

    def _home(self) -> str:
        latest = self._latest[:LATEST_ON_HOME]
        items = "\n".join(self._item(s, s.title, _rel(s.path)) for s in latest)
        utm = self._specs[self.traps["utm"]]  # type: ignore[index]
        searches = "\n".join(
            f'<li><a href="spip.php?page=recherche&amp;recherche={quote(word)}">{word}</a></li>'
            for word in _SEARCHES
        )
        content = f"""<div class="cartouche"><h1 class="surlignable">{c.SITE_NAME}</h1></div>
<div class="chapo"><p>{c.SLOGAN}</p></div>
<div class="menu menu_articles">
<h2>Derniers articles</h2>
<ul class="menu-liste menu-items">
{items}
</ul>
</div>
<div class="menu lettre">
<h2>Dans la dernière lettre d’information</h2>
<p><a href="{_attr(_rel(utm.path) + _utm_suffix(utm.path))}">{_typo(utm.title)}</a></p>
</div>
<div class="menu recherches"><h2>Recherches fréquentes</h2><ul>
{searches}
</ul></div>
<p class="rss"><a href="{self.base_url}/spip.php?page=backend" rel="alternate">
Suivre le site (RSS&nbsp;2.0)</a></p>"""
        return self._layout(
            title=f"{c.SITE_NAME} - {c.SLOGAN}",
            body_class="page_sommaire",
            canonical=self.base_url + "/",
            here="/",
            content=content,
            aside=self._rubrics_block(),
            description=c.SLOGAN,
            banner=True,
        )

    def _simple_listing(
        self, title: str, body_class: str, here: str, specs: list[_ArticleSpec]
    ) -> str:
        items = "\n".join(self._item(s, s.title, _rel(s.path)) for s in specs)
        content = "\n".join(
            [
                self._arbo(title),
                f'<div class="cartouche"><h1 class="surlignable">{_typo(title)}</h1></div>',
                '<div class="menu menu_articles"><ul class="menu-liste menu-items">',
                items,
                "</ul></div>",
            ]
        )
        return self._layout(
            title=f"{title} - {c.SITE_NAME}",
            body_class=body_class,
            canonical=self.url(here),
            here=here,
            content=content,
            aside=self._rubrics_block(),
        )

    def _keyword(self, index: int) -> str:
        name, path = c.KEYWORDS[index]
        return self._simple_listing(name, "page_mot", "/" + path, self._by_keyword[index])

    def _author(self, name: str, path: str) -> str:
        return self._simple_listing(name, "page_auteur", "/" + path, self._by_author[path])

    def _plan(self) -> str:
        sections = []
        for rubric in RUBRICS:
            links = "\n".join(
                f'<li><a href="{_attr(_rel(s.path))}">{_typo(s.title)}</a></li>'
                for s in self._members[rubric.id]
            )
            sections.append(
                f'<h2><a href="{_attr(_rel(rubric.path))}">{rubric.name}</a></h2>\n'
                f'<ul class="plan-articles">\n{links}\n</ul>'
            )
        content = (
            self._arbo("Plan du site")
            + '\n<div class="cartouche"><h1 class="surlignable">Plan du site</h1></div>\n'
            + '<div class="plan">\n'
            + "\n".join(sections)
            + "\n</div>"
        )
        return self._layout(
            title=f"Plan du site - {c.SITE_NAME}",
            body_class="page_plan",
            canonical=self.url("/spip.php?page=plan"),
            here="/spip.php?page=plan",
            content=content,
        )

    def _search(self, words: str, here: str) -> str:
        needle = words.casefold().strip()
        found = [s for s in self._latest if needle and needle in s.title.casefold()][:PAGE_SIZE]
        items = (
            "\n".join(
                f'<li class="item"><a href="{_attr(_rel(s.path))}">{_typo(s.title)}</a></li>'
                for s in found
            )
            or "<li>Aucun résultat.</li>"
        )
        content = (
            self._arbo("Recherche")
            + f'\n<div class="cartouche"><h1 class="surlignable">Résultats de la recherche '
            f"«&nbsp;{html.escape(words)}&nbsp;»</h1></div>\n"
            f'<ul class="liste-items">\n{items}\n</ul>'
        )
        return self._layout(
            title=f"Recherche - {c.SITE_NAME}",
            body_class="page_recherche",
            canonical=None,
            here=here,
            content=content,
            robots="noindex",
        )

    def _simple(self, kind: str) -> str:
        titles = {
            "contact": ("Contact", "page_contact", "Pour nous écrire, utilisez le formulaire."),
            "login": ("Se connecter", "page_login", "Identifiez-vous pour accéder à votre espace."),
            "ecrire": ("Espace privé", "page_ecrire", "Accès réservé aux rédacteurs du site."),
        }
        title, body_class, text = titles[kind]
        form = (
            '<form method="post" action="spip.php?page=login"><p><label for="var_login">Login'
            '</label> <input type="text" name="var_login" id="var_login" /></p>'
            '<p><input type="submit" value="Valider" /></p></form>'
            if kind != "contact"
            else '<form method="post" action="spip.php?page=contact"><p><textarea '
            'name="texte_message"></textarea></p><p><input type="submit" value="Envoyer" />'
            "</p></form>"
        )
        content = (
            self._arbo(title)
            + f'\n<div class="cartouche"><h1 class="surlignable">{title}</h1></div>\n'
            + f"<p>{_typo(text)}</p>\n{form}"
        )
        return self._layout(
            title=f"{title} - {c.SITE_NAME}",
            body_class=body_class,
            canonical=None,
            here=f"/spip.php?page={kind}",
            content=content,
            robots="noindex, nofollow",
        )

    def _interne(self) -> str:
        content = "\n".join(
            [
                self._arbo(("Communes", _rel(RUBRICS[2].path)), _INTERNE_TITLE),
                '<div class="cartouche">',
                f'<h1 class="surlignable entry-title">{_typo(_INTERNE_TITLE)}</h1>',
                "</div>",
                '<div class="texte entry-content"><p>Document de travail réservé aux services '
                "de la collectivité&nbsp;: ne pas diffuser.</p></div>",
            ]
        )
        return self._layout(
            title=f"{_INTERNE_TITLE} - {c.SITE_NAME}",
            body_class="page_article",
            canonical=self.url(_INTERNE_PATH),
            here=_INTERNE_PATH,
            content=content,
            robots="noindex, nofollow",
        )

    # feeds -------------------------------------------------------------------------------------

    def _feed(self, rubric: RubricInfo | None) -> Page:
        specs = (self._members[rubric.id] if rubric else self._latest)[:FEED_SIZE]
        self_path = "/spip.php?page=backend" + (f"&id_rubrique={rubric.id}" if rubric else "")
        items = []
        for spec in specs:
            link = html.escape(self.url(spec.path))
            date_xml = (
                f"<dc:date>{_iso_time(spec.spip_date, spec.number)}</dc:date>\n"
                if spec.published
                else ""
            )
            items.append(
                '<item xml:lang="fr">\n'
                f"<title>{html.escape(spec.title)}</title>\n"
                f"<link>{link}</link>\n"
                f'<guid isPermaLink="true">{link}</guid>\n'
                f"{date_xml}"
                "<dc:format>text/html</dc:format>\n<dc:language>fr</dc:language>\n"
                f"<description>{html.escape(_intro(spec.chapo))}</description>\n"
                f"<dc:subject>{html.escape(spec.rubric.name)}</dc:subject>\n"
                "</item>"
            )
        title = c.SITE_NAME + (f" - {rubric.name}" if rubric else "")
        xml = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:atom="http://www.w3.org/2005/Atom">
<channel xml:lang="fr">
<title>{html.escape(title)}</title>
<link>{self.base_url}/</link>
<description>{c.SLOGAN}</description>
<language>fr</language>
<generator>SPIP - www.spip.net</generator>
<atom:link href="{html.escape(self.url(self_path))}" rel="self" type="application/rss+xml" />
{chr(10).join(items)}
</channel>
</rss>
"""
        return Page(
            xml.encode("utf-8"),
            "application/rss+xml; charset=utf-8",
            200,
            {"Composed-By": c.COMPOSED_BY},
        )

    def _sitemap(self) -> Page:
        urls = [f"<url><loc>{self.base_url}/</loc></url>"]
        urls += [f"<url><loc>{html.escape(self.url(r.path))}</loc></url>" for r in RUBRICS]
        for spec in self._specs.values():
            lastmod = (
                f"<lastmod>{(spec.updated or spec.spip_date).isoformat()}</lastmod>"
                if spec.published
                else ""
            )
            urls.append(f"<url><loc>{html.escape(self.url(spec.path))}</loc>{lastmod}</url>")
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(urls)
            + "\n</urlset>\n"
        )
        return Page(xml.encode("utf-8"), "text/xml; charset=utf-8")


def _utm_suffix(path: str) -> str:
    joiner = "&" if "?" in path else "?"
    return f"{joiner}utm_source=newsletter&utm_medium=email"
