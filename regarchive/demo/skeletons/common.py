"""What the skeletons other than SPIP "dist" share: the page registry (home page, rubric listings
and their further pages, tag pages, feeds, sitemap, robots.txt, articles and their PDFs) around
a few hooks each skeleton fills with its own markup.

A skeleton subclass says where things live (``listing_path``, ``tag_path``, ``feed_path``) and
renders them (``_article``, ``_listing``, ``_tag_page``, ``_home``, ``_error_page``); the feeds,
sitemap and robots.txt are the same RSS 2.0 and XML everywhere.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date

from regarchive.demo import content as c
from regarchive.demo.content import RUBRICS, RubricInfo
from regarchive.demo.markup import intro, iso_time, pdf_bytes
from regarchive.demo.model import FEED_SIZE, PAGE_SIZE, ArticleSpec, Page
from regarchive.demo.site import Site

# The keyword each category is tagged with (``rel="tag"`` links, tag pages).
CATEGORY_TAGS = {"Actu": "Actualités", "Circ.": "Circulaires"}


class SkeletonSite(Site):
    """A sample site whose pages a subclass renders; the registry is shared."""

    sitemap_path = "/sitemap.xml"
    robots_disallow: tuple[str, ...] = ()

    # where things live -------------------------------------------------------------------------

    def listing_path(self, rubric: RubricInfo, page: int) -> str:
        """The path of the ``page``-th (0-based) page of the rubric's listing."""
        raise NotImplementedError

    def rubric_path(self, rubric: RubricInfo) -> str:
        return self.listing_path(rubric, 0)

    def tag_path(self, name: str) -> str:
        raise NotImplementedError

    def feed_path(self, rubric: RubricInfo | None) -> str:
        raise NotImplementedError

    # what a subclass renders -------------------------------------------------------------------

    def _listing(self, rubric: RubricInfo, page: int) -> str:
        raise NotImplementedError

    def _tag_page(self, name: str) -> str:
        raise NotImplementedError

    def _home(self) -> str:
        raise NotImplementedError

    def _error_page(self, path: str) -> str:
        raise NotImplementedError

    # shared reading of the model ---------------------------------------------------------------

    def tags(self, spec: ArticleSpec) -> list[tuple[str, str]]:
        """``(name, path)`` of the article's keywords, its category's first."""
        names = [CATEGORY_TAGS[spec.category]] if spec.category else []
        names += [c.KEYWORDS[k][0] for k in spec.keywords]
        return [(name, self.tag_path(name)) for name in names]

    def tag_names(self) -> list[str]:
        return [*CATEGORY_TAGS.values(), *(name for name, _ in c.KEYWORDS)]

    def tagged(self, name: str) -> list[ArticleSpec]:
        """The newest articles tagged ``name`` (one page of them)."""
        return [s for s in self._latest if name in {n for n, _ in self.tags(s)}][:PAGE_SIZE]

    def rubric_infos(self) -> tuple[RubricInfo, ...]:
        return RUBRICS

    def page_count(self, rubric: RubricInfo) -> int:
        return max(1, -(-len(self._members[rubric.id]) // PAGE_SIZE))

    def members(self, rubric: RubricInfo, page: int) -> list[ArticleSpec]:
        return self._members[rubric.id][page * PAGE_SIZE : (page + 1) * PAGE_SIZE]

    def neighbours(self, spec: ArticleSpec) -> list[ArticleSpec]:
        """The "Dans la même rubrique" entries of an article: its rubric's newest others."""
        return [s for s in self._members[spec.rubric.id] if s is not spec][:PAGE_SIZE]

    def related_path(self, spec: ArticleSpec) -> str:
        """Sidebars link the article at its alias when it has one (the two-URLs trap)."""
        return spec.alias or spec.path

    # registry ----------------------------------------------------------------------------------

    def _register(self) -> None:
        add = self.pages.add
        add("/", lambda: self._html(self._home()))
        add("/robots.txt", self._robots)
        add(self.sitemap_path, self._sitemap)
        add(self.feed_path(None), lambda: self._feed(None))
        for name in self.tag_names():
            add(self.tag_path(name), lambda n=name: self._html(self._tag_page(n)))
        self._register_listings()
        for spec in self._specs.values():
            self._register_article(spec)

    def _register_listings(self) -> None:
        def add(path: str, factory: Callable[[], Page]) -> None:
            if path not in self.pages:
                self.pages.add(path, factory)

        for rubric in RUBRICS:
            add(self.feed_path(rubric), lambda r=rubric: self._feed(r))
            for page in range(self.page_count(rubric)):
                add(
                    self.listing_path(rubric, page),
                    lambda r=rubric, p=page: self._html(self._listing(r, p)),
                )

    def _register_article(self, spec: ArticleSpec) -> None:
        add = self.pages.add
        add(spec.path, lambda n=spec.number: self._article_page(self._specs[n]))
        if spec.alias:
            add(spec.alias, lambda p=spec.path: self.pages[p])
        if spec.pdf:
            add(
                spec.pdf,
                lambda n=spec.number: Page(pdf_bytes(self._specs[n].title, n), "application/pdf"),
            )

    def not_found(self, path: str) -> Page:
        return self._html(self._error_page(path), status=404)

    # feeds, sitemap, robots.txt ----------------------------------------------------------------

    def _robots(self) -> Page:
        lines = ["User-agent: *", *(f"Disallow: {p}" for p in self.robots_disallow)]
        lines.append(f"Sitemap: {self.base_url}{self.sitemap_path}")
        return Page(("\n".join(lines) + "\n").encode(), "text/plain; charset=utf-8")

    def _feed(self, rubric: RubricInfo | None) -> Page:
        specs = (self._members[rubric.id] if rubric else self._latest)[:FEED_SIZE]
        items = []
        for spec in specs:
            link = html.escape(self.url(spec.path))
            when = f"<dc:date>{iso_time(spec.spip_date, spec.number)}</dc:date>\n"
            items.append(
                f"<item>\n<title>{html.escape(spec.title)}</title>\n<link>{link}</link>\n"
                f'<guid isPermaLink="true">{link}</guid>\n'
                f"{when if spec.published else ''}"
                f"<category>{html.escape(spec.rubric.name)}</category>\n"
                f"<description>{html.escape(intro(spec.chapo))}</description>\n</item>"
            )
        title = c.SITE_NAME + (f" - {rubric.name}" if rubric else "")
        xml = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
            f"<title>{html.escape(title)}</title>\n<link>{self.base_url}/</link>\n"
            f"<description>{c.SLOGAN}</description>\n<language>fr</language>\n"
            + "\n".join(items)
            + "\n</channel>\n</rss>\n"
        )
        return Page(xml.encode("utf-8"), "application/rss+xml; charset=utf-8")

    def sitemap_rubric_paths(self) -> list[str]:
        return self._rubric_paths()

    def _rubric_paths(self) -> list[str]:
        return [self.rubric_path(r) for r in RUBRICS]


def numeric(day: date) -> str:
    """``07/05/2018``."""
    return f"{day:%d/%m/%Y}"
