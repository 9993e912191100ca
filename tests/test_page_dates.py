"""A page's dates: every reader in its order of trust, provenance, and the rules between them."""

from __future__ import annotations

import json
from datetime import date

import lxml.html
import pytest

from regarchive.pipelines.extraction.core import extract_record
from regarchive.pipelines.extraction.dates import find_written_date, parse_french_date, writes_day
from regarchive.pipelines.extraction.page_dates import near_title_day, self_published_days

TODAY = date(2025, 12, 31)
TEXT = "<p>Un texte d’article assez long pour être un article, avec plusieurs mots dedans.</p>"


def _record(head: str = "", body: str = "", *, url: str = "https://x.test/a", lang: str = "fr"):
    html = (
        f"<html lang='{lang}'><head><title>Titre de l’article</title>{head}</head>"
        f"<body><article><h1>Titre de l’article</h1>{body}{TEXT}</article></body></html>"
    )
    return extract_record(html.encode(), url, today=TODAY)


def _jsonld(data: object) -> str:
    return f"<script type='application/ld+json'>{json.dumps(data)}</script>"


def test_jsonld_in_a_graph_is_read_and_named() -> None:
    article = {"@type": "NewsArticle", "datePublished": "2021-03-04T10:00:00+01:00"}
    graph = {"@graph": [{"@type": "WebSite"}, article]}
    record = _record(head=_jsonld(graph))
    assert (record["published"], record["published_source"]) == ("2021-03-04", "json-ld")


def test_jsonld_in_the_body_is_read_before_scripts_are_removed() -> None:
    record = _record(body=_jsonld([{"@type": "Article", "datePublished": "2021-03-04"}]))
    assert (record["published"], record["published_source"]) == ("2021-03-04", "json-ld")


def test_article_header_markup_wins_over_metadata_and_the_disagreement_is_a_warning() -> None:
    record = _record(
        head="<meta property='article:published_time' content='2021-03-01T10:00:00+01:00'>",
        body="<p class='info-publi'>Publié le 4 mars 2021</p>",
    )
    assert (record["published"], record["published_source"]) == ("2021-03-04", "spip-header")
    assert (
        "published dates disagree: 2021-03-04 (spip-header) kept, 2021-03-01 (opengraph)"
        in record["warnings"]
    )


@pytest.mark.parametrize(
    ("head", "lang", "url", "day"),
    [
        # An offset timestamp is the publisher's own day.
        ("<meta property='article:published_time' content='2023-11-08T21:11:03-05:00'>", "en",
         "https://x.test/a", "2023-11-08"),
        # A UTC one on a French page is placed in Paris time…
        ("<meta property='article:published_time' content='2023-11-08T23:30:00Z'>", "fr",
         "https://x.test/a", "2023-11-09"),
        # …in the site's own offset when its other timestamps give one…
        ("<meta property='article:published_time' content='2023-11-09T03:30:00Z'>"
         "<meta property='article:modified_time' content='2023-11-10T10:00:00-05:00'>", "en",
         "https://x.test/a", "2023-11-08"),
        # …else as written, unless the URL's date is one day off.
        ("<meta property='article:published_time' content='2023-11-09T03:30:00Z'>", "en",
         "https://x.test/2023/11/08/story", "2023-11-08"),
        # …but not when no inhabited time zone puts the moment on the URL's day (the URL then
        # dates a draft: 10:04 UTC is still the 9th at UTC-10, the westmost offset in use).
        ("<meta property='article:published_time' content='2023-11-09T10:04:00Z'>", "en",
         "https://x.test/2023/11/08/story", "2023-11-09"),
    ],
)  # fmt: skip
def test_time_zones(head: str, lang: str, url: str, day: str) -> None:
    assert _record(head=head, url=url, lang=lang)["published"] == day


def test_a_utc_timestamp_is_placed_in_the_time_zone_the_page_names() -> None:
    stamp = "<meta property='article:published_time' content='2020-05-02T02:54:29.000Z'>"
    config = "<script>var site = {{'timezone': {{'short': 'ET', 'long': {}}}}};</script>"
    one = _record(head=stamp + config.format("'America/New_York'"), lang="en")
    assert one["published"] == "2020-05-01"  # 22:54 the evening before, in New York
    # A page naming several zones (a choice offered to its readers) names none of its own.
    several = config.format("'America/New_York'") + config.format("'Asia/Tokyo'")
    assert _record(head=stamp + several, lang="en")["published"] == "2020-05-02"


def test_the_day_an_element_writes_wins_over_its_utc_attribute() -> None:
    body = "<time itemprop='datePublished' datetime='2020-10-28T22:22:49Z'>28 October 2020</time>"
    # The site's timestamps are at UTC+11, where that moment is 09:22 on the 29th.
    head = "<meta property='article:modified_time' content='2020-10-29T10:00:00+11:00'>"
    record = _record(head=head, body=body, lang="en")
    assert (record["published"], record["published_source"]) == ("2020-10-28", "itemprop")


@pytest.mark.parametrize(
    ("shown", "published", "source", "updated"),
    [
        # The page shows its revision's day as its date: that is the day its readers got.
        ("<p>01.04.2023, 12:00 Uhr</p>", "2023-04-01", "near-title", None),
        # Shown as an update, it is the update.
        ("<p>Aktualisiert am 01.04.2023</p>", "2021-01-01", "json-ld", "2023-04-01"),
        # A day shown that is neither of the metadata's says nothing against them.
        ("<p>02.04.2023</p>", "2021-01-01", "json-ld", "2023-04-01"),
    ],
)  # fmt: skip
def test_a_revision_shown_as_the_date_beats_the_metadata_publication(
    shown: str, published: str, source: str, updated: str | None
) -> None:
    head = _jsonld(
        {"@type": "Article", "datePublished": "2021-01-01T11:00:00+01:00",
         "dateModified": "2023-04-01T10:00:00+02:00"}
    )  # fmt: skip
    record = _record(head=head, body=shown, lang="de")
    assert (record["published"], record["published_source"]) == (published, source)
    assert record["updated"] == updated


def test_metadata_modified_time_counts_only_on_a_later_day() -> None:
    same_day = _record(
        head="<meta property='article:published_time' content='2021-03-04T08:00:00+01:00'>"
        "<meta property='article:modified_time' content='2021-03-04T18:00:00+01:00'>"
    )
    assert (same_day["published"], same_day["updated"]) == ("2021-03-04", None)
    later = _record(
        head="<meta property='article:published_time' content='2021-03-04T08:00:00+01:00'>"
        "<meta property='article:modified_time' content='2021-03-09T18:00:00+01:00'>"
    )
    assert (later["updated"], later["updated_source"]) == ("2021-03-09", "opengraph")


def test_a_visible_update_is_the_update() -> None:
    record = _record(
        body="<p class='info-publi'>Publié le 4 mars 2021, mis à jour le 5 mars 2021</p>"
    )
    assert (record["updated"], record["updated_source"]) == ("2021-03-05", "spip-header")


def test_a_modified_time_alone_is_no_update() -> None:
    record = _record(head="<meta property='article:modified_time' content='2021-03-09'>")
    assert record["updated"] is None


def test_url_date_and_date_near_the_title() -> None:
    assert _record(url="https://x.test/2019/03/12/story")["published_source"] == "url"
    record = _record(body="<p>3. Dezember 2011</p>", lang="de")
    assert (record["published"], record["published_source"]) == ("2011-12-03", "near-title")


@pytest.mark.parametrize(
    ("closing", "lang", "day"),
    [
        ("<p class='postmetadata'><small>This entry was posted on Saturday, December 3rd, "
         "2011 at 10:12 am and is filed under <a href='/c'>Notes</a>.</small></p>", "en",
         "2011-12-03"),
        ("<p class='postmetadata'><small>Dieser Beitrag wurde am Samstag, 3. Dezember 2011 um "
         "10:12 Uhr veröffentlicht und unter <a href='/c'>Notizen</a> gespeichert.</small></p>",
         "de", "2011-12-03"),
    ],
)  # fmt: skip
def test_the_sentence_in_which_the_article_says_when_it_was_posted(
    closing: str, lang: str, day: str
) -> None:
    html = (
        f"<html lang='{lang}'><head><title>A post</title></head><body><div class='post'>"
        "<h2>A post</h2><div class='entry'>" + TEXT * 8 + f"</div>{closing}</div></body></html>"
    )
    record = extract_record(html.encode(), "https://x.test/notes/a-post/", today=TODAY)
    assert (record["published"], record["published_source"]) == (day, "date-line")


def test_another_documents_publication_is_not_the_articles() -> None:
    post = lxml.html.fromstring(
        "<div><p>This article was published on 3 December 2011.</p>"
        "<p>The report was published on 4 December 2011 by the ministry.</p></div>"
    )
    assert self_published_days(post, TODAY) == ["2011-12-03"]


@pytest.mark.parametrize("classes", ["meta", "nav meta"])
def test_a_date_line_set_as_a_short_list_under_the_title(classes: str) -> None:
    # The line of facts under the title (date, views), even styled as navigation.
    body = f"<ul class='{classes}'><li><a href='/day/2020-10-13'>13 Oct 2020 18:29</a></li>"
    record = _record(body=body + "<li>1479</li></ul>", lang="en")
    assert (record["published"], record["published_source"]) == ("2020-10-13", "near-title")
    assert "1479" not in record["text"]  # a line of metadata, not of the text


def test_a_list_of_entries_under_the_title_gives_no_date() -> None:
    entries = "".join(f"<li>{day} Oct 2020: meeting</li>" for day in range(12, 17))
    page = lxml.html.fromstring(
        f"<html><head><title>Agenda</title></head><body><h1>Agenda</h1><ul>{entries}</ul>"
        "</body></html>"
    )
    assert near_title_day(page, "en", "https://x.test/agenda", TODAY) == (None, None)


def test_itemprop_text_in_another_language() -> None:
    record = _record(body="<span itemprop='datePublished'>06 Dicembre 2020</span>", lang="it")
    assert (record["published"], record["published_source"]) == ("2020-12-06", "itemprop")


def test_a_future_date_is_refused_and_nothing_is_guessed_instead() -> None:
    record = _record(head="<meta name='DC.date' content='2031-05-01'>", body="<p>Juin 2024</p>")
    assert record["published"] is None
    assert "future date '2031-05-01' ignored" in record["warnings"]


def test_htmldate_never_gives_a_sidebar_entry_date() -> None:
    html = (
        "<html lang='fr'><head><title>Titre</title></head><body><article><h1>Titre</h1>"
        f"{TEXT}</article><aside><h2>Dans la même rubrique</h2><ul><li><a href='/b'>Autre "
        "article</a> <time datetime='2024-03-12'>12 mars 2024</time></li></ul></aside>"
        "</body></html>"
    )
    record = extract_record(html.encode(), "https://x.test/a", today=TODAY)
    assert record["published"] is None


def test_htmldate_as_last_resort() -> None:
    html = (
        "<html lang='fr'><head><title>Titre</title></head><body><article><h1>Titre</h1>"
        f"{TEXT}<p>Un long paragraphe qui parle d’autre chose et d’un rapport (référence "
        "2024-03-12), rédigé pour ce site, relu depuis, et bien trop long pour une ligne de "
        "date.</p></article></body></html>"
    )
    record = extract_record(html.encode(), "https://x.test/a", today=TODAY)
    assert (record["published"], record["published_source"]) == ("2024-03-12", "htmldate")


def test_never_a_day_from_a_bare_time() -> None:
    assert _record(body="<footer><time>16:45</time></footer>")["published"] is None


def test_utc_without_a_zone_is_marked() -> None:
    result = parse_french_date("2023-11-09T03:30:00Z", today=TODAY, utc_zone=None)
    assert (result.value, result.utc) == ("2023-11-09", True)
    assert parse_french_date("2023-11-08T21:11:03-05:00", today=TODAY).value == "2023-11-08"


@pytest.mark.parametrize(
    ("text", "day"),
    [("3. Dezember 2011", "2011-12-03"), ("17 de febrero de 2020", "2020-02-17"),
     ("December 3, 2011", "2011-12-03"), ("03.04.2019", "2019-04-03"), ("no date", None)],
)  # fmt: skip
def test_written_dates_in_other_languages(text: str, day: str | None) -> None:
    assert find_written_date(text, today=TODAY) == day


def test_writes_day() -> None:
    assert writes_day("<p>le 1er juin 2010</p>", "2010-06-01")
    assert writes_day("Stand: 01.06.2010", "2010-06-01")
    assert not writes_day("<p>Juni 2010</p>", "2010-06-01")


@pytest.mark.parametrize(
    "script",
    [
        '{"@type": "NewsArticle", "datePublished": "2021-03-04",}',  # trailing comma
        '{"@type": "NewsArticle", "headline": "Un "titre" mal échappé", '
        '"datePublished": "2021-03-04"}',  # beyond repair: the key read as text
        '<![CDATA[{"@type": "NewsArticle", "datePublished": "2021-03-04"}]]>',
    ],
)
def test_broken_jsonld_still_gives_its_date(script: str) -> None:
    record = _record(head=f"<script type='application/ld+json'>{script}</script>")
    assert (record["published"], record["published_source"]) == ("2021-03-04", "json-ld")
