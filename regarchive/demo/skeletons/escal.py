"""An Escal/Sarka-style SPIP skeleton: ``spip.php?article123`` and ``spip.php?rubrique1`` URLs,
an ``#entete``/``#ariane`` page frame, dates in ``<abbr class="published">`` or
``<time datetime>``, the category only from a keyword link or from a breadcrumb level named
like one ("Accueil > Régions > Circulaires > …"), bylines at the end of the text in ``<em>`` or
``<small>`` ("Cour des comptes - 07/05/2018 - mis à jour le 19/04/2019"), listing entries in
``div`` blocks and a pager whose next link says "Suivant »"."""

from __future__ import annotations

import html

from regarchive.demo import content as c
from regarchive.demo.content import RUBRICS, RubricInfo
from regarchive.demo.markup import attr, intro, iso_time, relative, retyped, typo
from regarchive.demo.model import LATEST_ON_HOME, PAGE_SIZE, ArticleSpec
from regarchive.demo.skeletons.common import CATEGORY_TAGS, SkeletonSite, numeric


class EscalSite(SkeletonSite):
    """The sample articles as an Escal skeleton serves them."""

    skeleton = "escal"
    robots_disallow = ("/ecrire/", "/prive/", "/interne/")

    def _place(self, spec: ArticleSpec) -> None:
        spec.path = f"/spip.php?article{spec.number}"
        spec.alias = f"/spip.php?page=article&id_article={spec.number}" if spec.alias else None

    def listing_path(self, rubric: RubricInfo, page: int) -> str:
        path = f"/spip.php?rubrique{rubric.id}"
        return path if page == 0 else f"{path}&debut_articles_rubrique={page * PAGE_SIZE}"

    def tag_path(self, name: str) -> str:
        return f"/spip.php?mot{self.tag_names().index(name) + 1}"

    def feed_path(self, rubric: RubricInfo | None) -> str:
        return (
            f"/spip.php?page=backend&id_rubrique={rubric.id}"
            if rubric
            else "/spip.php?page=backend"
        )

    def _filed_by_crumb(self, spec: ArticleSpec) -> bool:
        """Half the articles sit in a sub-rubric named after their category (their breadcrumb
        says it); the others say it by a keyword."""
        return spec.category is not None and spec.number % 2 == 1

    def tags(self, spec: ArticleSpec) -> list[tuple[str, str]]:
        found = super().tags(spec)
        if self._filed_by_crumb(spec):
            return [(n, p) for n, p in found if n not in CATEGORY_TAGS.values()]
        return found

    # layout ------------------------------------------------------------------------------------

    def _layout(
        self,
        *,
        title: str,
        body_class: str,
        content: str,
        crumbs: str,
        aside: str = "",
        charset: str = "utf-8",
        head: str = "",
    ) -> str:
        menu = "\n".join(
            f'<li><a href="{relative(self.rubric_path(r))}">{r.name}</a></li>' for r in RUBRICS
        )
        return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="{charset}" />
<title>{html.escape(title, quote=False)} - {c.SITE_NAME}</title>
{head}
<meta name="generator" content="SPIP {c.SPIP_VERSION} - Escal 5" />
</head>
<body class="{body_class}">
<div id="page">
<div id="entete"><div id="bandeau"><a href="./" title="Accueil">
<span id="nom_site_spip">{c.SITE_NAME}</span></a><div id="slogan">{c.SLOGAN}</div></div></div>
<div id="menu"><ul class="menu-liste">
{menu}
</ul></div>
<div id="contenu">
{crumbs}
<div id="content">
{content}
</div>
<div id="navigation">{aside}</div>
</div>
<div id="pied"><a href="spip.php?page=contact">Contact</a> |
<a href="spip.php?page=plan">Plan du site</a> | Site réalisé avec SPIP et Escal</div>
</div>
</body>
</html>"""

    def _crumbs(self, *parts: tuple[str, str] | str) -> str:
        out = ['<a href="./">Accueil</a>']
        for part in parts:
            if isinstance(part, tuple):
                out.append(f'<a href="{attr(part[1])}">{typo(part[0])}</a>')
            else:
                out.append(f'<span class="on">{typo(part)}</span>')
        return '<div id="ariane">' + " &gt; ".join(out) + "</div>"

    def _latest_block(self) -> str:
        items = "\n".join(
            f'<li><a href="{relative(s.path)}">{typo(s.title)}</a></li>'
            for s in self._latest[:LATEST_ON_HOME]
        )
        return (
            f'<div class="bloc"><h2 class="titre-bloc">Derniers articles</h2><ul>{items}</ul></div>'
        )

    # article -----------------------------------------------------------------------------------

    def _date_line(self, spec: ArticleSpec) -> str:
        day = spec.published
        if day is None or spec.style in "ab":
            return ""
        if spec.style == "d" or spec.number % 2:
            shown = f'<time datetime="{day.isoformat()}">{c.affdate(day)}</time>'
        else:
            moment = iso_time(day, spec.number)
            shown = f'<abbr class="published" title="{moment}">{numeric(day)}</abbr>'
        author = ""
        if spec.style == "c" and spec.author:
            name, path = spec.author
            href = attr(relative("/" + path))
            author = (
                f' par <span class="vcard author"><a class="url fn" href="{href}">'
                f"{typo(name)}</a></span>"
            )
        return f'<div class="infos-article">Publié le {shown}{author}</div>'

    def _byline(self, spec: ArticleSpec) -> str:
        day = spec.published
        if spec.style == "a" and day:
            return f"<p><small>{typo(spec.source or '')} - {numeric(day)}</small></p>"
        if spec.style == "b" and day:
            return f"<p><em>Source : {typo(spec.source or '')} - {c.affdate(day)}</em></p>"
        if spec.style == "d" and day and spec.updated:
            return (
                f"<p><em>{typo(spec.source or '')} - {numeric(day)} - mis à jour le "
                f"{numeric(spec.updated)}</em></p>"
            )
        return ""

    def _article(self, spec: ArticleSpec) -> str:
        body = []
        if spec.repeat == "exact":
            body.append(f"<p>{typo(spec.chapo)}</p>")
        elif spec.repeat == "retyped":
            body.append(f"<p>{retyped(spec.chapo)}</p>")
        body += [
            f'<h3 class="spip">{typo(t)}</h3>' if kind == "h2" else f"<p>{typo(t)}</p>"
            for kind, t in spec.body
        ]
        body.append(self._byline(spec))
        keywords = ", ".join(
            f'<a href="{relative(path)}" rel="tag">{typo(name)}</a>'
            for name, path in self.tags(spec)
        )
        documents = (
            '<div class="documents_joints"><h2>Documents joints</h2><ul class="spip_documents">'
            f'<li><a href="{relative(spec.pdf)}" class="spip_doc" type="application/pdf">'
            "Note de synthèse</a></li></ul></div>"
            if spec.pdf
            else ""
        )
        rubric = spec.rubric
        crumbs: list[tuple[str, str] | str] = [(rubric.name, relative(self.rubric_path(rubric)))]
        if self._filed_by_crumb(spec) and spec.category:
            crumbs.append((CATEGORY_TAGS[spec.category], f"spip.php?rubrique{10 + rubric.id}"))
        content = f"""<div class="cadre-article">
<h1 class="titre-article">{typo(spec.title)}</h1>
{self._date_line(spec)}
<div class="chapo"><p>{typo(spec.chapo)}</p></div>
<div class="texte">
{chr(10).join(body)}
</div>
{documents}
<div class="mots-article"><span class="label-mots">Mots-clés&nbsp;:</span> {keywords}</div>
</div>"""
        return self._layout(
            title=spec.title,
            body_class="article",
            content=content,
            crumbs=self._crumbs(*crumbs, spec.title),
            aside=self._same_rubric(spec),
            charset=spec.encoding,
            head=f'<link rel="canonical" href="{attr(self.url(spec.path))}" />',
        )

    def _same_rubric(self, spec: ArticleSpec) -> str:
        items = "\n".join(
            f'<li><a href="{relative(self.related_path(s))}">{typo(s.title)}</a>'
            + (f" <small>{numeric(s.spip_date)}</small>" if s.published else "")
            + "</li>"
            for s in self.neighbours(spec)
        )
        return (
            '<div class="bloc"><h2 class="titre-bloc">Dans la même rubrique</h2>'
            f"<ul>\n{items}\n</ul></div>"
        )

    # listings ----------------------------------------------------------------------------------

    def _entry(self, spec: ArticleSpec) -> str:
        day = f'<div class="date">{numeric(spec.spip_date)}</div>' if spec.published else ""
        return (
            f'<div class="article-rubrique"><h3 class="titre-article-rubrique">'
            f'<a href="{relative(spec.path)}">{typo(spec.title)}</a></h3>{day}'
            f'<div class="intro">{typo(intro(spec.chapo))}</div></div>'
        )

    def _pager(self, rubric: RubricInfo, page: int) -> str:
        count = self.page_count(rubric)
        if count == 1:
            return ""
        parts = []
        if page > 0:
            href = relative(self.listing_path(rubric, page - 1))
            parts.append(f'<a href="{attr(href)}">« Précédent</a>')
        parts.append(f"<span>Page {page + 1} sur {count}</span>")
        if page < count - 1:
            href = relative(self.listing_path(rubric, page + 1))
            parts.append(f'<a href="{attr(href)}">Suivant »</a>')
        return '<div class="liens-pages">' + " ".join(parts) + "</div>"

    def _listing(self, rubric: RubricInfo, page: int) -> str:
        content = (
            f'<h1 class="titre-rubrique">{typo(rubric.name)}</h1>'
            f'<div class="descriptif-rubrique">{typo(rubric.description)}</div>\n'
            + "\n".join(self._entry(s) for s in self.members(rubric, page))
            + self._pager(rubric, page)
        )
        return self._layout(
            title=rubric.name,
            body_class="rubrique",
            content=content,
            crumbs=self._crumbs(rubric.name),
            aside=self._latest_block(),
        )

    def _tag_page(self, name: str) -> str:
        content = f'<h1 class="titre-mot">{typo(name)}</h1>\n' + "\n".join(
            self._entry(s) for s in self.tagged(name)
        )
        return self._layout(
            title=name, body_class="mot", content=content, crumbs=self._crumbs(name)
        )

    def _home(self) -> str:
        content = "\n".join(self._entry(s) for s in self._latest[:LATEST_ON_HOME])
        return self._layout(
            title=c.SLOGAN, body_class="sommaire", content=content, crumbs=self._crumbs()
        )

    def _error_page(self, path: str) -> str:
        content = '<h1 class="titre-article">Erreur 404</h1><p>Cette page n’existe pas.</p>'
        return self._layout(
            title="Erreur 404", body_class="erreur", content=content, crumbs=self._crumbs()
        )
