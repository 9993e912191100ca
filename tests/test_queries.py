"""Search and filters on a real archive file: FTS5 query rewriting, filters, change marks, the
full-text and change-tracking migrations of an old archive.

:func:`make_sample_archive` builds the small archive the CLI and export tests share.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from regarchive.archive import queries, schema
from regarchive.archive.errors import QueryError
from regarchive.archive.queries import Filters, fts_match, match_key
from regarchive.archive.store import Archive
from regarchive.pipelines.documents import read_document
from tests.documents import pdf
from tests.support import Clock, extracted_record

REGIONS = "https://www.regions.example"
COMMUNES = "http://www.communes.example:8080"


SAMPLE = [
    extracted_record(
        f"{REGIONS}/Financement-de-l-apprentissage",
        urls=[f"{REGIONS}/Financement-de-l-apprentissage", f"{REGIONS}/spip.php?article12"],
        title="Financement de l’apprentissage dans les Régions",
        category="Circ.",
        rubrics=["Régions"],
        source="Ministère du Travail",
        published="2024-03-05",
        published_source="json-ld",
        updated="2024-03-20",
        updated_source="spip-header",
        text="Une circulaire précise le financement de l’apprentissage en 2024.\n"
        "Les Régions versent une aide aux centres de formation.",
        related=[
            {
                "url": f"{REGIONS}/Les-Regions-saluent",
                "label": "Actu - Les Régions saluent l’effort",
                "category": "Actu",
                "rubric": "Régions",
                "title": "Les Régions saluent l’effort",
            },
            {
                "url": f"{REGIONS}/Autre-article",
                "label": "Circ. - Autre article",
                "category": "Circ.",
                "rubric": None,
                "title": "Autre article",
            },
        ],
        attachments=[{"url": f"{REGIONS}/IMG/pdf/bareme.pdf", "label": "Barème 2024 (PDF)"}],
    ),
    extracted_record(
        f"{REGIONS}/Les-Regions-saluent",
        title="Les Régions saluent l’effort pour l’apprentissage",
        category="Actu",
        rubrics=["Régions", "Départements"],
        source="Régions de France",
        published="2024-01-15",
        published_source="spip-header",
        category_source="label",
        text="Les présidents de Région saluent l’effort de l’État.\n"
        "L’apprentissage reste une priorité régionale.",
    ),
    extracted_record(
        f"{COMMUNES}/Dotations",
        title="-20 % pour les dotations des communes",
        category="Actu",
        rubrics=["Communes"],
        source="Commission Européenne",
        published="2023-11-02",
        published_source="byline",
        text='=HYPERLINK("http://example.org") n’est pas une formule ici.\n'
        "Les communes rurales perdent 20 % de leurs dotations.",
        warnings=["no update date found"],
    ),
    extracted_record(
        f"{REGIONS}/Energie-Ile-de-France",
        title="Circulaire sur l’énergie en Île-de-France",
        category="Circ.",
        rubrics=["Départements"],
        text="Les départements d’Île-de-France réduisent leur consommation d’énergie.",
    ),
    extracted_record(
        f"{REGIONS}/Breve",
        title="Brève : agenda des Régions",
        rubrics=[],
        published="2024-03-05",
        text="Agenda de la semaine ; réunions, déplacements et « temps forts ».",
    ),
]


# The document the first item links: words no article holds.
SAMPLE_PDF = pdf(
    ["Barème de l'apprentissage : niveau quatre, coefficient trois."],
    title="Barème 2024",
    created="D:20240301090000Z",
)


def make_sample_archive(path: Path) -> Path:
    """The five items of :data:`SAMPLE` (ids 1-5), saved at fixed times; the first links
    :data:`SAMPLE_PDF`, fetched before it (so that its change number stays 1)."""
    with Archive(path, clock=lambda: datetime(2026, 11, 28, 9, tzinfo=timezone.utc)) as archive:
        fetched = {
            "url": f"{REGIONS}/IMG/pdf/bareme.pdf",
            "final_url": f"{REGIONS}/IMG/pdf/bareme.pdf",
            "status": 200,
            "content_type": "application/pdf",
            "etag": None,
            "last_modified": None,
            "fetched_at": "2026-11-28T09:00:00Z",
            "body": SAMPLE_PDF,
        }
        archive.attachment_store.save(fetched, read_document(SAMPLE_PDF), None)
    with Archive(path, clock=Clock()) as archive:
        for record in SAMPLE:
            archive.save_item(record, None, None)
    return path


@pytest.fixture
def sample(tmp_path: Path) -> Archive:
    path = make_sample_archive(tmp_path / "archive.db")
    with Archive(path, clock=Clock()) as archive:
        yield archive


def ids(archive: Archive, filters: Filters, **options: Any) -> list[int]:
    return [row["id"] for row in archive.find_items(filters, **options)]


# -- query rewriting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("budget région", '"budget" "région"'),
        ("l'Europe Île-de-France", '"l\'Europe" "Île-de-France"'),
        ('"plan de relance" budg*', '"plan de relance" "budg"*'),
        ("budget OR dotation", '"budget" OR "dotation"'),
        ("budget NOT covid", '"budget" NOT "covid"'),
        ("budget -covid", '"budget" NOT "covid"'),
        ("(budget OR dotation) commune", '( "budget" OR "dotation" ) "commune"'),
        ('title:budget text:"plan d\'aide"', 'title : "budget" text : "plan d\'aide"'),
        ("budget — dotation", '"budget" "dotation"'),
        ("and or not", '"and" "or" "not"'),
        ("Île-de-France", '"Île-de-France"'),
    ],
)
def test_fts_match_quotes_words_and_keeps_operators(query: str, match: str) -> None:
    assert fts_match(query) == match


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unbalanced', 'unbalanced quote: close the phrase with another "'),
        ("AND OR", "AND must stand between two search terms, as in: budget AND région"),
        ("budget AND OR région", "'AND OR': put a search term between the operators"),
        ("budget OR", "OR needs a search term after it"),
        ("NOT covid", "NOT must stand between two search terms, as in: budget NOT région"),
        ("(budget", "unclosed '(': add the matching ')'"),
        ("budget)", "')' without a matching '('"),
        ("budget ()", "empty parentheses: put search terms inside them"),
        ("(budget OR)", "OR needs a search term after it"),
        ("", "nothing to search for: give at least one word"),
        ("— …", "nothing to search for: give at least one word"),
    ],
)
def test_malformed_queries_are_explained_in_one_line(query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        fts_match(query)
    assert str(caught.value) == message


def test_filters_refuse_a_malformed_query_and_an_empty_range() -> None:
    with pytest.raises(QueryError, match=r"^invalid search query 'AND OR': AND must stand"):
        Filters(query="AND OR")
    with pytest.raises(QueryError, match="--since 2024-02-01 is after --until 2024-01-01"):
        Filters(since=date(2024, 2, 1), until=date(2024, 1, 1))


def test_match_key_ignores_case_accents_apostrophes_and_spaces() -> None:
    assert match_key("  Ministère de l’Intérieur ") == "ministere de l'interieur"
    assert match_key("ÎLE-DE-FRANCE") == "ile-de-france"
    assert match_key(None) is None


def test_user_values_never_reach_the_sql_text() -> None:
    hostile = "x'); DROP TABLE items; --"
    filters = Filters(
        query="DROP TABLE",
        categories=(hostile,),
        rubrics=(hostile,),
        sources=(hostile,),
        sites=(hostile,),
        since=date(2024, 1, 1),
    )
    statements = [
        queries.search_sql(filters, sort="relevance", limit=5),
        queries.count_sql(filters),
        *queries.export_sql(filters, "SELECT i.id FROM items AS i"),
        queries.facet_sql(filters, "rubric"),
    ]
    for sql in statements:
        assert "DROP" not in sql.text
        assert "2024-01-01" not in sql.text
        assert any("DROP" in str(value) for value in sql.params.values())


def test_relevance_needs_a_query() -> None:
    with pytest.raises(QueryError, match="sorting by relevance needs a search query"):
        queries.search_sql(Filters(), sort="relevance", limit=None)


# -- searching and filtering --------------------------------------------------------------------


def test_search_ignores_accents_and_case_and_ranks_titles_first(sample: Archive) -> None:
    assert ids(sample, Filters(query="APPRENTISSAGE")) == [2, 1]
    assert ids(sample, Filters(query="energie ile-de-france")) == [4]
    assert sorted(ids(sample, Filters(query="région*"))) == [1, 2, 5]
    assert ids(sample, Filters(query="apprentissage"), sort="date") == [1, 2]
    assert ids(sample, Filters(query="apprentissage -circulaire")) == [2, 1]
    # Each document is matched on its own: item 1's article says "circulaire", its attached
    # barème says "apprentissage" and not "circulaire".
    hits = sample.find_items(Filters(query="apprentissage -circulaire"))
    assert [hit["attachment"] for hit in hits] == [None, f"{REGIONS}/IMG/pdf/bareme.pdf"]


def test_search_snippets_mark_matched_words(sample: Archive) -> None:
    [hit] = sample.find_items(Filters(query="centres formation"))
    start, end = queries.MATCH_START, queries.MATCH_END
    assert f"{start}centres{end} de {start}formation{end}" in hit["snippet"]
    assert hit["rubrics"] == ["Régions"]
    assert list(hit) == [
        "id",
        "url",
        "site",
        "title",
        "category",
        "rubrics",
        "source",
        "published",
        "updated",
        "snippet",
        "attachment",
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), [5, 1, 2, 3, 4]),
        (Filters(categories=("circ",)), [1, 4]),
        (Filters(categories=("ACTU", "Circ.")), [1, 2, 3, 4]),
        (Filters(rubrics=("regions",)), [1, 2]),
        (Filters(rubrics=("Départements", "communes")), [2, 3, 4]),
        (Filters(sources=("commission",)), [3]),
        (Filters(sources=("regions de",)), [2]),
        (Filters(sites=("communes.example",)), [3]),
        (Filters(sites=("www.communes.example",)), [3]),
        (Filters(sites=("www.communes.example:8080",)), [3]),
        (Filters(sites=("example",)), [5, 1, 2, 3, 4]),
        (Filters(sites=("regions",)), []),
        (Filters(sites=("mmunes.example",)), []),
        (Filters(since=date(2024, 1, 15)), [5, 1, 2]),
        (Filters(until=date(2024, 1, 15)), [2, 3]),
        (Filters(since=date(2024, 1, 16), until=date(2024, 3, 5)), [5, 1]),
        (Filters(query="apprentissage", rubrics=("départements",)), [2]),
        (Filters(rubrics=("100%_",)), []),
    ],
)
def test_filters_newest_first(sample: Archive, filters: Filters, expected: list[int]) -> None:
    assert ids(sample, filters, sort="date", limit=None) == expected
    assert sample.count_items(filters) == len(expected)


def test_limit(sample: Archive) -> None:
    assert ids(sample, Filters(), sort="date", limit=2) == [5, 1]


def test_export_order_is_published_then_id_undated_last(sample: Archive) -> None:
    records = list(sample.iter_export(Filters()))
    assert [r["id"] for r in records] == [3, 2, 1, 5, 4]
    assert records[0]["rubrics"] == ["Communes"]
    assert [r["id"] for r in sample.iter_export(Filters(rubrics=("régions",)))] == [2, 1]
    assert list(sample.iter_export(Filters())) == list(sample.iter_records())


def test_facets(sample: Archive) -> None:
    counts = sample.facets(Filters())
    assert counts["items"] == 5
    assert (counts["published_from"], counts["published_to"]) == ("2023-11-02", "2024-03-05")
    assert counts["by_category"] == {"Actu": 2, "Circ.": 2, None: 1}
    assert counts["by_rubric"] == {"Départements": 2, "Régions": 2, "Communes": 1}
    assert counts["by_month"] == {None: 1, "2023-11": 1, "2024-01": 1, "2024-03": 2}
    assert counts["by_site"] == {"www.regions.example": 4, "www.communes.example:8080": 1}
    narrowed = sample.facets(Filters(query="apprentissage"))
    assert narrowed["items"] == 2
    assert narrowed["by_rubric"] == {"Régions": 2, "Départements": 1}


def test_related_items_say_which_are_archived(sample: Archive) -> None:
    related = sample.related_items(1)
    assert [(entry["url"], entry["item_id"]) for entry in related] == [
        (f"{REGIONS}/Autre-article", None),
        (f"{REGIONS}/Les-Regions-saluent", 2),
    ]


def test_fts5_errors_become_query_errors(sample: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should FTS5 refuse what the rewriting let through, the user still gets one line."""
    monkeypatch.setattr(queries, "fts_match", lambda query: query)
    filters = Filters(query='"unbalanced')
    with pytest.raises(QueryError, match="^invalid search query '\"unbalanced': unterminated"):
        sample.find_items(filters)


# -- keeping the index and the change marks in sync ---------------------------------------------


def test_updates_reach_the_full_text_index(sample: Archive) -> None:
    changed = {**SAMPLE[3], "text": "Les départements investissent dans la géothermie."}
    changed["content_hash"] = hashlib.sha256(changed["text"].encode()).hexdigest()
    assert sample.save_item(changed, None, None).status == "updated"
    assert ids(sample, Filters(query="geothermie")) == [4]
    assert ids(sample, Filters(query="consommation")) == []


def test_change_marks_follow_real_changes_only(sample: Archive) -> None:
    assert sample.change_mark() > 0
    mark = sample.change_mark()
    assert sample.save_item(SAMPLE[1], None, None).status == "unchanged"
    assert sample.change_mark() == mark  # seen again: last_seen moves, nothing else

    with_rubric = {**SAMPLE[1], "rubrics": ["Régions", "Départements", "Communes"]}
    sample.save_item(with_rubric, None, None)
    assert [r["id"] for r in sample.iter_export(Filters(changed_after=mark))] == [2]

    mark = sample.change_mark()
    new = extracted_record(f"{REGIONS}/Nouveau", title="Nouveau", text="Un nouvel article.")
    sample.save_item(new, None, None)
    with_url = {**SAMPLE[0], "urls": [*SAMPLE[0]["urls"], f"{REGIONS}/?article12"]}
    sample.save_item(with_url, None, None)
    assert [r["id"] for r in sample.iter_export(Filters(changed_after=mark))] == [1, 6]


def test_exports_are_remembered_by_name(sample: Archive) -> None:
    assert sample.last_export("nightly") is None
    sample.record_export(
        "nightly", mark=3, items=3, fmt="csv", output="a.csv", filters={"rubrics": ["Régions"]}
    )
    sample.record_export("nightly", mark=7, items=4, fmt="csv", output="b.csv", filters={})
    last = sample.last_export("nightly")
    assert last is not None
    assert (last["mark"], last["items"], last["output"], last["filters"]) == (7, 4, "b.csv", {})
    assert last["exported_at"].endswith("Z")
    assert sample.last_export("other") is None


def test_snapshot_hides_writes_made_meanwhile(tmp_path: Path) -> None:
    path = make_sample_archive(tmp_path / "archive.db")
    with Archive(path) as reader, Archive(path) as writer:
        with reader.snapshot():
            before = reader.change_mark()
            writer.save_item(extracted_record(f"{REGIONS}/x", text="Encore un."), None, None)
            assert reader.change_mark() == before
            assert reader.count_items(Filters()) == 5
        assert reader.change_mark() > before


# -- migrating old archives ---------------------------------------------------------------------


def test_a_version_1_archive_gets_a_full_text_index_and_change_marks(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, schema.MIGRATIONS[:1]) == 1
    for number, (title, text) in enumerate(
        [("Énergie régionale", "Les Régions investissent."), ("Budget", "Dotations en baisse.")],
        start=1,
    ):
        conn.execute(
            "INSERT INTO items (url, site, title, category, published, text, content_hash, "
            "first_seen, last_seen) VALUES (?, 'www.regions.example', ?, 'Actu', ?, ?, ?, "
            "'2020-01-01T00:00:00Z', '2020-01-01T00:00:00Z')",
            (f"{REGIONS}/{number}", title, f"2020-0{number}-01", text, f"h{number}"),
        )
        conn.execute("INSERT INTO item_rubrics VALUES (?, 'Régions')", (number,))
    conn.close()

    with Archive(path, clock=Clock()) as archive:
        assert archive.schema_version == schema.SCHEMA_VERSION
        assert ids(archive, Filters(query="energie")) == [1]
        assert ids(archive, Filters(query="regions", rubrics=("régions",))) == [1]
        assert archive.change_mark() == 2
        assert [r["id"] for r in archive.iter_export(Filters(changed_after=1))] == [2]
        update = extracted_record(
            f"{REGIONS}/2", title="Budget", text="Dotations en hausse.", published="2020-02-01"
        )
        assert archive.save_item(update, None, None).status == "updated"
        assert ids(archive, Filters(query="hausse")) == [2]
        assert ids(archive, Filters(query="baisse")) == []
        assert archive.change_mark() > 2

    conn = sqlite3.connect(path)
    try:
        tokenizer = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'items_fts'")
        assert "remove_diacritics 2" in tokenizer.fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # The FTS5 index agrees with its content table.
        conn.execute("INSERT INTO items_fts (items_fts) VALUES ('integrity-check')")
    finally:
        conn.close()


def test_a_version_3_archive_numbers_its_items_by_id(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema.migrate(conn, schema.MIGRATIONS[:3]) == 3
    conn.execute(
        "INSERT INTO items (id, url, site, text, content_hash, first_seen, last_seen) "
        "VALUES (7, 'https://a.example/7', 'a.example', 't', 'h', 'x', 'x')"
    )
    conn.close()
    with Archive(path) as archive:
        assert archive.change_mark() == 7
        assert archive.last_export("nightly") is None


def test_queries_can_run_while_an_export_streams(sample: Archive) -> None:
    exported = []
    for record in sample.iter_export(Filters(rubrics=("régions",))):
        exported.append((record["id"], sample.count_items(Filters(rubrics=("régions",)))))
    assert exported == [(2, 2), (1, 2)]


def test_a_query_has_at_most_max_query_terms_terms() -> None:
    words = [f"mot{i}*" for i in range(queries.MAX_QUERY_TERMS + 1)]
    assert fts_match(" OR ".join(words[:-1])).count('"') == 2 * queries.MAX_QUERY_TERMS
    with pytest.raises(QueryError, match=r"101 search terms; at most 100 are allowed"):
        fts_match(" OR ".join(words))
