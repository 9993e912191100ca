"""The fidelity results as a terminal table and as docs/FIDELITY.md, worst pages included."""

from __future__ import annotations

from typing import Any

from benchmarks.fidelity import DATE_TARGET, FIXTURE_FIELDS, WORST


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(measure, ours, reference, target) rows, the same for the terminal and the report."""
    lines: list[tuple[str, str, str, str]] = []
    dates = results["dates"]
    if dates:
        ours, hd = dates["ours"], dates["htmldate"]
        target = max(hd["accuracy"], DATE_TARGET)
        lines += [
            (
                f"dates: day right ({dates['pages']} pages)",
                f"{ours['accuracy']:.3f}",
                f"htmldate {hd['accuracy']:.3f}",
                f"≥ htmldate and ≥ {DATE_TARGET}: {_met(ours['accuracy'] >= target)}",
            ),
            (
                "dates: right / missing / wrong",
                f"{ours['right']} / {ours['missing']} / {ours['wrong']}",
                f"{hd['right']} / {hd['missing']} / {hd['wrong']}",
                "",
            ),
            (
                "dates: undated where htmldate is right",
                str(dates["ours_missing_where_htmldate_right"]),
                "",
                f"0: {_met(dates['ours_missing_where_htmldate_right'] == 0)}",
            ),
            (
                "dates: wrong where htmldate is right",
                str(dates["ours_wrong_where_htmldate_right"]),
                f"right where ours is not: {dates['ours_right_where_htmldate_not']}",
                "",
            ),
            (
                "dates: CPU per page",
                f"{dates['cpu_ms_per_page']['ours']:.1f} ms",
                f"{dates['cpu_ms_per_page']['htmldate']:.1f} ms",
                "",
            ),
        ]
    articles = results["articles"]
    if articles:
        ours, traf = articles["ours"], articles["trafilatura"]
        lines += [
            (
                f"articles: text token F1 ({articles['pages']} pages)",
                f"{ours['text_f1']:.3f}",
                f"trafilatura {traf['text_f1']:.3f}",
                f"≥ trafilatura: {_met(ours['text_f1'] >= traf['text_f1'])}",
            ),
            (
                "articles: title exact",
                f"{ours['title_exact']:.3f}",
                f"trafilatura {traf['title_exact']:.3f}",
                f"≥ trafilatura: {_met(ours['title_exact'] >= traf['title_exact'])}",
            ),
            (
                "articles: pages with F1 0.1 below trafilatura",
                str(articles["text_worse_by_0.1"]),
                "",
                "",
            ),
            (
                "articles: CPU per page",
                f"{articles['cpu_ms_per_page']['ours']:.1f} ms",
                f"{articles['cpu_ms_per_page']['trafilatura']:.1f} ms",
                "",
            ),
        ]
    for site, totals in results["fixtures"].items():
        for name in FIXTURE_FIELDS:
            reference = ""
            if name == "published":
                reference = f"htmldate {totals['htmldate_published']:.3f}"
            elif name == "title":
                reference = f"trafilatura {totals['trafilatura_title']:.3f}"
            lines.append(
                (
                    f"fixture site {site} ({totals['pages']} articles): {name}",
                    f"{totals[name]:.3f}",
                    reference,
                    f"1.0: {_met(totals[name] == 1.0)}",
                )
            )
        lines.append(
            (
                f"fixture site {site}: text token F1",
                f"{totals['text_f1']:.3f}",
                f"trafilatura {totals['trafilatura_text_f1']:.3f}",
                "",
            )
        )
    return lines


def render_table(results: dict[str, Any]) -> str:
    table = rows(results)
    widths = [max(len(row[i]) for row in table) for i in range(3)] if table else [0, 0, 0]
    out = [f"fidelity ({results['wall_s']:.0f} s)"]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out.append("  ".join([*cells, row[3]]))
    return "\n".join(out)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("|", "\\|").replace("\n", " ")[:90]


def _table(header: list[str], body: list[list[Any]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(_cell(v) for v in line) + " |" for line in body),
    ]


def render_markdown(results: dict[str, Any], page_rows: dict[str, list[dict[str, Any]]]) -> str:
    versions = ", ".join(f"{name} {v}" for name, v in results["versions"].items())
    out = [
        "# Fidelity",
        "",
        "How right the extracted fields are on pages nobody on this project wrote, ours beside",
        "htmldate (dates) and trafilatura (text, titles) on the same bytes in the same run.",
        "Written by `python -m benchmarks fidelity` (see `benchmarks/fidelity.py` for the",
        "method: corpora, metrics, options of the reference libraries); CI runs `--quick` as a",
        "smoke check.",
        "",
        f"Run {results['when']} ({versions}), {results['wall_s']:.0f} s; "
        f"corpora: `{results['corpora']}`.",
        "",
        "## Totals",
        "",
        *_table(["measure", "ours", "reference", "target"], [list(r) for r in rows(results)]),
        "",
    ]
    dates = results["dates"]
    if dates:
        out += [
            "## Dates: which reader gave the published day",
            "",
            *_table(
                ["source", "pages", "right"],
                [[s, v["pages"], v["right"]] for s, v in dates["sources"].items()],
            ),
            "",
            "## Dates: every page we get wrong or leave undated",
            "",
            *_table(
                ["page", "gold", "ours", "source", "htmldate"],
                [
                    [r["page"], r["gold"], r["ours"] or "—", r["ours_source"] or "", r["htmldate"]]
                    for r in page_rows["dates"]
                    if r["ours_status"] != "right"
                ],
            ),
            "",
        ]
    if results["articles"]:
        worst = sorted(page_rows["articles"], key=lambda r: r["f1_ours"] - r["f1_traf"])[:WORST]
        out += [
            f"## Articles: the {WORST} pages where our text loses most against trafilatura",
            "",
            *_table(
                ["page", "F1 ours", "F1 trafilatura", "words gold / ours / trafilatura"],
                [
                    [
                        r["page"],
                        f"{r['f1_ours']:.3f}",
                        f"{r['f1_traf']:.3f}",
                        f"{r['words_gold']} / {r['words_ours']} / {r['words_traf']}",
                    ]
                    for r in worst
                ],
            ),
            "",
            "## Articles: titles we get wrong",
            "",
            *_table(
                ["page", "expected", "ours", "trafilatura"],
                [
                    [r["page"], r["gold_title"], r["ours_title"], r["traf_title"]]
                    for r in page_rows["articles"]
                    if not r["ours_title_ok"]
                ],
            ),
            "",
        ]
    wrong = [
        [r["site"], r["page"], name, r[f"{name}_gold"], r[f"{name}_ours"]]
        for r in page_rows["fixtures"]
        for name in FIXTURE_FIELDS
        if not r[f"{name}_ok"]
    ]
    out += [
        "## Fixture sites: every field we get wrong",
        "",
        *(_table(["site", "page", "field", "expected", "ours"], wrong) if wrong else ["None."]),
        "",
    ]
    return "\n".join(out)
