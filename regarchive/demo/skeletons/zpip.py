"""A SPIPr/Zpip-style SPIP skeleton: "html" URLs (``article123.html``, ``rubrique1.html``), the
category in a ``surtitre`` above the title and in each listing entry next to its link
("Actualité", "Circulaire"), ``info-publi`` "Publié le … / mis à jour le …", the byline at the
start of the text or as a labelled "Source :" field, keywords as ``rel="tag"`` links, a
"Dans la même rubrique" list of its own and a pager whose next link says "Page suivante ›"."""

from __future__ import annotations

import html

from regarchive.demo import content as c
from regarchive.demo.content import RUBRICS, RubricInfo
from regarchive.demo.markup import attr, intro, iso_time, relative, retyped, typo
from regarchive.demo.model import LATEST_ON_HOME, PAGE_SIZE, ArticleSpec
from regarchive.demo.skeletons.common import SkeletonSite

# How the surtitre names each category, by article number (sites spell them their own way).
_SURTITRES = {"Actu": ("Actualité", "Actualités"), "Circ.": ("Circulaire",)}


class ZpipSite(SkeletonSite):
    """The sample articles as a SPIPr/Zpip skeleton serves them."""

    skeleton = "zpip"
    robots_disallow = ("/ecrire/", "/prive/", "/interne/")

    def _place(self, spec: ArticleSpec) -> None:
        spec.path = f"/article{spec.number}.html"
        spec.alias = f"/spip.php?article{spec.number}" if spec.alias else None

    def listing_path(self, rubric: RubricInfo, page: int) -> str:
        path = f"/rubrique{rubric.id}.html"
        return path if page == 0 else f"{path}?debut_articles={page * PAGE_SIZE}"

    def tag_path(self, name: str) -> str:
        return f"/mot{self.tag_names().index(name) + 1}.html"

    def feed_path(self, rubric: RubricInfo | None) -> str:
        return (
            f"/spip.php?page=backend&id_rubrique={rubric.id}"
            if rubric
            else "/spip.php?page=backend"
        )

    def _surtitre(self, spec: ArticleSpec, tag: str = "p") -> str:
        if spec.category is None:
            return ""
        words = _SURTITRES[spec.category]
        return f'<{tag} class="surtitre">{words[spec.number % len(words)]}</{tag}>'

    # layout ------------------------------------------------------------------------------------

    def _layout(
        self,
        *,
        title: str,
        body_class: str,
        content: str,
        aside: str = "",
        crumbs: str = "",
        canonical: str | None = None,
        charset: str = "utf-8",
        head: str = "",
    ) -> str:
        nav = "\n".join(
            f'<li class="item"><a href="{relative(self.rubric_path(r))}">{r.name}</a></li>'
            for r in RUBRICS
        )
        link = f'<link rel="canonical" href="{attr(canonical)}" />\n' if canonical else ""
        return f"""<!DOCTYPE html>
<html dir="ltr" lang="fr" class="ltr fr no-js">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>{html.escape(title, quote=False)} - {c.SITE_NAME}</title>
{link}{head}
<meta name="generator" content="SPIP {c.SPIP_VERSION} + Zpip" />
</head>
<body class="{body_class}">
<div class="page"><div class="container">
<div class="header" id="header"><div class="row"><div class="span12">
<a rel="start home" href="./" title="Accueil" class="accueil">
<span class="nom_site_spip">{c.SITE_NAME}</span></a>
<p class="slogan">{c.SLOGAN}</p></div></div></div>
<div class="navbar" id="nav"><div class="navbar-inner"><ul class="nav">
{nav}
</ul></div></div>
<div class="row">
<div class="content span8" id="content">
{crumbs}
{content}
</div>
<div class="aside span4" id="aside">
{aside}
</div>
</div>
<div class="footer" id="footer"><p class="colophon">2017-2025 &mdash; {c.SITE_NAME} |
<a href="spip.php?page=plan">Plan du site</a> | <a href="ecrire/" rel="nofollow">Se connecter</a>
</p></div>
</div></div>
</body>
</html>"""

    def _crumbs(self, *parts: tuple[str, str] | str) -> str:
        items = ['<li><a href="./">Accueil</a><span class="divider"> &gt; </span></li>']
        for part in parts:
            if isinstance(part, tuple):
                items.append(
                    f'<li><a href="{attr(part[1])}">{typo(part[0])}</a>'
                    '<span class="divider"> &gt; </span></li>'
                )
            else:
                items.append(f'<li class="active"><span>{typo(part)}</span></li>')
        return '<ul class="breadcrumb">\n' + "\n".join(items) + "\n</ul>"

    def _rubrics_menu(self) -> str:
        items = "\n".join(
            f'<li class="item"><a href="{relative(self.rubric_path(r))}">{r.name}</a></li>'
            for r in RUBRICS
        )
        return (
            '<div class="menu rubriques"><h2>Rubriques</h2>'
            f'<ul class="menu-liste">{items}</ul></div>'
        )

    # article -----------------------------------------------------------------------------------

    def _info_publi(self, spec: ArticleSpec) -> str:
        day = spec.published
        if day is None or spec.style in "ab":
            return ""  # the byline dates these
        parts = [f"Publié le {c.affdate(day)}"]
        if spec.updated:
            parts.append(f'<span class="sep"> / </span>mis à jour le {c.affdate(spec.updated)}')
        if spec.style == "c" and spec.author:
            name, path = spec.author
            parts.append(
                f' <span class="auteurs">par <span class="vcard author"><a class="url fn spip_in" '
                f'href="{attr(relative("/" + path))}">{typo(name)}</a></span></span>'
            )
        return '<p class="info-publi">' + "".join(parts) + "</p>"

    def _source_field(self, spec: ArticleSpec) -> str:
        day = spec.published
        if spec.style == "b" and day:
            value = f"{typo(spec.source or '')}, {c.affdate(day)}"
        elif spec.style == "d":
            value = typo(spec.source or "")
        else:
            return ""
        return (
            '<div class="champ contenu_source"><strong class="label">Source&nbsp;:</strong> '
            f'<span class="valeur">{value}</span></div>'
        )

    def _texte(self, spec: ArticleSpec) -> str:
        blocks = []
        if spec.style == "a" and spec.published:
            blocks.append(f"<p>{typo(spec.source or '')} — {c.affdate(spec.published)}</p>")
        if spec.repeat == "exact":
            blocks.append(f"<p>{typo(spec.chapo)}</p>")
        elif spec.repeat == "retyped":
            blocks.append(f"<p>{retyped(spec.chapo)}</p>")
        for kind, text in spec.body:
            tag = '<h2 class="spip">' if kind == "h2" else "<p>"
            blocks.append(f"{tag}{typo(text)}{'</h2>' if kind == 'h2' else '</p>'}")
        return "\n".join(blocks)

    def _documents(self, spec: ArticleSpec) -> str:
        if not spec.pdf:
            return ""
        return (
            '<div class="documents documents_joints"><h2>Documents joints</h2>'
            f'<ul class="liste-items"><li class="item"><a href="{relative(spec.pdf)}" '
            'class="spip_doc" type="application/pdf">Note de synthèse</a></li></ul></div>'
        )

    def _tags(self, spec: ArticleSpec) -> str:
        links = "\n".join(
            f'<li class="item"><a href="{relative(path)}" rel="tag">{typo(name)}</a></li>'
            for name, path in self.tags(spec)
        )
        return (
            f'<div class="tags"><h2>Mots-clés</h2><ul class="liste-items tags">{links}</ul></div>'
        )

    def _same_rubric(self, spec: ArticleSpec) -> str:
        items = "\n".join(
            f'<li class="item">{self._surtitre(s, "span")} '
            f'<a href="{relative(self.related_path(s))}">{typo(s.title)}</a></li>'
            for s in self.neighbours(spec)
        )
        return (
            '<div class="liste articles"><h2 class="h2">Dans la même rubrique</h2>'
            f'<ul class="liste-items">\n{items}\n</ul></div>'
        )

    def _article(self, spec: ArticleSpec) -> str:
        rubric = spec.rubric
        content = f"""<div class="inner"><article>
<header class="cartouche">
{self._surtitre(spec)}
<h1 class="crayon article-titre-{spec.number} h1">{typo(spec.title)}</h1>
{self._info_publi(spec)}
</header>
<div class="main">
<div class="crayon article-chapo-{spec.number} chapo surlignable"><p>{typo(spec.chapo)}</p></div>
<div class="crayon article-texte-{spec.number} texte surlignable clearfix">
{self._texte(spec)}
</div>
{self._source_field(spec)}
</div>
<footer>
{self._documents(spec)}
{self._tags(spec)}
</footer>
</article></div>"""
        return self._layout(
            title=spec.title,
            body_class="page_article",
            content=content,
            aside=self._same_rubric(spec) + "\n" + self._rubrics_menu(),
            crumbs=self._crumbs((rubric.name, relative(self.rubric_path(rubric))), spec.title),
            canonical=self.url(spec.path),
            charset=spec.encoding,
            head=f'<meta name="description" content="{attr(intro(spec.chapo))}" />',
        )

    # listings ----------------------------------------------------------------------------------

    def _entry(self, spec: ArticleSpec) -> str:
        date_html = (
            f'<p class="info-publi"><abbr class="published" '
            f'title="{iso_time(spec.spip_date, spec.number)}">{c.affdate(spec.spip_date)}</abbr>'
            "</p>"
            if spec.published
            else ""
        )
        return (
            f'<li class="item">{self._surtitre(spec)}<h3 class="h3 entry-title">'
            f'<a href="{relative(spec.path)}">{typo(spec.title)}</a></h3>{date_html}'
            f'<div class="introduction"><p>{typo(intro(spec.chapo))}</p></div></li>'
        )

    def _pager(self, rubric: RubricInfo, page: int) -> str:
        count = self.page_count(rubric)
        if count == 1:
            return ""
        parts = []
        for number in range(count):
            label = str(number * PAGE_SIZE)
            if number == page:
                parts.append(f'<strong class="on">{label}</strong>')
            else:
                href = relative(self.listing_path(rubric, number)) + "#pagination_articles"
                parts.append(f'<a href="{attr(href)}" class="lien_pagination">{label}</a>')
        pager = '<span class="sep"> | </span>'.join(parts)
        if page < count - 1:
            href = relative(self.listing_path(rubric, page + 1)) + "#pagination_articles"
            pager += f' <a href="{attr(href)}" class="lien_pagination suivant">Page suivante ›</a>'
        return f'<p class="tri">{pager}</p>'

    def _entries(self, heading: str, specs: list[ArticleSpec], pager: str = "") -> str:
        return (
            '<div class="liste articles"><a id="pagination_articles" class="pagination_ancre"></a>'
            f'<h2 class="h2">{heading}</h2>\n<ul class="liste-items">\n'
            + "\n".join(self._entry(s) for s in specs)
            + f"\n</ul>\n{pager}</div>"
        )

    def _listing(self, rubric: RubricInfo, page: int) -> str:
        content = (
            f'<div class="inner"><h1 class="h1">{typo(rubric.name)}</h1>'
            f'<div class="chapo"><p>{typo(rubric.description)}</p></div>'
            + self._entries("Articles de la rubrique", self.members(rubric, page))
            + self._pager(rubric, page)
            + "</div>"
        )
        return self._layout(
            title=rubric.name,
            body_class="page_rubrique",
            content=content,
            aside=self._rubrics_menu(),
            crumbs=self._crumbs(rubric.name),
            canonical=self.url(self.rubric_path(rubric)),
        )

    def _tag_page(self, name: str) -> str:
        content = f'<div class="inner"><h1 class="h1">{typo(name)}</h1>' + self._entries(
            "Articles liés", self.tagged(name)
        )
        return self._layout(
            title=name, body_class="page_mot", content=content + "</div>", crumbs=self._crumbs(name)
        )

    def _home(self) -> str:
        content = self._entries("Derniers articles", self._latest[:LATEST_ON_HOME])
        return self._layout(
            title=c.SLOGAN, body_class="page_sommaire", content=content, aside=self._rubrics_menu()
        )

    def _error_page(self, path: str) -> str:
        content = (
            '<div class="inner"><h1 class="h1">Page introuvable</h1>'
            "<p>Cette page n’existe pas.</p></div>"
        )
        return self._layout(title="Page introuvable", body_class="page_404", content=content)
