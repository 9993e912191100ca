"""Items over time as a chart: a compact text grid for the terminal, SVG or PNG files.

The chart stacks one bar per period (month, or year when months would be mostly empty) by
category, under a title that says what was counted and which filters selected the items, with
labelled axes and a legend. SVG is written here, as text, with no dependency; PNG is drawn by
matplotlib, an optional extra (``pip install 'regarchive[charts]'``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import Any

from regarchive.archive.errors import ChartError
from regarchive.archive.queries import Filters

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BLOCKS = "▁▂▃▄▅▆▇█"
EMPTY = "·"

# One colour per category, then a fixed palette for others; grey for items without one.
CATEGORY_COLORS = {"Actu": "#2e6da4", "Circ.": "#e08a1e"}
PALETTE = ("#3a9a5b", "#8e5ea2", "#c0504d", "#4bacc6", "#7f6000")
NO_CATEGORY_COLOR = "#a6a6a6"
GRID_COLOR = "#dddddd"
TEXT_COLOR = "#333333"
MUTED_COLOR = "#666666"

CHART_SUFFIXES = (".svg", ".png")
# Months are shown one bar each unless the span is longer than this and most of its months
# are empty: then a bar per year reads better than a barcode of thin, lonely bars.
MAX_SPARSE_MONTHS = 24
MIN_WIDTH = 480


@dataclass(frozen=True)
class Words:
    """What a chart says, in one language (``{unit}``: a word of ``units``; ``{name}``: the
    archive's file name; ``{n}``: a count)."""

    title: str = "Items published per {unit}: {name}"
    units: tuple[tuple[str, str], ...] = (("month", "month"), ("year", "year"))
    x_label: str = "{unit} of publication"
    y_label: str = "items"
    no_category: str = "no category"
    all_items: str = "all items"
    undated_one: str = "1 item undated, not shown"
    undated_many: str = "{n} items undated, not shown"
    tooltip: str = "{period}, {category}: {n} of {total}"


ENGLISH = Words()
# For the web view, whose pages are in French.
FRENCH = Words(
    title="Articles publiés par {unit}",
    units=(("month", "mois"), ("year", "année")),
    x_label="{unit} de publication",
    y_label="articles",
    no_category="sans catégorie",
    all_items="tous les articles",
    undated_one="1 article sans date, non montré",
    undated_many="{n} articles sans date, non montrés",
    tooltip="{period}, {category} : {n} sur {total}",
)


def month_series(by_month: Mapping[str | None, int]) -> list[tuple[str, int]]:
    """``(YYYY-MM, count)`` for every month from the first to the last, zeros included.

    Keys that are not ``YYYY-MM`` (None for undated items) are left out.
    """
    months = sorted(key for key in by_month if key and _is_month(key))
    if not months:
        return []
    series = []
    year, month = (int(part) for part in months[0].split("-"))
    last = months[-1]
    while True:
        key = f"{year:04d}-{month:02d}"
        series.append((key, int(by_month.get(key, 0))))
        if key >= last:
            return series
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _is_month(key: str) -> bool:
    year, _, month = key.partition("-")
    return len(year) == 4 and year.isdigit() and month.isdigit() and 1 <= int(month) <= 12


# -- text ---------------------------------------------------------------------------------------


def spark(count: int, peak: int) -> str:
    """One character for ``count`` on a scale up to ``peak``: ``·`` for none, ``▁``…``█``."""
    if count <= 0 or peak <= 0:
        return EMPTY
    return BLOCKS[max(1, math.ceil(count / peak * len(BLOCKS))) - 1]


def year_grid(series: list[tuple[str, int]]) -> list[str]:
    """Counts per month, one line per year, each ending with a bar per month.

    ::

        year  Jan Feb … Dec  total  chart
        2024    3   · …   1     12  ▃·▅▁··█▂·▃·▁
    """
    if not series:
        return []
    by_month = dict(series)
    peak = max(count for _, count in series)
    years = sorted({int(key[:4]) for key, _ in series})
    header = "year  " + " ".join(f"{name:>3}" for name in MONTH_NAMES) + "  total  chart"
    lines = [header]
    for year in years:
        counts = [by_month.get(f"{year:04d}-{month:02d}", 0) for month in range(1, 13)]
        cells = " ".join(f"{count or EMPTY:>3}" for count in counts)
        bars = "".join(spark(count, peak) for count in counts)
        lines.append(f"{year}  {cells}  {sum(counts):>5}  {bars}")
    return lines


# -- what the chart shows ------------------------------------------------------------------------


@dataclass
class Chart:
    """Counts per period, one row of counts per category (stacked in this order).

    ``unit`` is ``month`` (periods ``YYYY-MM``) or ``year`` (periods ``YYYY``); ``subtitle``
    says which items were counted (the filters); ``undated`` items have no bar.
    """

    title: str
    subtitle: str
    unit: str
    periods: list[str]
    stacks: dict[str, list[int]] = field(default_factory=dict)
    undated: int = 0
    words: Words = ENGLISH

    def totals(self) -> list[int]:
        return [sum(counts) for counts in zip(*self.stacks.values(), strict=True)] or [
            0 for _ in self.periods
        ]

    @property
    def x_label(self) -> str:
        return self.words.x_label.format(unit=dict(self.words.units)[self.unit])

    def color(self, category: str) -> str:
        if category == self.words.no_category:
            return NO_CATEGORY_COLOR
        if category in CATEGORY_COLORS:
            return CATEGORY_COLORS[category]
        others = [name for name in self.stacks if name not in CATEGORY_COLORS]
        return PALETTE[others.index(category) % len(PALETTE)]


def build_chart(
    by_category: Mapping[str | None, Mapping[str | None, int]],
    *,
    name: str = "",
    subtitle: str | None = None,
    words: Words = ENGLISH,
) -> Chart:
    """A :class:`Chart` from items per month (``YYYY-MM`` or None) for each category (None:
    no category), months grouped into years when they would be mostly empty bars; ``name``
    (the archive's) ends the title."""
    total: dict[str | None, int] = {}
    for by_month in by_category.values():
        for month, count in by_month.items():
            total[month] = total.get(month, 0) + count
    months = [month for month, _ in month_series(total)]
    filled = sum(1 for month in months if total.get(month))
    unit = "year" if len(months) > MAX_SPARSE_MONTHS and filled < len(months) / 2 else "month"
    periods = months
    if unit == "year":
        periods = [str(year) for year in range(int(months[0][:4]), int(months[-1][:4]) + 1)]
    title = words.title.format(unit=dict(words.units)[unit], name=name)
    chart = Chart(
        title=title,
        subtitle=words.all_items if subtitle is None else subtitle,
        unit=unit,
        periods=periods,
        words=words,
    )
    chart.undated = sum(
        count for month, count in total.items() if not month or not _is_month(month)
    )
    order = sorted(by_category, key=lambda name: (name is None, name not in CATEGORY_COLORS, name))
    for category in order:
        counts = dict.fromkeys(periods, 0)
        for month, count in by_category[category].items():
            if month and _is_month(month):
                counts[month[:4] if unit == "year" else month] += count
        if any(counts.values()):
            chart.stacks[category if category else words.no_category] = list(counts.values())
    return chart


def months_by_category(
    facets: Callable[[Filters], Mapping[str, Any]],
    filters: Filters,
    counts: Mapping[str, Any] | None = None,
) -> dict[str | None, Mapping[str | None, int]]:
    """Items per month for each category present under ``filters`` (None: no category), for
    :func:`build_chart`; ``facets`` is ``Archive.facets``, ``counts`` its answer for
    ``filters`` when already known."""
    counts = counts if counts is not None else facets(filters)
    by_category: dict[str | None, Mapping[str | None, int]] = {}
    for name in counts["by_category"]:
        if name not in (None, ""):
            by_category[name] = facets(replace(filters, categories=(name,)))["by_month"]
    # Items without a category: what the named ones leave of each month.
    rest = dict(counts["by_month"])
    for by_month in by_category.values():
        for month, n in by_month.items():
            rest[month] = rest.get(month, 0) - n
    by_category[None] = {month: n for month, n in rest.items() if n > 0}
    return by_category


# -- layout -------------------------------------------------------------------------------------


def nice_step(peak: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10^n) giving about ``ticks`` gridlines up to ``peak``."""
    raw = max(peak, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return max(1, int(factor * magnitude))
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


@dataclass
class Layout:
    """Where everything goes, in pixels, with y growing downwards."""

    width: int
    height: int
    left: int
    top: int
    bar: int  # horizontal room of one period
    plot_height: int
    axis_max: int
    ticks: list[tuple[int, int]] = field(default_factory=list)  # (value, y)

    @property
    def base(self) -> int:
        return self.top + self.plot_height

    def y(self, value: float) -> int:
        return self.base - round(value / self.axis_max * self.plot_height)


def layout(chart: Chart, *, plot_height: int = 200) -> Layout:
    count = max(len(chart.periods), 1)
    bar = max(4, min(40 if chart.unit == "year" else 24, 720 // count))
    left, top = 64, 78
    peak = max(chart.totals(), default=0)
    step = nice_step(peak)
    axis_max = max(step, math.ceil(peak / step) * step)
    placed = Layout(
        width=max(MIN_WIDTH, left + bar * count + 150),
        height=top + plot_height + 64,
        left=left,
        top=top,
        bar=bar,
        plot_height=plot_height,
        axis_max=axis_max,
    )
    for value in range(0, axis_max + 1, step):
        placed.ticks.append((value, placed.y(value)))
    return placed


# -- SVG ----------------------------------------------------------------------------------------


def svg_chart(chart: Chart) -> str:
    """An SVG document: stacked bars (hover for the counts), gridlines, axis labels, legend."""
    box = layout(chart)
    right = box.left + box.bar * len(chart.periods)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{box.width}" height="{box.height}" '
        f'viewBox="0 0 {box.width} {box.height}" font-family="sans-serif" font-size="12">',
        f'<rect width="{box.width}" height="{box.height}" fill="#ffffff"/>',
        f'<text x="{box.left}" y="24" font-size="15" font-weight="bold" '
        f'fill="{TEXT_COLOR}">{escape(chart.title)}</text>',
        f'<text x="{box.left}" y="44" fill="{MUTED_COLOR}">{escape(_subtitle(chart))}</text>',
    ]
    for value, y in box.ticks:
        parts.append(
            f'<line x1="{box.left}" y1="{y}" x2="{right}" y2="{y}" stroke="{GRID_COLOR}"/>'
        )
        parts.append(
            f'<text x="{box.left - 6}" y="{y + 4}" text-anchor="end" '
            f'fill="{TEXT_COLOR}">{value}</text>'
        )
    middle = box.top + box.plot_height // 2
    parts.append(
        f'<text x="16" y="{middle}" text-anchor="middle" fill="{TEXT_COLOR}" '
        f'transform="rotate(-90 16 {middle})">{escape(chart.words.y_label)}</text>'
    )
    totals = chart.totals()
    for index, period in enumerate(chart.periods):
        x = box.left + index * box.bar + 1
        below = 0
        for category, counts in chart.stacks.items():
            n = counts[index]
            if not n:
                continue
            top, bottom = box.y(below + n), box.y(below)
            parts.append(
                f'<rect x="{x}" y="{top}" width="{box.bar - 2}" height="{bottom - top}" '
                f'fill="{chart.color(category)}"><title>'
                + escape(
                    chart.words.tooltip.format(
                        period=period, category=category, n=n, total=totals[index]
                    )
                )
                + "</title></rect>"
            )
            below += n
    parts += _svg_period_labels(chart, box)
    center = box.left + (right - box.left) // 2
    parts.append(
        f'<text x="{center}" y="{box.base + 42}" text-anchor="middle" '
        f'fill="{TEXT_COLOR}">{escape(chart.x_label)}</text>'
    )
    legend_x, legend_y = right + 16, box.top + 4
    for row, category in enumerate(chart.stacks):
        y = legend_y + row * 18
        total = sum(chart.stacks[category])
        parts.append(
            f'<rect x="{legend_x}" y="{y}" width="12" height="12" fill="{chart.color(category)}"/>'
        )
        parts.append(
            f'<text x="{legend_x + 18}" y="{y + 10}" fill="{TEXT_COLOR}">'
            f"{escape(category)} ({total})</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _subtitle(chart: Chart) -> str:
    words = chart.words
    if not chart.undated:
        return chart.subtitle
    undated = words.undated_one if chart.undated == 1 else words.undated_many
    return f"{chart.subtitle}; {undated.format(n=chart.undated)}"


def _svg_period_labels(chart: Chart, box: Layout) -> list[str]:
    """Every year under its bar; for months, each year under its first month."""
    parts = []
    for index, period in enumerate(chart.periods):
        x = box.left + index * box.bar
        if chart.unit == "year":
            parts.append(
                f'<text x="{x + box.bar // 2}" y="{box.base + 16}" text-anchor="middle" '
                f'fill="{TEXT_COLOR}">{period}</text>'
            )
        elif period.endswith("-01") or index == 0:
            parts.append(
                f'<line x1="{x}" y1="{box.base}" x2="{x}" y2="{box.base + 6}" stroke="#999999"/>'
            )
            parts.append(
                f'<text x="{x + 2}" y="{box.base + 20}" fill="{TEXT_COLOR}">{period[:4]}</text>'
            )
    return parts


# -- PNG ----------------------------------------------------------------------------------------


def png_chart(chart: Chart, target: Path) -> None:
    """The chart of :func:`svg_chart` drawn by matplotlib into a PNG file."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: never a window, works without a display
        from matplotlib import pyplot
    except ImportError:
        raise ChartError(
            "a PNG chart needs matplotlib: pip install 'regarchive[charts]', or name the chart .svg"
        ) from None
    figure, axes = pyplot.subplots(figsize=(max(6.0, 2.5 + 0.3 * len(chart.periods)), 4), dpi=100)
    try:
        positions = list(range(len(chart.periods)))
        below = [0] * len(chart.periods)
        for category, counts in chart.stacks.items():
            axes.bar(
                positions,
                counts,
                bottom=below,
                color=chart.color(category),
                label=f"{category} ({sum(counts)})",
                width=0.8,
            )
            below = [b + n for b, n in zip(below, counts, strict=True)]
        figure.suptitle(chart.title, x=0.02, ha="left", fontweight="bold")
        axes.set_title(_subtitle(chart), loc="left", fontsize=9, color=MUTED_COLOR)
        axes.set_xlabel(chart.x_label)
        axes.set_ylabel(chart.words.y_label)
        axes.yaxis.get_major_locator().set_params(integer=True)
        shown = [
            (position, period if chart.unit == "year" else period[:4])
            for position, period in zip(positions, chart.periods, strict=True)
            if chart.unit == "year" or period.endswith("-01") or position == 0
        ]
        axes.set_xticks([p for p, _ in shown], [label for _, label in shown])
        axes.grid(axis="y", color=GRID_COLOR)
        axes.set_axisbelow(True)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        if chart.stacks:
            axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        figure.tight_layout()
        figure.savefig(target, format="png")
    finally:
        pyplot.close(figure)


def write_chart(chart: Chart, path: str | Path) -> None:
    """Write the chart to ``path``, as SVG or PNG according to its suffix."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ChartError(f"cannot tell the chart format of {target}: name it .svg or .png")
    try:
        if suffix == ".svg":
            target.write_text(svg_chart(chart), encoding="utf-8")
        else:
            png_chart(chart, target)
    except OSError as error:
        raise ChartError(f"cannot write {target}: {error.strerror or error}") from error
