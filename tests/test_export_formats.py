"""``regarchive export`` in every format, against golden files: filters, safe CSV, the byte-order
mark, Parquet, the Data Package (checked by ``frictionless validate``) and increments.

Set ``REGARCHIVE_UPDATE_GOLDEN=1`` to rewrite the golden files after a deliberate change.
"""

from __future__ import annotations

import builtins
import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from regarchive.archive.datapackage import write_datapackage
from regarchive.archive.queries import Filters
from regarchive.archive.records import CSV_FIELDS, restore
from regarchive.archive.store import Archive
from tests.support import extracted_record, invoke
from tests.test_queries import REGIONS, SAMPLE, make_sample_archive

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("REGARCHIVE_UPDATE_GOLDEN") == "1"
BOM = "\ufeff"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(make_sample_archive(tmp_path / "archive.db"))


def export(db: str, *args: str) -> Result:
    result = invoke("export", "--db", db, *args)
    assert result.exit_code == 0, result.output
    return result


def golden(name: str, text: str | None = None) -> str:
    """The golden file ``name`` (first rewritten with ``text`` when updating)."""
    path = GOLDEN / name
    if UPDATE and text is not None:
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write(text)
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


# -- golden files -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_export_to_stdout_matches_golden(db: str, fmt: str) -> None:
    output = export(db, "--format", fmt).stdout
    assert output == golden(f"export.{fmt}", output)


def test_csv_file_starts_with_a_bom_for_excel(db: str, tmp_path: Path) -> None:
    target = tmp_path / "items.csv"
    result = export(db, "-f", "csv", "-o", str(target))
    assert result.stderr == f"5 items written to {target}\n"
    data = target.read_bytes()
    assert data.startswith(BOM.encode("utf-8"))
    assert data.decode("utf-8") == BOM + golden("export.csv")
    assert not target.with_name("items.csv.part").exists()


def test_bom_can_be_chosen(db: str, tmp_path: Path) -> None:
    assert export(db, "-f", "csv", "--bom").stdout.startswith(BOM + "id,url,")
    target = tmp_path / "items.csv"
    export(db, "-f", "csv", "--no-bom", "-o", str(target))
    assert target.read_text(encoding="utf-8").startswith("id,url,")
    export(db, "-f", "jsonl", "--bom", "-o", str(target))  # JSON never gets one
    assert target.read_text(encoding="utf-8").startswith('{"id": 3,')


def test_export_order_and_filters(db: str) -> None:
    def exported(*options: str) -> list[int]:
        lines = export(db, "-f", "jsonl", *options).stdout.splitlines()
        return [json.loads(line)["id"] for line in lines]

    assert exported() == [3, 2, 1, 5, 4]
    assert exported("--rubric", "régions") == [2, 1]
    assert exported("--category", "circ", "--since", "2024") == [1]
    assert exported("--query", "apprentissage") == [2, 1]
    assert exported("--site", "communes.example") == [3]
    assert exported("--until", "2023-12-31") == [3]


# -- safe CSV -----------------------------------------------------------------------------------


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM), newline="")))


def test_safe_csv_neutralises_formula_cells_by_default(db: str) -> None:
    safe = {row["id"]: row for row in rows(export(db, "-f", "csv").stdout)}
    assert safe["3"]["title"] == "'-20 % pour les dotations des communes"
    assert safe["3"]["text"].startswith("'=HYPERLINK(")
    assert safe["1"]["title"] == SAMPLE[0]["title"]  # other cells untouched
    assert restore(safe["3"]["text"]) == SAMPLE[2]["text"]


def test_safe_csv_can_be_turned_off(db: str) -> None:
    raw = {row["id"]: row for row in rows(export(db, "-f", "csv", "--no-safe-csv").stdout)}
    assert raw["3"]["title"] == "-20 % pour les dotations des communes"
    assert raw["3"]["text"] == SAMPLE[2]["text"]


# -- Parquet ------------------------------------------------------------------------------------


def test_parquet_round_trip(db: str, tmp_path: Path) -> None:
    parquet = pytest.importorskip("pyarrow.parquet")
    target = tmp_path / "items.parquet"
    assert export(db, "-f", "parquet", "-o", str(target)).stderr == (
        f"5 items written to {target}\n"
    )
    table = parquet.read_table(target)
    assert table.column_names == list(CSV_FIELDS)
    assert str(table.schema.field("published").type) == "date32[day]"
    assert str(table.schema.field("rubrics").type) == "list<element: string>"
    back = table.to_pylist()
    with Archive(db) as archive:
        records = list(archive.iter_export(Filters()))
    for row, record in zip(back, records, strict=True):
        row["published"] = row["published"] and row["published"].isoformat()
        row["updated"] = row["updated"] and row["updated"].isoformat()
        for key in ("first_seen", "last_seen"):
            row[key] = row[key].strftime("%Y-%m-%dT%H:%M:%SZ")
        assert row == record


def test_parquet_without_pyarrow_says_what_to_install(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_pyarrow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] == "pyarrow":
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    target = tmp_path / "items.parquet"
    result = invoke("export", "--db", db, "-f", "parquet", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: the parquet format needs pyarrow: pip install 'regarchive[parquet]'\n"
    )
    assert not target.exists()
    assert not target.with_name("items.parquet.part").exists()


@pytest.mark.parametrize("fmt", ["parquet", "datapackage"])
def test_file_formats_need_an_output(db: str, fmt: str) -> None:
    result = invoke("export", "--db", db, "-f", fmt)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: --format {fmt} writes a " + (
        "folder: give it with -o" if fmt == "datapackage" else "file: give it with -o"
    )


# -- Data Package -------------------------------------------------------------------------------


def package_descriptor(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def test_datapackage_matches_golden(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "package"
    result = export(db, "-f", "datapackage", "-o", str(folder), "--rubric", "Régions")
    assert result.stderr == f"2 items written to {folder}\n"
    assert sorted(path.name for path in folder.iterdir()) == ["datapackage.json", "items.csv"]
    descriptor = package_descriptor(folder)
    assert descriptor["created"].endswith("Z")
    descriptor["created"] = "2026-11-28T12:00:00Z"
    descriptor["regarchive"]["version"] = "0.0.0"
    text = json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n"
    assert text == golden("datapackage.json", text)
    data = (folder / "items.csv").read_text(encoding="utf-8")
    assert data == golden("datapackage-items.csv", data)


def test_datapackage_says_what_it_covers(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "package"
    export(db, "-f", "datapackage", "-o", str(folder))
    descriptor = package_descriptor(folder)
    resource = descriptor["resources"][0]
    assert resource["rows"] == 5
    assert resource["bytes"] == (folder / "items.csv").stat().st_size
    assert [field["name"] for field in resource["schema"]["fields"]] == list(CSV_FIELDS)
    assert all(field["description"] for field in resource["schema"]["fields"])
    about = descriptor["regarchive"]
    assert (about["published_from"], about["published_to"], about["undated_items"]) == (
        "2023-11-02",
        "2024-03-05",
        1,
    )
    assert about["sites"] == ["www.communes.example:8080", "www.regions.example"]
    assert about["rubrics"] == {"Communes": 1, "Départements": 2, "Régions": 2}
    assert about["filters"] == {}
    assert descriptor["sources"][0] == {
        "title": "www.communes.example:8080",
        "path": "http://www.communes.example:8080/",
    }


def test_frictionless_validates_the_datapackage(db: str, tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    folder = tmp_path / "package"
    export(db, "-f", "datapackage", "-o", str(folder))
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])

    data = folder / "items.csv"
    data.write_text(data.read_text(encoding="utf-8").replace(",2024-01-15,", ",2024-01-32,"))
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert not report.valid
    assert "type-error" in {error[0] for error in report.flatten(["type"])}


def test_datapackage_replaces_a_previous_package_only(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "package"
    export(db, "-f", "datapackage", "-o", str(folder), "--category", "actu")
    export(db, "-f", "datapackage", "-o", str(folder), "--category", "circ")
    assert package_descriptor(folder)["regarchive"]["filters"] == {"categories": ["circ"]}
    assert sorted(path.name for path in tmp_path.iterdir()) == ["archive.db", "package"]

    (folder / "notes.txt").write_text("mine")
    result = invoke("export", "--db", db, "-f", "datapackage", "-o", str(folder))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {folder} holds other files than a data package; left untouched, "
        "give a new folder path\n"
    )
    assert (folder / "notes.txt").read_text() == "mine"


def test_failed_datapackage_leaves_the_previous_one(tmp_path: Path) -> None:
    folder = tmp_path / "package"
    write_datapackage([], folder, version="1")
    before = (folder / "datapackage.json").read_text(encoding="utf-8")

    def broken() -> Any:
        yield {field: None for field in CSV_FIELDS}
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left on device"):
        write_datapackage(broken(), folder, version="2")
    assert (folder / "datapackage.json").read_text(encoding="utf-8") == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["package"]


# -- increments ---------------------------------------------------------------------------------


def ids_of(result: Result) -> list[int]:
    return [json.loads(line)["id"] for line in result.stdout.splitlines()]


def test_since_last_export_takes_only_new_and_changed_items(db: str, tmp_path: Path) -> None:
    first = export(db, "-f", "jsonl", "--since-last-export", "nightly")
    assert ids_of(first) == [3, 2, 1, 5, 4]
    assert ids_of(export(db, "-f", "jsonl", "--since-last-export", "nightly")) == []
    # Another name has its own memory.
    assert ids_of(export(db, "-f", "jsonl", "--since-last-export", "weekly")) == [3, 2, 1, 5, 4]

    with Archive(db) as archive:
        archive.save_item(SAMPLE[1], None, None)  # seen again, unchanged
        changed = {**SAMPLE[0], "rubrics": ["Régions", "Apprentissage"]}
        archive.save_item(changed, None, None)
        archive.save_item(extracted_record(f"{REGIONS}/Neuf", text="Un article neuf."), None, None)

    target = tmp_path / "increment.jsonl"
    result = export(db, "-f", "jsonl", "--since-last-export", "nightly", "-o", str(target))
    assert result.stderr.startswith(f"2 items written to {target} (new or changed since 20")
    assert [json.loads(line)["id"] for line in target.read_text().splitlines()] == [1, 6]
    with Archive(db) as archive:
        last = archive.last_export("nightly")
    assert last is not None
    assert (last["items"], last["format"], last["output"]) == (2, "jsonl", str(target))
    assert ids_of(export(db, "-f", "jsonl", "--since-last-export", "nightly")) == []


def test_since_last_export_with_filters_and_datapackage(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "package"
    export(db, "-f", "datapackage", "-o", str(folder), "--since-last-export", "pub")
    first = package_descriptor(folder)["regarchive"]["export"]
    assert first["name"] == "pub"
    assert first["after_change"] is None
    with Archive(db) as archive:
        archive.save_item({**SAMPLE[3], "title": "Circulaire révisée"}, None, None)
    export(db, "-f", "datapackage", "-o", str(folder), "--since-last-export", "pub")
    second = package_descriptor(folder)
    assert second["regarchive"]["export"]["after_change"] == first["up_to_change"]
    assert second["resources"][0]["rows"] == 1
    assert "Circulaire révisée" in (folder / "items.csv").read_text(encoding="utf-8")


def test_a_failed_export_is_not_remembered(db: str, tmp_path: Path) -> None:
    result = invoke(
        "export", "--db", db, "--since-last-export", "nightly", "-o", str(tmp_path / "no/x")
    )
    assert result.exit_code == 2
    with Archive(db) as archive:
        assert archive.last_export("nightly") is None


def test_since_last_export_needs_a_name(db: str) -> None:
    result = invoke("export", "--db", db, "--since-last-export", " ")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == "Error: --since-last-export needs a non-empty NAME"
