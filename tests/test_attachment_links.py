"""The documents an article links, as extraction finds them: SPIP's documents block and links
in the text, not the links every page of the site has in its header or footer."""

from __future__ import annotations

from regarchive.pipelines.extraction.attachments import MAX_LINKS
from regarchive.pipelines.extraction.core import extract_record

PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Circ. - Régions - Dotation d'équipement</title></head>
<body class="page_article">
<header id="header"><a href="/IMG/pdf/mentions-legales.pdf">Mentions légales</a></header>
<nav class="menu"><a href="/IMG/pdf/plan-du-site.pdf">Plan</a></nav>
<main><article>
<h1 class="surlignable">Dotation d'équipement des territoires ruraux</h1>
<p class="info-publi">Publié le 5 mars 2024</p>
<div class="texte surlignable">
<p>La circulaire (<a href="https://www.interieur.gouv.fr/content/download/1/circ.pdf?utm_source=rss#page=2">texte
intégral</a>) fixe les règles de la dotation pour l'année 2024 dans chaque département.</p>
<p>Le <a href="spip.php?article7">communiqué</a> et la <a href="/IMG/png/carte.png">carte</a>
ne sont pas des documents joints, ni <a href="mailto:x@example.org">le courriel</a>.</p>
</div>
<div class="documents_joints"><h2>Documents joints</h2><ul class="spip_documents">
<li><a href="IMG/pdf/note-dgf.pdf" class="spip_doc" type="application/pdf"
 title="PDF - 120.5 kio">Note de synthèse <small class="info_document">(PDF - 120.5 kio)
</small></a></li>
<li><a href="spip.php?action=acceder_document&amp;arg=12&amp;cle=ab12&amp;file=odt/annexe.odt"
 class="spip_doc">Annexe <small class="info_document">(ODT - 8 kio)</small></a></li>
<li><a href="IMG/pdf/note-dgf.pdf" class="spip_doc" type="application/pdf">Encore la note</a></li>
<li><a class="spip_doc" href="IMG/docx/modele.docx" title="Modèle de délibération"><img
 src="prive/vignettes/docx.png" alt=""></a></li>
</ul></div>
</article></main>
<footer id="footer"><a href="/IMG/pdf/rapport-annuel.pdf">Rapport annuel</a></footer>
</body></html>"""

SITE = "https://www.regions.example"


def test_documents_block_and_text_links_each_once_with_their_labels() -> None:
    record = extract_record(PAGE.encode(), f"{SITE}/spip.php?article12")
    assert record["attachments"] == [
        {"url": f"{SITE}/IMG/pdf/note-dgf.pdf", "label": "Note de synthèse"},
        {
            "url": f"{SITE}/spip.php?action=acceder_document&arg=12&cle=ab12&file=odt/annexe.odt",
            "label": "Annexe",
        },
        {"url": f"{SITE}/IMG/docx/modele.docx", "label": "Modèle de délibération"},
        {
            "url": "https://www.interieur.gouv.fr/content/download/1/circ.pdf",
            "label": "texte intégral",
        },
    ]
    # The documents block is still not part of the text.
    assert "Documents joints" not in record["text"] and "Note de synthèse" not in record["text"]


def test_a_page_without_documents_has_none() -> None:
    page = PAGE.split('<div class="documents_joints">')[0] + "</article></main></body></html>"
    page = page.replace("circ.pdf", "circ.html")
    assert extract_record(page.encode(), f"{SITE}/spip.php?article12")["attachments"] == []


def test_a_page_linking_thousands_of_documents_keeps_the_first_ones() -> None:
    links = "".join(f'<li><a href="/IMG/pdf/doc{n}.pdf">Doc {n}</a></li>' for n in range(5000))
    page = PAGE.replace('<div class="documents_joints">', f"<ul>{links}</ul><div>")
    record = extract_record(page.encode(), f"{SITE}/spip.php?article12")
    assert len(record["attachments"]) == MAX_LINKS
