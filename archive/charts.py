"""Items per month as a chart: a compact text form for the terminal, SVG or PNG files.

No plotting library: the chart is a handful of bars, axes and labels, laid out once
(:func:`layout`) and drawn either as SVG text or into an RGB raster encoded as PNG with zlib.
The PNG labels use a built-in 3×5 pixel font that has digits only (counts and years), which is
all such a chart needs; the SVG has a title too.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from regarchive.archive.errors import ChartError

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
BLOCKS = "▁▂▃▄▅▆▇█"
EMPTY = "·"

BAR_COLOR = (46, 109, 164)
GRID_COLOR = (221, 221, 221)
TEXT_COLOR = (51, 51, 51)
BACKGROUND = (255, 255, 255)

CHART_SUFFIXES = (".svg", ".png")
# Wide enough for the title when there are only a few months.
MIN_WIDTH = 360


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


# -- layout -------------------------------------------------------------------------------------


@dataclass
class Layout:
    """Where everything goes, in pixels, with y growing downwards."""

    width: int
    height: int
    left: int
    top: int
    plot_width: int
    plot_height: int
    bars: list[tuple[int, int, int, int, str, int]] = field(default_factory=list)
    ticks: list[tuple[int, int]] = field(default_factory=list)  # (value, y)
    years: list[tuple[str, int]] = field(default_factory=list)  # (year, x of its first month)


def nice_step(peak: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5 × 10^n) giving about ``ticks`` gridlines up to ``peak``."""
    raw = max(peak, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= raw:
            return max(1, int(factor * magnitude))
    return int(10 * magnitude)  # pragma: no cover - the loop always returns


def layout(series: list[tuple[str, int]], *, plot_height: int = 200) -> Layout:
    """Bars for ``series`` (see :func:`month_series`), a y axis with round ticks, years below."""
    count = max(len(series), 1)
    bar = max(4, min(24, 720 // count))
    left, top = 56, 40
    peak = max((n for _, n in series), default=0)
    step = nice_step(peak)
    axis_max = max(step, math.ceil(peak / step) * step)
    chart = Layout(
        width=max(MIN_WIDTH, left + bar * count + 24),
        height=top + plot_height + 40,
        left=left,
        top=top,
        plot_width=bar * count,
        plot_height=plot_height,
    )
    base = top + plot_height
    for value in range(0, axis_max + 1, step):
        chart.ticks.append((value, base - round(value / axis_max * plot_height)))
    for index, (month, n) in enumerate(series):
        x = left + index * bar
        height = round(n / axis_max * plot_height)
        chart.bars.append((x + 1, base - height, bar - 2, height, month, n))
        if month.endswith("-01") or index == 0:
            chart.years.append((month[:4], x))
    return chart


# -- SVG ----------------------------------------------------------------------------------------


def svg_chart(series: list[tuple[str, int]], *, title: str) -> str:
    """An SVG document: one bar per month (hover for the count), gridlines, years below."""
    chart = layout(series)
    color = "#%02x%02x%02x"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{chart.width}" '
        f'height="{chart.height}" viewBox="0 0 {chart.width} {chart.height}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{chart.width}" height="{chart.height}" fill="{color % BACKGROUND}"/>',
        f'<text x="{chart.left}" y="22" font-size="14" font-weight="bold" '
        f'fill="{color % TEXT_COLOR}">{escape(title)}</text>',
    ]
    right = chart.left + chart.plot_width
    for value, y in chart.ticks:
        parts.append(
            f'<line x1="{chart.left}" y1="{y}" x2="{right}" y2="{y}" '
            f'stroke="{color % GRID_COLOR}"/>'
        )
        parts.append(
            f'<text x="{chart.left - 6}" y="{y + 4}" text-anchor="end" '
            f'fill="{color % TEXT_COLOR}">{value}</text>'
        )
    for x, y, width, height, month, n in chart.bars:
        items = "item" if n == 1 else "items"
        parts.append(
            f'<rect x="{x}" y="{y}" width="{width}" height="{height}" '
            f'fill="{color % BAR_COLOR}"><title>{month}: {n} {items}</title></rect>'
        )
    base = chart.top + chart.plot_height
    for year, x in chart.years:
        parts.append(f'<line x1="{x}" y1="{base}" x2="{x}" y2="{base + 6}" stroke="#999999"/>')
        parts.append(f'<text x="{x + 2}" y="{base + 20}" fill="{color % TEXT_COLOR}">{year}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# -- PNG ----------------------------------------------------------------------------------------

# 3×5 pixel digits, one string of 15 bits per digit, row by row.
_DIGITS = {
    "0": "111101101101111",
    "1": "010110010010111",
    "2": "111001111100111",
    "3": "111001111001111",
    "4": "101101111001001",
    "5": "111100111001111",
    "6": "111100111101111",
    "7": "111001001001001",
    "8": "111101111101111",
    "9": "111101111001111",
}
_SCALE = 2  # font pixels per glyph pixel


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rows = [bytearray(bytes(BACKGROUND) * width) for _ in range(height)]

    def fill(self, x: int, y: int, width: int, height: int, rgb: tuple[int, int, int]) -> None:
        x0, x1 = max(0, x), min(self.width, x + width)
        if x1 <= x0:
            return
        for row in self.rows[max(0, y) : min(self.height, y + height)]:
            row[x0 * 3 : x1 * 3] = bytes(rgb) * (x1 - x0)

    def number(self, text: str, x: int, y: int, *, align_right: bool = False) -> None:
        advance = 4 * _SCALE
        if align_right:
            x -= len(text) * advance
        for index, char in enumerate(text):
            bits = _DIGITS[char]
            for bit, on in enumerate(bits):
                if on == "1":
                    px = x + index * advance + (bit % 3) * _SCALE
                    py = y + (bit // 3) * _SCALE
                    self.fill(px, py, _SCALE, _SCALE, TEXT_COLOR)

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_chart(series: list[tuple[str, int]]) -> bytes:
    """The chart of :func:`svg_chart` as a PNG image (labels are digits only: no title)."""
    chart = layout(series)
    canvas = _Canvas(chart.width, chart.height)
    for value, y in chart.ticks:
        canvas.fill(chart.left, y, chart.plot_width, 1, GRID_COLOR)
        canvas.number(str(value), chart.left - 6, y - 5, align_right=True)
    for x, y, width, height, _month, _n in chart.bars:
        canvas.fill(x, y, width, height, BAR_COLOR)
    base = chart.top + chart.plot_height
    for year, x in chart.years:
        canvas.fill(x, base, 1, 6, TEXT_COLOR)
        canvas.number(year, x + 2, base + 10)
    return canvas.png()


def write_chart(series: list[tuple[str, int]], path: str | Path, *, title: str) -> None:
    """Write the chart to ``path``, as SVG or PNG according to its suffix."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in CHART_SUFFIXES:
        raise ChartError(f"cannot tell the chart format of {target}: name it .svg or .png")
    try:
        if suffix == ".svg":
            target.write_text(svg_chart(series, title=title), encoding="utf-8")
        else:
            target.write_bytes(png_chart(series))
    except OSError as error:
        raise ChartError(f"cannot write {target}: {error.strerror or error}") from error
