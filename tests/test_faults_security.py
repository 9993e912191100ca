"""Checked on the source: no SQL formatted from input, one safe XML parser, docs up to date.

These read the code rather than run it, so that a change that breaks a rule fails here and gets
reviewed, whoever makes it. The behaviour itself (hostile strings stored as data, entities never
expanded, no server-given file name) is tested in tests/test_faults_content.py.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "pipelines", "scraper")
SQL_METHODS = frozenset({"execute", "executemany", "executescript", "query", "rows_where"})
# Names interpolated into SQL text, reviewed one by one: none comes from user input.
REVIEWED = {
    ("archive/schema.py", "target"): "the migration number (an int from enumerate)",
    ("archive/item_reads.py", "column"): "a column name from summary()'s own literal arguments",
    ("archive/writes.py", "marks"): "'?, ?, …' placeholders, one per URL",
    ("archive/reextraction.py", "marks"): "'?, ?, …' placeholders, one per item id of a batch",
    ("archive/items.py", "marks"): "'?, ?, …' placeholders, one per URL",
    ("archive/pages.py", "marks"): "'?, ?, …' placeholders, one per URL",
    ("archive/item_reads.py", "where"): "one of two literal ORDER BY clauses",
    ("archive/page_hints.py", "marks"): "'?, ?, …' placeholders, one per URL",
}
XML_MODULES = ("xml.etree", "xml.dom", "xml.sax", "xml.parsers", "xmlrpc", "feedparser")
XML_CALLS = frozenset({"XMLParser", "XML", "fromstring", "parse", "iterparse", "XMLPullParser"})
# Scrapy's and feedparser's XML readers, which leave entity handling to their defaults.
XML_FROM_MODULES = frozenset({"lxml.etree", "scrapy.utils.sitemap", "scrapy.utils.iterators"})
XML_HELPERS = frozenset({"Sitemap", "xmliter", "xmliter_lxml"})
SAFE_XML_READER = "scraper/discovery/xml_reader.py"
SAFE_XML_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
}


def sources() -> list[tuple[str, ast.AST]]:
    return [
        (path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    ]


def interpolated_names(node: ast.expr) -> list[str]:
    """The names whose values end up inside the SQL text of ``node``."""
    if isinstance(node, ast.JoinedStr):
        return [n.id for part in node.values for n in ast.walk(part) if isinstance(n, ast.Name)]
    if isinstance(node, ast.BinOp):
        return interpolated_names(node.left) + interpolated_names(node.right)
    if isinstance(node, ast.Call):  # "…{}".format(x), " AND ".join(parts)…
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        return [n.id for arg in arguments for n in ast.walk(arg) if isinstance(n, ast.Name)]
    if isinstance(node, ast.Name):
        return [node.id]
    return []


def test_no_sql_is_formatted_from_user_input() -> None:
    unreviewed = []
    for name, tree in sources():
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in SQL_METHODS
                and node.args
            ):
                continue
            sql = node.args[0]
            if isinstance(sql, ast.Name | ast.Constant | ast.Attribute | ast.IfExp):
                continue  # a literal, or SQL built elsewhere (a module constant, queries.Sql)
            for used in interpolated_names(sql):
                if used.isupper() or (name, used) in REVIEWED:
                    continue  # module constants hold literal SQL
                unreviewed.append(f"{name}:{node.lineno}: {used}")
    assert not unreviewed, "SQL text built from unreviewed values: " + ", ".join(unreviewed)


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def _safe_xml_call(node: ast.Call) -> bool:
    """An lxml parser that expands no entity and fetches nothing, or a parse given one."""
    keywords = {k.arg: k.value for k in node.keywords}
    if node.func.attr == "XMLParser":  # type: ignore[attr-defined]
        return all(
            isinstance(keywords.get(name), ast.Constant) and keywords[name].value is value
            for name, value in (("resolve_entities", False), ("no_network", True))
        )
    return "parser" in keywords


def test_xml_is_parsed_only_with_entities_and_network_off() -> None:
    """Sitemaps and feeds (scraper/discovery/xml_reader.py, the one reader of them) and
    attached office documents (pipelines/documents/office.py) are the only XML parsed: with
    lxml, entity expansion and network access off (the sitemap reader: DTD loading off and
    libxml2's limits on too); HTML goes through lxml.html, which expands no entity. Any other
    XML parser (the standard library's, Scrapy's sitemap reader, feedparser) fails this test."""
    found = []
    safe_calls = 0
    for name, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                modules += [alias.name for alias in node.names]
                found += [f"{name}: import {m}" for m in modules if m.startswith(XML_MODULES)]
                if isinstance(node, ast.ImportFrom) and node.module in XML_FROM_MODULES:
                    found += [
                        f"{name}: from {node.module} import {alias.name}"
                        for alias in node.names
                        if alias.name in XML_CALLS | XML_HELPERS
                    ]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in XML_CALLS
                and _dotted(node.func.value).endswith("etree")
            ):
                keywords = {
                    k.arg: k.value.value for k in node.keywords if isinstance(k.value, ast.Constant)
                }
                if name == SAFE_XML_READER:
                    if keywords.items() >= SAFE_XML_OPTIONS.items():
                        safe_calls += 1
                    else:
                        found.append(f"{name}:{node.lineno}: etree.{node.func.attr}")
                elif not _safe_xml_call(node):
                    found.append(f"{name}:{node.lineno}: etree.{node.func.attr}")
    assert not found, found
    assert safe_calls == 1  # the reader itself is still found by this test


def test_every_test_named_in_the_reliability_table_exists() -> None:
    """docs/RELIABILITY.md cannot point at a test that was renamed or removed."""
    doc = (ROOT / "docs" / "RELIABILITY.md").read_text(encoding="utf-8")
    named: list[tuple[str, str]] = []
    for cell in re.findall(r"`(tests/[\w/]+\.py)::(\w+)`((?:, `::\w+`)*)", doc):
        module, first, more = cell
        named += [(module, first), *((module, name) for name in re.findall(r"::(\w+)", more))]
    assert len(named) > 50
    missing = [
        f"{module}::{name}"
        for module, name in named
        if not re.search(rf"^def {name}\(", (ROOT / module).read_text(encoding="utf-8"), re.M)
    ]
    assert not missing, missing
