"""``search``, ``list``, ``show``, ``stats`` and ``datasette-metadata`` as a user runs them:
exact output for each form, one-line errors with exit code 2 for bad queries and dates."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from regarchive.archive import charts
from regarchive.archive.queries import MATCH_END, MATCH_START
from regarchive.cli.commands import filters as filters_module
from regarchive.cli.commands.datasette import datasette_metadata
from regarchive.cli.commands.filters import parse_date
from regarchive.cli.commands.summaries import summary_table
from tests.support import invoke
from tests.test_queries import make_sample_archive


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(make_sample_archive(tmp_path_factory.mktemp("cli") / "archive.db"))


def ok(*args: str) -> str:
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def usage_error(*args: str) -> str:
    """The one line a failing command prints, after checking it exits 2 without a traceback."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return lines[-1]


# -- search -------------------------------------------------------------------------------------

SEARCH_TABLE = """\
id  published   category  title
 2  2024-01-15  Actu      Les Régions saluent l’effort pour l’apprentissage
                          …L’[apprentissage] reste une priorité régionale.
 1  2024-03-05  Circ.     Financement de l’apprentissage dans les Régions
                          Une circulaire précise le financement de l’[apprentissage] en 2024. \
Les Régions versent une…

2 items
"""


def test_search_table(db: str) -> None:
    assert ok("search", "apprentissage", "--db", db) == SEARCH_TABLE


def test_search_table_says_when_there_are_more(db: str) -> None:
    output = ok("search", "apprentissage", "--db", db, "--limit", "1", "--sort", "date")
    assert output == (
        "id  published   category  title\n"
        " 1  2024-03-05  Circ.     Financement de l’apprentissage dans les Régions\n"
        "                          Une circulaire précise le financement de l’[apprentissage] "
        "en 2024. Les Régions versent une…\n"
        "\n"
        "1 of 2 items (--limit 0 shows them all)\n"
    )


def test_search_json(db: str) -> None:
    output = ok("search", "apprentissage", "--db", db, "--json", "--rubric", "départements")
    assert output == (
        "[\n"
        "  {\n"
        '    "id": 2,\n'
        '    "url": "https://www.regions.example/Les-Regions-saluent",\n'
        '    "site": "www.regions.example",\n'
        '    "title": "Les Régions saluent l’effort pour l’apprentissage",\n'
        '    "category": "Actu",\n'
        '    "rubrics": [\n'
        '      "Départements",\n'
        '      "Régions"\n'
        "    ],\n"
        '    "source": "Régions de France",\n'
        '    "published": "2024-01-15",\n'
        '    "updated": null,\n'
        '    "snippet": "…L’[apprentissage] reste une priorité régionale.",\n'
        '    "attachment": null\n'
        "  }\n"
        "]\n"
    )


def test_search_csv(db: str) -> None:
    output = ok("search", "apprentissage", "--db", db, "--csv")
    assert output == (
        "id,url,site,title,category,rubrics,source,published,updated,snippet,attachment\n"
        "2,https://www.regions.example/Les-Regions-saluent,www.regions.example,"
        "Les Régions saluent l’effort pour l’apprentissage,Actu,Départements;Régions,"
        "Régions de France,2024-01-15,,…L’[apprentissage] reste une priorité régionale.,\n"
        "1,https://www.regions.example/Financement-de-l-apprentissage,www.regions.example,"
        "Financement de l’apprentissage dans les Régions,Circ.,Régions,Ministère du Travail,"
        "2024-03-05,2024-03-20,Une circulaire précise le financement de l’[apprentissage] "
        "en 2024. Les Régions versent une…,\n"
    )


def test_search_finds_words_only_an_attachment_holds_and_says_so(db: str) -> None:
    pdf = "https://www.regions.example/IMG/pdf/bareme.pdf"
    output = ok("search", "coefficient", "--db", db)
    assert output.splitlines() == [
        "id  published   category  title",
        " 1  2024-03-05  Circ.     Financement de l’apprentissage dans les Régions",
        "                          Barème de l'apprentissage : niveau quatre, [coefficient] trois.",
        f"                          (in attachment {pdf})",
        "",
        "1 item",
    ]
    assert ok("search", "coefficient", "--db", db, "--csv").splitlines()[1].endswith(f",{pdf}")
    assert json.loads(ok("search", "coefficient", "--db", db, "--json"))[0]["attachment"] == pdf
    # Filters apply to such matches as to any other.
    assert ok("search", "coefficient", "--db", db, "--category", "actu") == "No item matches.\n"


def test_search_csv_neutralises_formulas(db: str) -> None:
    output = ok("search", "dotations", "--db", db, "--csv")
    assert ",'-20 % pour les dotations des communes," in output


def test_search_without_match(db: str) -> None:
    assert ok("search", "inexistant", "--db", db) == "No item matches.\n"
    assert ok("search", "inexistant", "--db", db, "--json") == "[]\n"
    assert ok("search", "inexistant", "--db", db, "--csv") == (
        "id,url,site,title,category,rubrics,source,published,updated\n"
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            '"unbalanced',
            "Error: invalid search query '\"unbalanced': unbalanced quote: close the phrase "
            'with another "',
        ),
        (
            "AND OR",
            "Error: invalid search query 'AND OR': AND must stand between two search terms, "
            "as in: budget AND région",
        ),
        ("(budget", "Error: invalid search query '(budget': unclosed '(': add the matching ')'"),
        (
            "budget NOT",
            "Error: invalid search query 'budget NOT': NOT needs a search term after it",
        ),
    ],
)
def test_malformed_queries_get_one_line(db: str, query: str, message: str) -> None:
    assert usage_error("search", query, "--db", db) == message
    assert usage_error("export", "--db", db, "--query", query) == message
    assert usage_error("stats", "--db", db, "--query", query) == message


# -- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("2024-01-01", False, date(2024, 1, 1)),
        ("2024", False, date(2024, 1, 1)),
        ("2024", True, date(2024, 12, 31)),
        ("1er janvier 2024", False, date(2024, 1, 1)),
        ("3 mars 2024", True, date(2024, 3, 3)),
        ("mars 2024", True, date(2024, 3, 31)),
        ("2024-02", True, date(2024, 2, 29)),
        ("15/01/2024", False, date(2024, 1, 15)),
        ("last month", False, date(2026, 10, 1)),
        ("last month", True, date(2026, 10, 31)),
        ("le mois dernier", False, date(2026, 10, 1)),
        ("il y a 2 semaines", False, date(2026, 11, 14)),
        ("yesterday", False, date(2026, 11, 27)),
        ("2024-13-45", False, None),
        ("2024-02-30", False, None),
        ("n'importe quoi", False, None),
    ],
)
def test_dates_in_common_forms(text: str, end: bool, expected: date | None) -> None:
    assert parse_date(text, end=end, base=date(2026, 11, 28)) == expected


def test_relative_dates_count_from_today(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filters_module, "today", lambda: date(2024, 4, 10))
    output = ok("list", "--db", db, "--since", "last month", "--json")
    assert [row["id"] for row in json.loads(output)] == [5, 1]


@pytest.mark.parametrize("bad", ["2024-13-45", "n'importe quoi", "31/02/2024"])
def test_bad_dates_get_one_line(db: str, bad: str) -> None:
    message = usage_error("list", "--db", db, "--since", bad)
    assert message.startswith(f"Error: --since: cannot read {bad!r} as a date; try 2024-01-01")
    assert usage_error("export", "--db", db, "--until", bad).startswith(
        f"Error: --until: cannot read {bad!r}"
    )


def test_empty_date_range_is_a_usage_error(db: str) -> None:
    assert usage_error("list", "--db", db, "--since", "2024", "--until", "2023") == (
        "Error: --since 2024-01-01 is after --until 2023-12-31: nothing can match"
    )


# -- list ---------------------------------------------------------------------------------------


def test_list_table_newest_first_undated_last(db: str) -> None:
    assert ok("list", "--db", db) == (
        "id  published   category  title\n"
        " 5  2024-03-05            Brève : agenda des Régions\n"
        " 1  2024-03-05  Circ.     Financement de l’apprentissage dans les Régions\n"
        " 2  2024-01-15  Actu      Les Régions saluent l’effort pour l’apprentissage\n"
        " 3  2023-11-02  Actu      -20 % pour les dotations des communes\n"
        " 4              Circ.     Circulaire sur l’énergie en Île-de-France\n"
        "\n"
        "5 items\n"
    )


def test_list_filters(db: str) -> None:
    def listed(*options: str) -> list[int]:
        return [row["id"] for row in json.loads(ok("list", "--db", db, "--json", *options))]

    assert listed("--category", "circ") == [1, 4]
    assert listed("--rubric", "REGIONS", "--rubric", "communes") == [1, 2, 3]
    assert listed("--source", "ministère") == [1]
    assert listed("--site", "communes.example") == [3]
    assert listed("--since", "1er janvier 2024", "--until", "février 2024") == [2]
    assert listed("--rubric", "Départements", "--category", "Actu") == [2]


def test_list_csv(db: str) -> None:
    assert ok("list", "--db", db, "--csv", "--site", "www.communes.example") == (
        "id,url,site,title,category,rubrics,source,published,updated\n"
        "3,http://www.communes.example:8080/Dotations,www.communes.example:8080,"
        "'-20 % pour les dotations des communes,Actu,Communes,Commission Européenne,"
        "2023-11-02,\n"
    )


def test_list_of_a_missing_archive(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    assert usage_error("list", "--db", str(missing)).startswith(f"Error: no archive at {missing}")
    assert not missing.exists()


# -- show ---------------------------------------------------------------------------------------

SHOW_1 = """\
Financement de l’apprentissage dans les Régions
===============================================
id          1
url         https://www.regions.example/Financement-de-l-apprentissage
site        www.regions.example
category    Circ.
rubrics     Régions
source      Ministère du Travail
published   2024-03-05
updated     2024-03-20
lang        fr
first seen  2026-11-28T10:00:00Z
last seen   2026-11-28T10:00:00Z
versions    none
warnings    -

Also at
  https://www.regions.example/spip.php?article12

Related (Dans la même rubrique)
  -   Circ.  Autre article  <https://www.regions.example/Autre-article>
  #2  Actu   Les Régions saluent l’effort  <https://www.regions.example/Les-Regions-saluent>

Attachments
  Barème 2024 (PDF)  <https://www.regions.example/IMG/pdf/bareme.pdf>
    application/pdf, 1 page, 777 bytes, 61 characters of text, sha256 a771e567b45d692c
    title: Barème 2024

Text

Une circulaire précise le financement de l’apprentissage en 2024.

Les Régions versent une aide aux centres de formation.
"""


def test_show_by_id_and_by_any_url(db: str) -> None:
    assert ok("show", "1", "--db", db) == SHOW_1
    assert ok("show", "https://www.regions.example/spip.php?article12", "--db", db) == SHOW_1
    # A URL as copied from a browser: tracking parameters and fragment are dropped.
    tracked = "https://www.regions.example/Financement-de-l-apprentissage?utm_source=x#haut"
    assert ok("show", tracked, "--db", db) == SHOW_1


def test_show_json_is_the_export_record(db: str) -> None:
    record = json.loads(ok("show", "3", "--db", db, "--json"))
    assert record["title"] == "-20 % pour les dotations des communes"
    assert record["warnings"] == ["no update date found"]
    assert list(record)[:3] == ["id", "url", "urls"]


def test_show_an_unknown_item(db: str) -> None:
    assert usage_error("show", "99", "--db", db) == (
        f"Error: no item '99' in {db}, which holds 5 items; "
        "find one with regarchive list or regarchive search"
    )


# -- stats --------------------------------------------------------------------------------------

STATS = """\
{db}: 5 items, published 2023-11-02 to 2024-03-05

Per category
  Actu    2
  Circ.   2
  (none)  1

Per rubric
  Départements  2
  Régions       2
  Communes      1

Per source (top 3 of 4)
  (unknown)              2
  Commission Européenne  1
  Ministère du Travail   1
  … 1 more, 1 item

Per site
  www.regions.example        4
  www.communes.example:8080  1

Per month (1 item undated)
  year  Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec  total  chart
  2023    ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   1   ·      1  ··········▄·
  2024    1   ·   2   ·   ·   ·   ·   ·   ·   ·   ·   ·      3  ▄·█·········
"""


def test_stats_text(db: str) -> None:
    assert ok("stats", "--db", db, "--top", "3") == STATS.format(db=db)


def test_stats_with_filters(db: str) -> None:
    output = ok("stats", "--db", db, "--query", "apprentissage", "--json")
    counts = json.loads(output)
    assert counts["items"] == 2
    assert counts["by_rubric"] == {"Régions": 2, "Départements": 1}
    assert counts["by_month"] == {"2024-01": 1, "2024-03": 1}


def test_stats_json(db: str) -> None:
    counts = json.loads(ok("stats", "--db", db, "--json"))
    assert counts == {
        "items": 5,
        "published_from": "2023-11-02",
        "published_to": "2024-03-05",
        "by_category": {"Actu": 2, "Circ.": 2, "": 1},
        "by_rubric": {"Départements": 2, "Régions": 2, "Communes": 1},
        "by_source": {
            "": 2,
            "Commission Européenne": 1,
            "Ministère du Travail": 1,
            "Régions de France": 1,
        },
        "by_site": {"www.regions.example": 4, "www.communes.example:8080": 1},
        "by_month": {"": 1, "2023-11": 1, "2024-01": 1, "2024-03": 2},
    }


GOLDEN = Path(__file__).parent / "golden"


def test_stats_svg_chart(db: str, tmp_path: Path) -> None:
    chart = tmp_path / "months.svg"
    result = invoke("stats", "--db", db, "--chart", str(chart))
    assert result.exit_code == 0
    assert result.stderr == f"chart written to {chart}\n"
    assert chart.read_text(encoding="utf-8") == (GOLDEN / "months.svg").read_text(encoding="utf-8")


def test_stats_png_chart(db: str, tmp_path: Path) -> None:
    image = pytest.importorskip("matplotlib.image")
    chart = tmp_path / "months.png"
    result = invoke("stats", "--db", db, "--chart", str(chart), "--rubric", "régions")
    assert result.exit_code == 0, result.output
    pixels = image.imread(chart)  # rows of RGBA floats
    colours = {tuple(round(float(c) * 255) for c in pixel[:3]) for row in pixels for pixel in row}
    # Régions holds an Actu and a Circ. item: both categories' colours are drawn.
    for hex_colour in (charts.CATEGORY_COLORS["Actu"], charts.CATEGORY_COLORS["Circ."]):
        assert tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)) in colours


def test_a_chart_of_sparse_months_counts_years() -> None:
    by_category = {
        "Actu": {"2017-01": 2, "2019-05": 1, "2021-12": 1},
        "Circ.": {"2017-03": 1, "2021-02": 3},
        None: {"2019-05": 1, None: 4},
    }
    chart = charts.build_chart(by_category, name="archive.db", subtitle="rubric Régions")
    assert chart.unit == "year"
    assert chart.title == "Items published per year: archive.db"
    assert chart.periods == ["2017", "2018", "2019", "2020", "2021"]
    assert chart.stacks == {
        "Actu": [2, 0, 1, 0, 1],
        "Circ.": [1, 0, 0, 0, 3],
        "no category": [0, 0, 1, 0, 0],
    }
    assert chart.undated == 4
    svg = charts.svg_chart(chart)
    for text in ("rubric Régions; 4 items undated, not shown", ">items<", "year of publication"):
        assert text in svg
    assert ">Circ. (4)<" in svg


def test_a_chart_of_busy_months_counts_months() -> None:
    months = {f"2024-{m:02d}": m for m in range(1, 13)}
    chart = charts.build_chart({"Actu": months}, name="a.db")
    assert (chart.unit, len(chart.periods), chart.x_label) == ("month", 12, "month of publication")


def test_a_png_chart_without_matplotlib_says_what_to_install(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if the extra were not installed
    message = usage_error("stats", "--db", db, "--chart", str(tmp_path / "c.png"))
    assert message == (
        "Error: a PNG chart needs matplotlib: pip install 'regarchive[charts]', "
        "or name the chart .svg"
    )


def test_stats_chart_of_an_unknown_type(db: str, tmp_path: Path) -> None:
    assert usage_error("stats", "--db", db, "--chart", str(tmp_path / "c.gif")) == (
        f"Error: cannot tell the chart format of {tmp_path / 'c.gif'}: name it .svg or .png"
    )


# -- Datasette ----------------------------------------------------------------------------------


def test_datasette_metadata_is_named_after_the_archive(db: str, tmp_path: Path) -> None:
    metadata = json.loads(ok("datasette-metadata", "--db", str(tmp_path / "news.db")))
    tables = metadata["databases"]["news"]["tables"]
    assert tables["items"]["fts_table"] == "items_fts"
    assert tables["items"]["facets"] == ["category", "source", "site"]
    assert tables["item_rubrics"]["facets"] == ["rubric"]


def test_datasette_metadata_describes_the_real_schema(db: str) -> None:
    import sqlite3

    metadata = json.loads(ok("datasette-metadata", "--db", db))
    conn = sqlite3.connect(db)
    try:
        for table, about in metadata["databases"]["archive"]["tables"].items():
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            assert columns, f"{table} is not a table of the archive"
            facets = about.get("facets", [])
            described = about.get("columns", {})
            assert set(facets) | set(described) <= columns, table
        for canned in metadata["databases"]["archive"]["queries"].values():
            sql = canned["sql"].replace(":q", "'apprentissage'").replace(":rubric", "'Régions'")
            assert conn.execute(sql).fetchall(), canned["title"]
    finally:
        conn.close()


def test_datasette_serves_the_archive_with_the_metadata(db: str) -> None:
    datasette_app = pytest.importorskip("datasette.app")
    import asyncio

    async def fetch() -> tuple[dict, dict]:
        metadata = datasette_metadata(db)
        datasette = datasette_app.Datasette([db], metadata=metadata)
        items = await datasette.client.get(
            "/archive/items.json?_search=apprentissage&_facet=category&_shape=objects"
        )
        canned = await datasette.client.get("/archive/search.json?q=energie&_shape=objects")
        return items.json(), canned.json()

    items, canned = asyncio.run(fetch())
    assert sorted(row["id"] for row in items["rows"]) == [1, 2]
    assert {
        value["value"]: value["count"] for value in items["facet_results"]["category"]["results"]
    } == {"Actu": 1, "Circ.": 1}
    assert [row["id"] for row in canned["rows"]] == [4]


def test_every_new_command_has_help() -> None:
    for name in ("search", "list", "show", "stats", "datasette-metadata"):
        result = invoke(name, "--help")
        assert result.exit_code == 0
        assert "--db" in result.output


def test_terminal_lines_are_clipped_without_cutting_a_highlight() -> None:
    start, end = MATCH_START, MATCH_END
    row = {
        "id": 7,
        "published": "2024-01-15",
        "category": "Actu",
        "title": "Une aide régionale\npour l’apprentissage des jeunes",
        "snippet": f"…les {start}apprentis{end} et leurs {start}maîtres{end} d’apprentissage…",
    }
    lines = summary_table([row], width=52)
    assert lines == [
        "id  published   category  title",
        " 7  2024-01-15  Actu      Une aide régionale pour l…",
        "                          …les [apprentis] et leurs [m]…",
    ]
    assert summary_table([row], width=None)[1].endswith("apprentissage des jeunes")


# -- one way to choose the output ---------------------------------------------------------------


def test_format_and_output_file_on_every_reading_command(db: str, tmp_path: Path) -> None:
    listed = tmp_path / "list.csv"
    result = invoke("list", "--db", db, "-f", "csv", "-o", str(listed))
    assert (result.stdout, result.stderr) == ("", f"5 items written to {listed}\n")
    assert listed.read_text(encoding="utf-8") == ok("list", "--db", db, "--csv")
    found = tmp_path / "search.json"
    ok("search", "apprentissage", "--db", db, "--format", "json", "--output", str(found))
    assert [row["id"] for row in json.loads(found.read_text(encoding="utf-8"))] == [2, 1]
    shown = tmp_path / "show.json"
    ok("show", "1", "--db", db, "-f", "json", "-o", str(shown))
    assert json.loads(shown.read_text(encoding="utf-8"))["id"] == 1
    counts = tmp_path / "stats.json"
    ok("stats", "--db", db, "--format", "json", "-o", str(counts))
    assert json.loads(counts.read_text(encoding="utf-8"))["items"] == 5
    metadata = tmp_path / "metadata.json"
    ok("datasette-metadata", "--db", db, "-o", str(metadata))
    assert (
        "items"
        in json.loads(metadata.read_text(encoding="utf-8"))["databases"]["archive"]["tables"]
    )


def test_the_short_forms_are_aliases_of_format(db: str) -> None:
    assert ok("list", "--db", db, "--json") == ok("list", "--db", db, "--format", "json")
    assert ok("stats", "--db", db, "--json") == ok("stats", "--db", db, "-f", "json")
    assert ok("show", "2", "--db", db, "--json") == ok("show", "2", "--db", db, "-f", "json")
    assert ok("list", "--db", db, "--json", "--format", "json")  # the same twice is fine
    assert usage_error("list", "--db", db, "--json", "--format", "csv") == (
        "Error: choose one output format, not both csv and json"
    )


def test_no_output_file_over_the_archive(db: str) -> None:
    message = usage_error("list", "--db", db, "-o", db)
    assert message.startswith(f"Error: {db} is the archive")


def test_show_gives_the_page_as_fetched(tmp_path: Path) -> None:
    from regarchive.archive.store import Archive

    db = make_sample_archive(tmp_path / "archive.db")
    page = "<html><body><p>Financement de l’apprentissage</p></body></html>".encode()
    url = "https://www.regions.example/Financement-de-l-apprentissage"
    with Archive(db) as archive:
        fetched = {"url": url, "final_url": url, "status": 200, "body": page}
        archive.save_page({**fetched, "content_type": "text/html"}, None)
    assert invoke("show", "1", "--db", str(db), "--format", "html").stdout_bytes == page
    assert usage_error("show", "2", "--db", str(db), "-f", "html") == (
        f"Error: no fetched page kept for item 2 in {db}"
    )


# -- filter values that match nothing -----------------------------------------------------------


def test_a_filter_value_that_matches_nothing_names_those_that_exist(db: str) -> None:
    result = invoke("list", "--db", db, "--category", "news")
    assert result.exit_code == 0
    assert result.stdout == "No item matches.\n"
    assert result.stderr == f"regarchive: no category 'news' in {db}; known: Actu, Circ.\n"
    result = invoke("list", "--db", db, "--rubric", "Regionss", "--rubric", "communes")
    assert result.stdout.endswith("\n1 item\n")  # the rubric that exists still finds its item
    assert result.stderr == (
        f"regarchive: no rubric 'Regionss' in {db}; known: Départements, Régions, Communes\n"
    )
    result = invoke("export", "--db", db, "--site", "nowhere.example")
    assert "no site 'nowhere.example'" in result.stderr
    assert "known: www.regions.example, www.communes.example:8080" in result.stderr
    result = invoke("stats", "--db", db, "--source", "préfecture")
    assert result.stderr.startswith(f"regarchive: no source 'préfecture' in {db}; known: ")


def test_values_that_match_are_not_reported(db: str) -> None:
    result = invoke("list", "--db", db, "--category", "circ", "--rubric", "REGIONS")
    assert result.stderr == ""


def test_the_canned_rubric_query_ignores_case_and_accents(db: str) -> None:
    import sqlite3

    metadata = json.loads(ok("datasette-metadata", "--db", db))
    sql = metadata["databases"]["archive"]["queries"]["items_in_rubric"]["sql"]
    conn = sqlite3.connect(db)
    try:
        for typed in ("Régions", "regions", "REGIONS", " RÉGIONS "):
            rows = conn.execute(sql, {"rubric": typed}).fetchall()
            assert sorted(row[0] for row in rows) == [1, 2], typed
        assert conn.execute(sql, {"rubric": "departements"}).fetchall()
    finally:
        conn.close()


def test_a_chart_in_french_for_the_web_view() -> None:
    chart = charts.build_chart(
        {"Circ.": {"2024-01": 1}, None: {"2024-02": 2, None: 1}}, words=charts.FRENCH
    )
    svg = charts.svg_chart(chart)
    for text in (
        "Articles publiés par mois",
        "tous les articles; 1 article sans date, non montré",
        ">mois de publication<",
        ">articles<",
        ">sans catégorie (2)<",
        "2024-02, sans catégorie : 2 sur 2",
    ):
        assert text in svg, text
