"""A WordPress-like site (not SPIP): ``/category/regions/`` listings paged by ``/page/N/``,
``/AAAA/MM/JJ/slug/`` articles, keywords as ``rel="tag"`` links to tag archives under a custom
base (``/sujet/…``: nothing in the URL says it is a listing, its many teasers do), Yoast-style
JSON-LD ``@graph`` and OpenGraph dates whose ``dateModified`` is touched on every save (the same
day, or even before publication for a scheduled post: neither is an update), entry-meta
``<time>`` elements, bylines with "–" or "|", a comment with its own later date."""

from __future__ import annotations

import html
import json
from datetime import date, timedelta

from regarchive.demo import content as c
from regarchive.demo.content import RUBRICS, RubricInfo
from regarchive.demo.markup import attr, intro, typo
from regarchive.demo.model import LATEST_ON_HOME, ArticleSpec
from regarchive.demo.skeletons.common import SkeletonSite, numeric

_TAG_BASE = "sujet"
_GENERATOR = "WordPress 6.5.3"


def _slug(name: str) -> str:
    return c.slugify(name, 60).lower()


def _moment(day: date, number: int, hour_shift: int = 0) -> str:
    """A local time on ``day`` as WordPress writes it (Paris offset, hours 8 to 18)."""
    hour = 8 + (number + hour_shift) % 10
    offset = "+02:00" if 4 <= day.month <= 10 else "+01:00"
    return f"{day.isoformat()}T{hour:02d}:{(number * 7) % 60:02d}:00{offset}"


class WordPressSite(SkeletonSite):
    """The sample articles as a WordPress theme serves them."""

    skeleton = "wordpress"
    composed_by = None
    sitemap_path = "/wp-sitemap.xml"
    robots_disallow = ("/wp-admin/", "/interne/")

    # places ------------------------------------------------------------------------------------

    def _place(self, spec: ArticleSpec) -> None:
        # WordPress has one date per post: listings, feeds and the byline agree.
        if spec.published:
            spec.spip_date = spec.published
            day = spec.published
            spec.path = f"/{day:%Y/%m/%d}/{_slug(spec.title)}/"
        else:
            spec.path = f"/{_slug(spec.title)}/"
        spec.alias = f"/?p={spec.number}" if spec.alias else None
        if spec.pdf:
            day = spec.published or spec.spip_date
            spec.pdf = f"/wp-content/uploads/{day:%Y/%m}/note-{spec.number}.pdf"

    def listing_path(self, rubric: RubricInfo, page: int) -> str:
        base = f"/category/{_slug(rubric.name)}/"
        return base if page == 0 else f"{base}page/{page + 1}/"

    def tag_path(self, name: str) -> str:
        return f"/{_TAG_BASE}/{_slug(name)}/"

    def feed_path(self, rubric: RubricInfo | None) -> str:
        return f"/category/{_slug(rubric.name)}/feed/" if rubric else "/feed/"

    def _modified(self, spec: ArticleSpec) -> date | None:
        """``dateModified``: the update when there is one, else a save on the publication day
        or, for a post scheduled in advance, the day before it."""
        if spec.published is None:
            return None
        if spec.updated:
            return spec.updated
        return spec.published - timedelta(days=1) if spec.number % 5 == 0 else spec.published

    # layout ------------------------------------------------------------------------------------

    def _layout(
        self,
        *,
        title: str,
        body_class: str,
        content: str,
        canonical: str | None = None,
        head: str = "",
        charset: str = "utf-8",
    ) -> str:
        menu = "\n".join(
            f'<li class="menu-item menu-item-type-taxonomy menu-item-object-category">'
            f'<a href="{self.url(self.rubric_path(r))}">{r.name}</a></li>'
            for r in RUBRICS
        )
        link = f'<link rel="canonical" href="{attr(canonical)}" />\n' if canonical else ""
        return f"""<!DOCTYPE html>
<html lang="fr-FR">
<head>
<meta charset="{charset}" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>{html.escape(title, quote=False)} &#8211; {c.SITE_NAME}</title>
{link}{head}
<meta name="generator" content="{_GENERATOR}" />
<link rel="alternate" type="application/rss+xml" title="{c.SITE_NAME} &raquo; Flux"
 href="{self.url(self.feed_path(None))}" />
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Aller au contenu</a>
<header id="masthead" class="site-header">
<div class="site-branding"><p class="site-title"><a href="{self.base_url}/" rel="home">
{c.SITE_NAME}</a></p><p class="site-description">{c.SLOGAN}</p></div>
<nav id="site-navigation" class="main-navigation" aria-label="Menu principal">
<ul id="primary-menu" class="menu">
{menu}
</ul></nav>
</header>
<div id="content" class="site-content">
{content}
</div>
<footer id="colophon" class="site-footer"><div class="site-info">
<a href="{self.base_url}/mentions-legales/">Mentions légales</a> |
<a href="https://wordpress.org/">Fièrement propulsé par WordPress</a></div></footer>
</div>
</body>
</html>"""

    def _widgets(self, *widgets: str) -> str:
        return '<aside id="secondary" class="widget-area">\n' + "\n".join(widgets) + "\n</aside>"

    def _tag_links(self, spec: ArticleSpec) -> str:
        categories = ", ".join(
            f'<a href="{self.url(self.rubric_path(r))}" rel="category tag">{r.name}</a>'
            for r in (spec.rubric, *spec.extra_rubrics)
        )
        tags = ", ".join(
            f'<a href="{self.url(path)}" rel="tag">{typo(name)}</a>'
            for name, path in self.tags(spec)
        )
        return (
            f'<footer class="entry-footer"><span class="cat-links">Publié dans {categories}'
            f'</span> <span class="tags-links">Étiqueté {tags}</span></footer>'
        )

    def _posted_on(self, spec: ArticleSpec, *, with_author: bool) -> str:
        if spec.published is None:
            return ""
        modified = self._modified(spec) or spec.published
        out = (
            f'<span class="posted-on">Publié le <a href="{self.url(spec.path)}" rel="bookmark">'
            f'<time class="entry-date published" datetime="{_moment(spec.published, spec.number)}"'
            f">{c.affdate(spec.published)}</time>"
            f'<time class="updated" datetime="{_moment(modified, spec.number, 1)}">'
            f"{c.affdate(modified)}</time></a></span>"
        )
        if spec.updated:
            out += f' <span class="maj">Mis à jour le {c.affdate(spec.updated)}</span>'
        if with_author and spec.author:
            name, path = spec.author
            out += (
                ' <span class="byline">par <span class="author vcard"><a class="url fn n" '
                f'href="{self.base_url}/author/{_slug(path.strip("_"))}/">{typo(name)}</a>'
                "</span></span>"
            )
        return out

    def _teaser(self, spec: ArticleSpec) -> str:
        return f"""<article id="post-{spec.number}" class="post-{spec.number} post type-post \
status-publish hentry category-{_slug(spec.rubric.name)}">
<header class="entry-header">
<div class="entry-meta">{self._posted_on(spec, with_author=False)}</div>
<h2 class="entry-title"><a href="{self.url(spec.path)}" rel="bookmark">{typo(spec.title)}</a></h2>
</header>
<div class="entry-summary"><p>{typo(intro(spec.chapo))} <a class="more-link" \
href="{self.url(spec.path)}">Lire la suite</a></p></div>
{self._tag_links(spec)}
</article>"""

    # article -----------------------------------------------------------------------------------

    def _json_ld(self, spec: ArticleSpec) -> str:
        canonical = self.url(spec.path)
        article: dict[str, object] = {
            "@type": "Article",
            "@id": canonical + "#article",
            "headline": spec.title,
            "mainEntityOfPage": {"@id": canonical},
            "articleSection": [r.name for r in (spec.rubric, *spec.extra_rubrics)],
            "keywords": [name for name, _ in self.tags(spec)],
            "inLanguage": "fr-FR",
        }
        if spec.published:
            article["datePublished"] = _moment(spec.published, spec.number)
            article["dateModified"] = _moment(
                self._modified(spec) or spec.published, spec.number, 1
            )
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                article,
                {"@type": "WebPage", "@id": canonical, "url": canonical, "name": spec.title},
                {"@type": "WebSite", "@id": self.base_url + "/#website", "name": c.SITE_NAME},
            ],
        }
        return (
            '<script type="application/ld+json" class="yoast-schema-graph">'
            + json.dumps(graph, ensure_ascii=False)
            + "</script>"
        )

    def _byline(self, spec: ArticleSpec) -> str:
        day = spec.published
        if spec.style == "a" and day:
            return f"<p>{typo(spec.source or '')} – {c.affdate(day)}</p>"
        if spec.style == "b" and day:
            return f"<p><em>Source : {typo(spec.source or '')} | {numeric(day)}</em></p>"
        if spec.style == "d" and day and spec.updated:
            return (
                f"<p>{typo(spec.source or '')} | Publié le {c.affdate(day)}, mis à jour le "
                f"{c.affdate(spec.updated)}</p>"
            )
        return ""

    def _comment(self, spec: ArticleSpec) -> str:
        """One reader's comment, dated after the article (a date that is never the article's)."""
        if spec.published is None or spec.number % 4 != 2:
            return ""
        day = spec.published + timedelta(days=3)
        return f"""<div id="comments" class="comments-area">
<h2 class="comments-title">Un commentaire sur «&nbsp;{typo(spec.title)}&nbsp;»</h2>
<ol class="comment-list"><li id="comment-{spec.number}" class="comment even thread-even">
<article class="comment-body"><footer class="comment-meta"><div class="comment-author vcard">
<b class="fn">Claire M.</b> <span class="says">dit&nbsp;:</span></div>
<div class="comment-metadata"><time datetime="{_moment(day, spec.number)}">{c.affdate(day)} \
à 18 h 02 min</time></div></footer>
<div class="comment-content"><p>Merci pour cette synthèse très claire.</p></div></article></li>
</ol></div>"""

    def _article(self, spec: ArticleSpec) -> str:
        canonical = self.url(spec.path)
        head = [
            '<meta property="og:type" content="article" />',
            f'<meta property="og:title" content="{attr(spec.title)}" />',
            f'<meta property="og:url" content="{attr(canonical)}" />',
            f'<meta property="og:site_name" content="{c.SITE_NAME}" />',
        ]
        if spec.published:
            modified = self._modified(spec) or spec.published
            head += [
                '<meta property="article:published_time" '
                f'content="{_moment(spec.published, spec.number)}" />',
                '<meta property="article:modified_time" '
                f'content="{_moment(modified, spec.number, 1)}" />',
            ]
        head.append(self._json_ld(spec))
        chapo = [f'<p class="chapo">{typo(spec.chapo)}</p>']
        if spec.repeat == "exact":
            chapo.append(f"<p>{typo(spec.chapo)}</p>")
        body = [
            f'<h2 class="wp-block-heading">{typo(t)}</h2>' if kind == "h2" else f"<p>{typo(t)}</p>"
            for kind, t in spec.body
        ]
        pdf = (
            '<div class="documents"><h2>Documents joints</h2><ul><li>'
            f'<a href="{self.url(spec.pdf)}" type="application/pdf">Note de synthèse</a>'
            "</li></ul></div>"
            if spec.pdf
            else ""
        )
        rubric = spec.rubric
        content = f"""<main id="main" class="site-main">
<nav class="breadcrumbs" aria-label="Fil d’Ariane"><span><a href="{self.base_url}/">Accueil</a> \
» <a href="{self.url(self.rubric_path(rubric))}">{rubric.name}</a> » \
<span class="breadcrumb_last" aria-current="page">{typo(spec.title)}</span></span></nav>
<article id="post-{spec.number}" class="post-{spec.number} post type-post status-publish \
format-standard hentry category-{_slug(rubric.name)}">
<header class="entry-header">
<h1 class="entry-title">{typo(spec.title)}</h1>
<div class="entry-meta">{self._posted_on(spec, with_author=True)}</div>
</header>
<div class="entry-content">
{chr(10).join([*chapo, *body, self._byline(spec)])}
</div>
{pdf}
{self._tag_links(spec)}
</article>
{self._comment(spec)}
</main>
{self._widgets(self._same_rubric(spec))}"""
        return self._layout(
            title=spec.title,
            body_class=f"post-template-default single single-post postid-{spec.number}",
            content=content,
            canonical=canonical,
            head="\n".join(head),
            charset=spec.encoding,
        )

    def _same_rubric(self, spec: ArticleSpec) -> str:
        items = "\n".join(
            f'<li><a href="{self.url(self.related_path(s))}">{typo(s.title)}</a>'
            + (f' <span class="post-date">{c.affdate(s.spip_date)}</span>' if s.published else "")
            + "</li>"
            for s in self.neighbours(spec)
        )
        return (
            '<section class="widget widget_recent_entries"><h2 class="widget-title">'
            f"Dans la même rubrique</h2>\n<ul>\n{items}\n</ul></section>"
        )

    # listings ----------------------------------------------------------------------------------

    def _archive(self, heading: str, teasers: list[str], pager: str, description: str) -> str:
        return f"""<main id="main" class="site-main">
<header class="page-header"><h1 class="page-title">{heading}</h1>
<div class="archive-description"><p>{typo(description)}</p></div></header>
{chr(10).join(teasers)}
{pager}
</main>"""

    def _pager(self, rubric: RubricInfo, page: int) -> str:
        count = self.page_count(rubric)
        if count == 1:
            return ""
        links = []
        if page > 0:
            href = self.url(self.listing_path(rubric, page - 1))
            links.append(f'<a class="prev page-numbers" href="{href}">Précédent</a>')
        for number in range(count):
            if number == page:
                links.append(
                    f'<span aria-current="page" class="page-numbers current">{number + 1}</span>'
                )
            else:
                href = self.url(self.listing_path(rubric, number))
                links.append(f'<a class="page-numbers" href="{href}">{number + 1}</a>')
        if page < count - 1:
            href = self.url(self.listing_path(rubric, page + 1))
            links.append(f'<a class="next page-numbers" href="{href}">Suivant</a>')
        return (
            '<nav class="navigation pagination" aria-label="Pagination des publications">'
            '<h2 class="screen-reader-text">Navigation des articles</h2><div class="nav-links">'
            + "\n".join(links)
            + "</div></nav>"
        )

    def _listing(self, rubric: RubricInfo, page: int) -> str:
        teasers = [self._teaser(s) for s in self.members(rubric, page)]
        content = self._archive(
            f"Catégorie&nbsp;: <span>{rubric.name}</span>",
            teasers,
            self._pager(rubric, page),
            rubric.description,
        )
        return self._layout(
            title=rubric.name + (f" &#8211; Page {page + 1}" if page else ""),
            body_class=f"archive category category-{_slug(rubric.name)}",
            content=content,
            canonical=self.url(self.listing_path(rubric, page)),
        )

    def _tag_page(self, name: str) -> str:
        teasers = [self._teaser(s) for s in self.tagged(name)]
        content = self._archive(
            f"Étiquette&nbsp;: <span>{typo(name)}</span>", teasers, "", f"Articles sur {name}."
        )
        return self._layout(
            title=name,
            body_class="archive tag",
            content=content,
            canonical=self.url(self.tag_path(name)),
        )

    def _home(self) -> str:
        teasers = [self._teaser(s) for s in self._latest[:LATEST_ON_HOME]]
        content = self._archive("Derniers articles", teasers, "", c.SLOGAN)
        return self._layout(
            title="Accueil", body_class="home blog", content=content, canonical=self.base_url + "/"
        )

    def _error_page(self, path: str) -> str:
        content = (
            '<main id="main" class="site-main"><section class="error-404 not-found">'
            '<header class="page-header"><h1 class="page-title">Oups ! Cette page est '
            "introuvable.</h1></header><p>Rien n’a été trouvé à cette adresse.</p></section></main>"
        )
        return self._layout(title="Page non trouvée", body_class="error404", content=content)
