"""The bundled sample sites: pages as real sites serve them, plus the truth.

``build_site(base_url)`` returns a :class:`Site` whose ``pages`` map every served path (path and
query, exactly as a client requests it) to a :class:`Page`, and whose ``articles`` hold the
:class:`ArticleTruth` an extraction is compared against. The site deliberately carries the traps
seen on real sites (chapô repeated in the body, bylines, "Dans la même rubrique" sidebars with
labelled links and dates, an article at two URLs, a windows-1252 page, robots.txt exclusions…);
``Site.traps`` says where each one is.

The same articles (:mod:`regarchive.demo.model`) can be served in the markup of several
skeletons (:mod:`regarchive.demo.skeletons`): ``build_site(base_url, skeleton="zpip")``. The
default is a SPIP 4 "dist" site. :class:`Site` holds what every skeleton shares (the articles,
their truth, the traps, lookups and changes); each skeleton's subclass renders the pages.

Pages are rendered lazily and cached, so that sites of 10,000 articles build in a few seconds.
"""

from __future__ import annotations

import html
import random
from datetime import date

from regarchive.demo import content as c
from regarchive.demo.content import RUBRICS, RubricInfo, TextFactory
from regarchive.demo.markup import HTML_UTF8, etag, http_date, strip_tracking, utm_suffix
from regarchive.demo.markup import pdf_reference as pdf_reference
from regarchive.demo.model import (
    DATE_STYLES,
    MIN_ARTICLES,
    PAGE_SIZE,
    RESERVED_SLUGS,
    ArticleSpec,
    ArticleTruth,
    Page,
    PageMap,
    TrapPlan,
    make_specs,
    newest_first,
)

__all__ = ["ArticleTruth", "Page", "Site", "build_site", "pdf_reference", "skeleton_names"]

DEFAULT_SKELETON = "spip-dist"
INTERNE_PATH = "/interne/Note-interne-sur-la-preparation-budgetaire"
INTERNE_TITLE = "Note interne sur la préparation budgétaire"


def skeleton_names() -> tuple[str, ...]:
    """The skeletons ``build_site`` can render, the default first."""
    from regarchive.demo.skeletons import SKELETONS

    return tuple(SKELETONS)


def build_site(
    base_url: str, *, articles: int = 36, seed: int = 0, skeleton: str = DEFAULT_SKELETON
) -> Site:
    """The sample site served at ``base_url`` (no trailing slash), deterministic for
    (articles, seed, skeleton). At least ``MIN_ARTICLES`` articles, so that every trap exists."""
    from regarchive.demo.skeletons import SKELETONS

    if articles < MIN_ARTICLES:
        raise ValueError(f"the sample site needs at least {MIN_ARTICLES} articles")
    if skeleton not in SKELETONS:
        raise ValueError(f"no skeleton {skeleton!r} (known: {', '.join(SKELETONS)})")
    plan = TrapPlan.for_size(articles)
    rng = random.Random(f"regarchive-demo:{seed}")
    texts = TextFactory(rng)
    used_slugs = set(RESERVED_SLUGS)
    specs = make_specs(rng, texts, used_slugs, plan, range(articles), articles)
    site = SKELETONS[skeleton](base_url, specs, plan)
    site._generator = (rng, texts, used_slugs, plan)
    return site


# --- the site -----------------------------------------------------------------------------------


class Site:
    """Served pages, ground truth and the index of traps of one sample site.

    A skeleton subclasses it: it places each article (``_place``: its paths), names its rubric
    listings (``rubric_path``), registers its pages (``_register``, ``_register_listings``,
    ``_register_article``, ``_dynamic``) and renders them (``_article``, ``not_found``).
    """

    skeleton = DEFAULT_SKELETON
    disallowed_path = INTERNE_PATH  # a page robots.txt forbids, linked from a listing
    composed_by: str | None = c.COMPOSED_BY  # SPIP's Composed-By header

    def __init__(self, base_url: str, specs: list[ArticleSpec], plan: TrapPlan) -> None:
        self.base_url = base_url.rstrip("/")
        self._generator: tuple[random.Random, TextFactory, set[str], TrapPlan] | None = None
        for spec in specs:
            self._place(spec)
        self._index(specs)
        self.rubrics: dict[str, str] = {r.name: self.url(self.rubric_path(r)) for r in RUBRICS}
        self.articles: list[ArticleTruth] = [self._truth(spec) for spec in specs]
        self.traps = self._describe_traps(specs, plan)
        self.pages = PageMap()
        self._register()

    def _index(self, specs: list[ArticleSpec]) -> None:
        """Listings, keyword and author pages: newest first, as SPIP sorts them."""
        self._specs = {spec.number: spec for spec in specs}
        self._latest = newest_first(specs)
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
        stripped = strip_tracking(path)
        if stripped in self.pages:
            return self.pages[stripped]
        return self._dynamic(stripped)

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
        new = make_specs(
            rng, texts, used_slugs, plan, range(first, first + count), first + count, published
        )
        for spec in new:
            self._place(spec)
        self._index([*self._specs.values(), *new])
        for spec in new:
            self._register_article(spec)
        truths = [self._truth(spec) for spec in new]
        self.articles = [*self.articles, *truths]
        self._register_listings()
        self.pages.invalidate()
        return truths

    # truth & traps -----------------------------------------------------------------------------

    def _truth(self, spec: ArticleSpec) -> ArticleTruth:
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

    def _describe_traps(self, specs: list[ArticleSpec], plan: TrapPlan) -> dict[str, object]:
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
            "utm_url": self.url(utm.path) + utm_suffix(utm.path),
            "disallowed_url": self.url(self.disallowed_path),
            "pdf": [s.number for s in specs if s.pdf],
            "date_styles": {
                name: [s.number for s in specs if s.style == key]
                for key, name in DATE_STYLES.items()
            },
        }

    # what a skeleton provides ------------------------------------------------------------------

    def rubric_path(self, rubric: RubricInfo) -> str:
        """The path of the rubric's first listing page."""
        return rubric.path

    def _place(self, spec: ArticleSpec) -> None:
        """Give the article the paths this skeleton serves it at (``path``, ``alias``, ``pdf``);
        by default SPIP's: its URL propre, or ``spip.php?articleN``."""

    def _register(self) -> None:
        raise NotImplementedError

    def _register_listings(self) -> None:
        raise NotImplementedError

    def _register_article(self, spec: ArticleSpec) -> None:
        raise NotImplementedError

    def _dynamic(self, path: str) -> Page | None:
        """A page answered for a family of paths (search, login…), or None for a 404."""
        return None

    def not_found(self, path: str) -> Page:
        raise NotImplementedError

    def _article(self, spec: ArticleSpec) -> str:
        raise NotImplementedError

    def _server_headers(self) -> dict[str, str]:
        return {"Composed-By": self.composed_by} if self.composed_by else {}

    # responses ---------------------------------------------------------------------------------

    def _html(self, markup: str, *, status: int = 200) -> Page:
        return Page(markup.encode("utf-8"), HTML_UTF8, status, self._server_headers())

    def _article_page(self, spec: ArticleSpec) -> Page:
        markup = self._article(spec)
        if spec.encoding == "utf-8":
            body, content_type = markup.encode("utf-8"), HTML_UTF8
        else:  # the old-site trap: no charset in the HTTP header, only in the meta
            body, content_type = markup.encode(spec.encoding, "xmlcharrefreplace"), "text/html"
        headers = {**self._server_headers(), "ETag": etag(body)}
        if spec.style != "f":
            headers["Last-Modified"] = http_date(spec.updated or spec.spip_date)
        return Page(body, content_type, 200, headers)

    def sitemap_rubric_paths(self) -> list[str]:
        """The rubric listings the sitemap lists besides the articles."""
        return [r.path for r in RUBRICS]

    def _sitemap(self) -> Page:
        urls = [f"<url><loc>{self.base_url}/</loc></url>"]
        urls += [
            f"<url><loc>{html.escape(self.url(path))}</loc></url>"
            for path in self.sitemap_rubric_paths()
        ]
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
