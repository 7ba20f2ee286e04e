"""Small server-side SVG charts for the dashboard: no JavaScript, no CDN, readable in any browser.

Every mark carries its numbers as `data-*` attributes and a `<title>` tooltip, so a browser test (or a
curious user) can read exactly what was drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

# Colour-blind-safe palette (Okabe-Ito, then Tol's muted); a strategy keeps its colour across charts.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#AA4499", "#882255", "#DDCC77")

WIDTH, HEIGHT = 960, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 44


def colour(index: int) -> str:
    """The colour of the series at `index` (cycling through the palette)."""
    return PALETTE[index % len(PALETTE)]


def _nice_max(value: float) -> float:
    """The axis top: four gridline steps of 1, 2, 2.5 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 4.0
    step = 10.0 ** (len(str(int(value / 4))) - 3) if value >= 4 else 1e-3
    while True:
        for m in (1, 2, 2.5, 5):
            if 4 * m * step >= value:
                return 4 * m * step
        step *= 10


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.3g}"


def _axes(parts: list[str], labels: Sequence[str], top: float, unit: str) -> None:
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):
        v = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{_fmt(v)}</text>')
    parts.append(f'<text x="12" y="{TOP + plot_h / 2:.0f}" font-size="11" transform="rotate(-90 12 '
                 f'{TOP + plot_h / 2:.0f})" text-anchor="middle">{escape(unit)}</text>')
    n = max(len(labels), 1)
    slot = (WIDTH - LEFT - RIGHT) / n
    every = max(1, int(n / 12 + 0.999))
    for i, label in enumerate(labels):
        if i % every == 0 or i == n - 1:
            x = LEFT + slot * (i + 0.5)
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                         f'font-size="11">{escape(label[5:])}</text>')


def _svg_open(chart_id: str) -> str:
    return (f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
            f'height="{HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg">')


def stacked_bars(chart_id: str, days: Sequence[str], series: dict[str, list[int]], unit: str) -> str:
    """A stacked bar per day, one colour per series (in `series` order); `series[name][i]` is day i."""
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    top = max(4.0, _nice_max(max(totals, default=0)))  # whole hits: at least one per gridline
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    bar = max(1.0, slot * 0.7)
    parts = [_svg_open(chart_id)]
    _axes(parts, days, top, unit)
    for i, day in enumerate(days):
        y: float = TOP + plot_h
        x = LEFT + slot * i + (slot - bar) / 2
        for k, (name, values) in enumerate(series.items()):
            value = values[i]
            if not value:
                continue
            h = plot_h * value / top
            y -= h
            parts.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour(k)}" data-day="{escape(day)}" data-series="{escape(name)}" data-value="{value}">'
                f'<title>{escape(day)} {escape(name)}: {value}</title></rect>'
            )
    parts.append("</svg>")
    return "".join(parts)


def line(chart_id: str, days: Sequence[str], values: Sequence[float | None], unit: str,
         notes: Sequence[str] = (), data: Sequence[dict[str, str]] = ()) -> str:
    """A line through each day's value (None: no point that day); `notes[i]` is added to its tooltip
    and `data[i]` to its attributes (as data-KEY)."""
    top = _nice_max(max((v for v in values if v is not None), default=0))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    parts = [_svg_open(chart_id)]
    _axes(parts, days, top, unit)
    points = []
    for i, (day, value) in enumerate(zip(days, values)):
        if value is None:
            continue
        x = LEFT + slot * (i + 0.5)
        y = TOP + plot_h - plot_h * value / top
        note = f" ({notes[i]})" if i < len(notes) and notes[i] else ""
        extra = "".join(f' data-{k}="{escape(v)}"' for k, v in (data[i] if i < len(data) else {}).items())
        points.append((x, y, day, value, note, extra))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, *_ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour(0)}" stroke-width="2"/>')
    for x, y, day, value, note, extra in points:
        parts.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour(0)}" '
                     f'data-day="{escape(day)}" data-value="{value:.3f}"{extra}>'
                     f'<title>{escape(day)}: {value:.1f} {escape(unit)}{escape(note)}</title></circle>')
    parts.append("</svg>")
    return "".join(parts)


def legend(names: Sequence[str], totals: Sequence[int]) -> str:
    """Coloured keys for `stacked_bars`, with each series' total."""
    items = "".join(
        f'<span class="key" data-series="{escape(n)}" data-total="{t}"><i style="background:{colour(k)}"></i>'
        f'{escape(n)} {t}</span>'
        for k, (n, t) in enumerate(zip(names, totals))
    )
    return f'<div class="legend">{items}</div>'
