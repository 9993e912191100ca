"""The SPIP 4 "dist" skeleton (the default sample site): ``-Rubrique-`` and ``spip.php?rubriqueN``
listings labelled ``Actu - <title>`` paged by ``debut_articles`` (announced by ``rel="next"`` or a
"Suivant »" link), the category in the listing labels or the ``<title>``, ``info-publi`` dates,
bylines ending the text, "Dans la même rubrique" sidebars, a print version of each article."""

from __future__ import annotations

import html
from collections.abc import Callable
from urllib.parse import parse_qsl, quote

from regarchive.demo import content as c
from regarchive.demo.content import RUBRICS, RubricInfo
from regarchive.demo.markup import (
    attr,
    intro,
    iso_time,
    pdf_bytes,
    relative,
    retyped,
    typo,
    utm_suffix,
)
from regarchive.demo.model import FEED_SIZE, LATEST_ON_HOME, PAGE_SIZE, ArticleSpec, Page
from regarchive.demo.site import INTERNE_PATH, INTERNE_TITLE, Site

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
ON_CLASS = ' class="on"'


def listing_path(rubric: RubricInfo, offset: int) -> str:
    if offset == 0:
        return rubric.path
    joiner = "&" if "?" in rubric.path else "?"
    return f"{rubric.path}{joiner}debut_articles={offset}"


class SpipDistSite(Site):
    """The sample site in SPIP 4's "dist" skeleton."""

    skeleton = "spip-dist"

    # page registry -----------------------------------------------------------------------------

    def _register(self) -> None:
        add = self.pages.add
        add("/", lambda: self._html(self._home()))
        add("/robots.txt", self._robots)
        add("/sitemap.xml", self._sitemap)
        add("/spip.php?page=backend", lambda: self._feed(None))
        add("/spip.php?page=plan", lambda: self._html(self._plan()))
        add("/spip.php?page=contact", lambda: self._html(self._simple("contact")))
        add(INTERNE_PATH, lambda: self._html(self._interne()))
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
                add(listing_path(rubric, offset), lambda r=rubric, o=offset: self._listing(r, o))

    def _register_article(self, spec: ArticleSpec) -> None:
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
                lambda n=spec.number: Page(pdf_bytes(self._specs[n].title, n), "application/pdf"),
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

    def _robots(self) -> Page:
        return Page(_ROBOTS.format(base=self.base_url).encode(), "text/plain; charset=utf-8")

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
            meta.append(f'<meta name="description" content="{attr(description)}" />')
        if canonical:
            meta.append(f'<link rel="canonical" href="{attr(canonical)}" />')
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
                f'<a href="{attr(relative(rubric.path))}"{ON_CLASS if on else ""}>'
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
        login = "spip.php?page=login&amp;url=" + quote(relative(here), safe="")
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
                parts.append(f'<a href="{attr(crumb[1])}">{typo(crumb[0])}</a>')
            else:
                parts.append(f'<strong class="on">{typo(crumb)}</strong>')
        return '<p class="arbo">' + " &gt; ".join(parts) + "</p>"

    # article -----------------------------------------------------------------------------------

    def _title_tag(self, spec: ArticleSpec) -> str:
        prefix = f"{spec.category} - {spec.rubric.name} - " if spec.title_prefix else ""
        return f"{prefix}{spec.title} - {c.SITE_NAME}"

    def _article(self, spec: ArticleSpec) -> str:
        canonical = self.url(spec.path)
        head = [
            '<meta property="og:type" content="article" />',
            f'<meta property="og:title" content="{attr(spec.title)}" />',
            f'<meta property="og:url" content="{attr(canonical)}" />',
            f'<meta property="og:site_name" content="{c.SITE_NAME}" />',
        ]
        if spec.style == "d" and spec.published:
            head.append(
                '<meta property="article:published_time" '
                f'content="{iso_time(spec.published, spec.number)}" />'
            )
        content = "\n".join(
            part
            for part in (
                self._arbo((spec.rubric.name, relative(spec.rubric.path)), spec.title),
                '<div class="cartouche">',
                f'<h1 class="surlignable entry-title">{typo(spec.title)}</h1>',
                self._info_publi(spec),
                "</div>",
                '<div class="surlignable">',
                f'<div class="chapo entry-summary"><p>{typo(spec.chapo)}</p></div>',
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
            description=intro(spec.chapo),
            charset=spec.encoding,
            banner=spec.banner,
        )

    def _info_publi(self, spec: ArticleSpec) -> str:
        day, parts = spec.published, []
        if spec.style == "c" and day and spec.author:
            name, path = spec.author
            parts.append(
                f'Publié le {c.affdate(day)} <span class="auteurs">par <span class="vcard '
                f'author"><a class="url fn spip_in" href="{attr(path)}">{typo(name)}</a>'
                "</span></span>"
            )
        elif spec.style == "d" and day:
            parts.append(
                f'Publié le <time datetime="{day.isoformat()}" class="published">'
                f"{c.affdate(day)}</time>"
            )
        elif spec.style == "e" and day:
            parts.append(
                f'<abbr class="published" title="{iso_time(day, spec.number)}">'
                f"{c.nom_jour(day)} {c.affdate(day)}</abbr>"
            )
        if spec.updated:
            parts.append(f'<span class="maj">mis à jour le {c.affdate(spec.updated)}</span>')
        if not parts:
            return ""
        return '<p class="info-publi">' + "<br />\n".join(parts) + "</p>"

    def _texte(self, spec: ArticleSpec) -> str:
        blocks = []
        if spec.repeat == "exact":
            blocks.append(f"<p>{typo(spec.chapo)}</p>")
        elif spec.repeat == "retyped":
            blocks.append(f"<p>{retyped(spec.chapo)}</p>")
        for kind, text in spec.body:
            if kind == "h2":
                blocks.append(f'<h2 class="spip">{typo(text)}</h2>')
            else:
                blocks.append(f"<p>{typo(text)}</p>")
        day = spec.published
        if spec.style == "a" and day:
            blocks.append(f"<p>{typo(spec.source or '')} - {day.isoformat()}</p>")
        elif spec.style == "b" and day:
            blocks.append(f"<p>{typo(f'Source : {spec.source} ({day:%d/%m/%Y})')}</p>")
        elif spec.style == "d":
            blocks.append(f"<p>{typo(f'Source : {spec.source}')}</p>")
        return "\n".join(blocks)

    def _documents(self, spec: ArticleSpec) -> str:
        if not spec.pdf:
            return ""
        size = len(pdf_bytes(spec.title, spec.number))
        return (
            '<div class="documents_joints"><h2>Documents joints</h2><ul class="spip_documents">'
            f'<li><a href="{relative(spec.pdf)}" class="spip_doc" type="application/pdf" '
            f'title="PDF - {size} octets">Note de synthèse <small class="info_document">'
            f"(PDF - {size} octets)</small></a></li></ul></div>"
        )

    def _share(self, spec: ArticleSpec) -> str:
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

    def _related_href(self, spec: ArticleSpec) -> str:
        """Sidebars link the article at its alias when it has one (the two-URLs trap)."""
        return relative(spec.alias or spec.path)

    def _same_rubric(self, spec: ArticleSpec) -> str:
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
                f'<li class="menu-entree item"><a href="{attr(self._related_href(other))}" '
                f'class="spip_in">{typo(label)}</a>{date_html}</li>'
            )
        return (
            '<div class="menu">\n<h2>Dans la même rubrique</h2>\n<ul class="menu-liste">\n'
            + "\n".join(lines)
            + "\n</ul>\n</div>"
        )

    def _keywords_block(self, spec: ArticleSpec) -> str:
        links = ", ".join(
            f'<a href="{attr(c.KEYWORDS[k][1])}" rel="tag">{typo(c.KEYWORDS[k][0])}</a>'
            for k in spec.keywords
        )
        return f'<div class="menu menu_mots"><h2>Mots-clés</h2><p>{links}</p></div>'

    def _print(self, spec: ArticleSpec) -> str:
        canonical = self.url(spec.path)
        return f"""<!DOCTYPE html>
<html dir="ltr" lang="fr">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<title>{html.escape(spec.title, quote=False)} - {c.SITE_NAME}</title>
<meta name="robots" content="noindex, nofollow" />
<link rel="canonical" href="{attr(canonical)}" />
</head>
<body class="page_imprimer" onload="window.print()">
<p class="nom_site">{c.SITE_NAME}</p>
<h1>{typo(spec.title)}</h1>
<div class="chapo"><p>{typo(spec.chapo)}</p></div>
<div class="texte">
{self._texte(spec)}
</div>
<p class="url">Adresse de cet article&nbsp;: {html.escape(canonical)}</p>
</body>
</html>"""

    # listings ----------------------------------------------------------------------------------

    def _item(self, spec: ArticleSpec, label: str, href: str) -> str:
        date_html = (
            f'<small><abbr class="published" title="{iso_time(spec.spip_date, spec.number)}">'
            f"{c.affdate_jourcourt(spec.spip_date)}</abbr></small>\n"
            if spec.published
            else ""
        )
        return (
            '<li class="hentry item">\n'
            f'<strong class="entry-title"><a href="{attr(href)}" rel="bookmark">{typo(label)}'
            "</a></strong>\n"
            f"{date_html}"
            f'<div class="introduction entry-content"><p>{typo(intro(spec.chapo))}</p></div>\n'
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
            href = relative(spec.path) if position % 2 == 0 else self.url(spec.path)
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
                f'<div class="cartouche"><h1 class="surlignable">{typo(rubric.name)}</h1></div>',
                f'<div class="chapo surlignable"><p>{typo(rubric.description)}</p></div>',
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
            here=listing_path(rubric, offset),
            content=content,
            aside=self._rubrics_block(rubric),
            rubric=rubric,
            head="\n".join(x for x in (head, feed) if x),
            description=rubric.description,
        )
        return self._html(markup)

    def _listing_url(self, rubric: RubricInfo, offset: int) -> str:
        return self.url(listing_path(rubric, offset))

    def _pagination(self, rubric: RubricInfo, offset: int, total: int) -> str:
        if total <= PAGE_SIZE:
            return ""
        offsets = list(range(0, total, PAGE_SIZE))
        current = offset // PAGE_SIZE
        shown = sorted(
            {0, len(offsets) - 1, *range(max(0, current - 4), min(len(offsets), current + 5))}
        )

        def link(target: int, text: str, rel: str = "nofollow") -> str:
            href = relative(listing_path(rubric, target)) + "#pagination_articles"
            return (
                f'<a href="{attr(href)}" class="pagination-lien lien_pagination" rel="{rel}">'
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
            f'<li class="item{" on" if r is current else ""}"><a href="{attr(relative(r.path))}">'
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
            f'<strong class="entry-title"><a href="{relative(INTERNE_PATH)}" rel="bookmark">'
            f"Circ. - {INTERNE_TITLE}</a></strong>\n"
            '<div class="introduction entry-content"><p>Document de travail réservé aux '
            "services.</p></div>\n</li>"
        )

    def _home(self) -> str:
        latest = self._latest[:LATEST_ON_HOME]
        items = "\n".join(self._item(s, s.title, relative(s.path)) for s in latest)
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
<p><a href="{attr(relative(utm.path) + utm_suffix(utm.path))}">{typo(utm.title)}</a></p>
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
        self, title: str, body_class: str, here: str, specs: list[ArticleSpec]
    ) -> str:
        items = "\n".join(self._item(s, s.title, relative(s.path)) for s in specs)
        content = "\n".join(
            [
                self._arbo(title),
                f'<div class="cartouche"><h1 class="surlignable">{typo(title)}</h1></div>',
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
                f'<li><a href="{attr(relative(s.path))}">{typo(s.title)}</a></li>'
                for s in self._members[rubric.id]
            )
            sections.append(
                f'<h2><a href="{attr(relative(rubric.path))}">{rubric.name}</a></h2>\n'
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
                f'<li class="item"><a href="{attr(relative(s.path))}">{typo(s.title)}</a></li>'
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
            + f"<p>{typo(text)}</p>\n{form}"
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
                self._arbo(("Communes", relative(RUBRICS[2].path)), INTERNE_TITLE),
                '<div class="cartouche">',
                f'<h1 class="surlignable entry-title">{typo(INTERNE_TITLE)}</h1>',
                "</div>",
                '<div class="texte entry-content"><p>Document de travail réservé aux services '
                "de la collectivité&nbsp;: ne pas diffuser.</p></div>",
            ]
        )
        return self._layout(
            title=f"{INTERNE_TITLE} - {c.SITE_NAME}",
            body_class="page_article",
            canonical=self.url(INTERNE_PATH),
            here=INTERNE_PATH,
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
                f"<dc:date>{iso_time(spec.spip_date, spec.number)}</dc:date>\n"
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
                f"<description>{html.escape(intro(spec.chapo))}</description>\n"
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
