"""Small server-rendered SVG charts (no JavaScript, no CDN): bars and lines with labels."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#2563eb", "#16a34a", "#f59e0b", "#db2777", "#7c3aed", "#0891b2")


def bars(items: Sequence[tuple[str, float]], *, title: str, width: int = 520, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value)."""
    row, label_w = 26, 150
    height = max(1, len(items)) * row + 30
    top = max((v for _l, v in items), default=0) or 1
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, value) in enumerate(items):
        y = 20 + i * row
        w = (width - label_w - 70) * (value / top)
        parts.append(f'<text x="0" y="{y + 14}" class="lbl">{escape(str(label))[:24]}</text>'
                     f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="18" rx="3" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(str(label))}: {value:g}{unit}</title></rect>'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" class="val">{value:g}{unit}</text>')
    if not items:
        parts.append('<text x="0" y="20" class="lbl">No data in this period</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def lines(labels: Sequence[str], series: dict[str, Sequence[float]], *, title: str, width: int = 620,
          height: int = 220) -> Markup:
    """One line per series over the same x labels (days), with a legend."""
    left, bottom, top_pad = 40, 30, 24
    n = max(1, len(labels) - 1)
    peak = max((max(v, default=0) for v in series.values()), default=0) or 1
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    parts = [f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" y2="{top_pad + plot_h}" class="axis"/>',
             f'<text x="0" y="{top_pad + 8}" class="val">{peak:g}</text>']
    for i, (name, values) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        points = " ".join(f"{left + plot_w * j / n:.1f},{top_pad + plot_h * (1 - v / peak):.1f}"
                          for j, v in enumerate(values))
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{points}">'
                     f'<title>{escape(name)}</title></polyline>')
        parts.append(f'<rect x="{left + i * 120}" y="4" width="10" height="10" fill="{color}"/>'
                     f'<text x="{left + 14 + i * 120}" y="13" class="lbl">{escape(name)}</text>')
    if labels:
        parts.append(f'<text x="{left}" y="{height - 8}" class="lbl">{escape(labels[0])}</text>'
                     f'<text x="{width - 10}" y="{height - 8}" text-anchor="end" class="lbl">'
                     f'{escape(labels[-1])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
