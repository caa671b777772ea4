"""Server-rendered SVG charts of a guidelines model's held-out figures.

Two charts, no JavaScript and no chart library:

* :func:`metrics_bars_svg` -- precision, recall and F1 per category as grouped bars;
* :func:`pr_curve_svg` -- one precision-recall curve per category, with the point at the
  category's current threshold marked.

Every piece of text that comes from data (category names, titles) is HTML-escaped, and
every number is formatted from a float, so the markup is safe to put straight into a page.
Missing or malformed figures are skipped rather than raising: a chart with a gap beats an
admin page that fails.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

#: Colour per metric in the bar chart (Wagtail-like, readable on white, distinct in grey).
METRIC_COLOURS = {"precision": "#007d7e", "recall": "#e9b04d", "f1": "#2e1f5e"}
#: Colours for the curves, cycled.
CURVE_COLOURS = ("#007d7e", "#cd4444", "#2e1f5e", "#e9b04d", "#1d7a3a", "#8a4baf", "#555555")


def _num(value: Any) -> float | None:
    """``value`` as a float in [0, 1], or None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    return min(1.0, max(0.0, value))


def _f(value: float) -> str:
    """A coordinate for SVG: short, locale-free."""
    return f"{value:.1f}"


def _svg(width: int, height: int, title: str, body: list[str]) -> SafeString:
    title_e = escape(title)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="moderation-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="12">'
        f"<title>{title_e}</title>"
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every text piece escaped


def _y_axis(x0: float, y0: float, height: float, width: float) -> list[str]:
    """Horizontal grid lines at 0, .25, .5, .75, 1 with labels on the left."""
    out = []
    for i in range(5):
        v = i / 4
        y = y0 + height - v * height
        out.append(
            f'<line x1="{_f(x0)}" y1="{_f(y)}" x2="{_f(x0 + width)}" y2="{_f(y)}" '
            f'stroke="#ddd" stroke-width="1"/>'
            f'<text x="{_f(x0 - 6)}" y="{_f(y + 4)}" text-anchor="end">{v:.2f}</text>'
        )
    return out


def metrics_bars_svg(
    metrics: Mapping[str, Mapping[str, Any]], *, title: str = "Held-out precision, recall, F1"
) -> SafeString:
    """Grouped bars of ``{category: {"precision": p, "recall": r, "f1": f}}``.

    Values outside [0, 1] are clipped; missing ones draw no bar. An empty mapping gives a
    small chart that says there are no figures.
    """
    cats = [str(c) for c in metrics]
    group_w, bar_w, left, top, plot_h = 84, 20, 48, 28, 200
    width = max(320, left + 16 + group_w * max(1, len(cats)))
    height = top + plot_h + 64
    body = _y_axis(left, top, plot_h, width - left - 16)
    if not cats:
        body.append(
            f'<text x="{_f(width / 2)}" y="{_f(top + plot_h / 2)}" text-anchor="middle">'
            "No held-out figures recorded.</text>"
        )
    for i, cat in enumerate(cats):
        figures = metrics.get(cat) or {}
        gx = left + 12 + i * group_w
        for j, name in enumerate(("precision", "recall", "f1")):
            value = _num(figures.get(name)) if isinstance(figures, Mapping) else None
            if value is None:
                continue
            h = value * plot_h
            x = gx + j * (bar_w + 2)
            body.append(
                f'<rect x="{_f(x)}" y="{_f(top + plot_h - h)}" width="{bar_w}" '
                f'height="{_f(h)}" fill="{METRIC_COLOURS[name]}">'
                f"<title>{escape(cat)} {name}: {value:.3f}</title></rect>"
            )
        body.append(
            f'<text x="{_f(gx + 32)}" y="{_f(top + plot_h + 16)}" text-anchor="middle">'
            f"{escape(cat)}</text>"
        )
    ly = top + plot_h + 44
    for j, name in enumerate(("precision", "recall", "f1")):
        lx = left + j * 110
        body.append(
            f'<rect x="{_f(lx)}" y="{_f(ly - 10)}" width="12" height="12" '
            f'fill="{METRIC_COLOURS[name]}"/>'
            f'<text x="{_f(lx + 16)}" y="{_f(ly)}">{"F1" if name == "f1" else name}</text>'
        )
    body.append(f'<text x="{left}" y="16" font-weight="bold">{escape(title)}</text>')
    return _svg(width, height, title, body)


def curve_points(raw: Any) -> list[tuple[float, float, float | None]]:
    """Normalise one category's curve to ``[(recall, precision, threshold|None), ...]``.

    Accepts dicts with ``recall``/``precision`` (and optionally ``threshold``) or
    ``[recall, precision]`` / ``[recall, precision, threshold]`` lists; drops bad points and
    sorts by recall.
    """
    out: list[tuple[float, float, float | None]] = []
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        return out
    for point in raw:
        if isinstance(point, Mapping):
            r, p, t = point.get("recall"), point.get("precision"), point.get("threshold")
        elif isinstance(point, Sequence) and not isinstance(point, str) and len(point) >= 2:
            r, p = point[0], point[1]
            t = point[2] if len(point) > 2 else None
        else:
            continue
        rn, pn = _num(r), _num(p)
        if rn is None or pn is None:
            continue
        out.append((rn, pn, _num(t)))
    out.sort(key=lambda x: (x[0], -x[1]))
    return out


def _closest(points: list[tuple[float, float, float | None]], threshold: float) -> Any:
    with_t = [pt for pt in points if pt[2] is not None]
    if not with_t:
        return None
    return min(with_t, key=lambda pt: abs((pt[2] or 0.0) - threshold))


def pr_curve_svg(
    curves: Mapping[str, Any],
    thresholds: Mapping[str, float] | None = None,
    *,
    title: str = "Precision-recall on held-out decisions",
) -> SafeString:
    """One precision-recall line per category, recall on x and precision on y.

    ``curves`` maps category → points (see :func:`curve_points`). When ``thresholds`` gives
    the category's threshold and the points carry thresholds, the nearest point is circled.
    """
    left, top, plot_w, plot_h = 48, 28, 360, 240
    legend_x = left + plot_w + 20
    width, height = legend_x + 160, top + plot_h + 48
    body = _y_axis(left, top, plot_h, plot_w)
    for i in range(5):
        v = i / 4
        x = left + v * plot_w
        body.append(
            f'<line x1="{_f(x)}" y1="{top}" x2="{_f(x)}" y2="{top + plot_h}" stroke="#eee"/>'
            f'<text x="{_f(x)}" y="{top + plot_h + 16}" text-anchor="middle">{v:.2f}</text>'
        )
    body.append(
        f'<text x="{_f(left + plot_w / 2)}" y="{top + plot_h + 36}" text-anchor="middle">'
        "recall</text>"
        f'<text x="12" y="{_f(top + plot_h / 2)}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_f(top + plot_h / 2)})">precision</text>'
    )
    drawn = 0
    for i, (cat, raw) in enumerate(curves.items()):
        points = curve_points(raw)
        if not points:
            continue
        colour = CURVE_COLOURS[i % len(CURVE_COLOURS)]
        coords = " ".join(
            f"{_f(left + r * plot_w)},{_f(top + plot_h - p * plot_h)}" for r, p, _t in points
        )
        name = escape(str(cat))
        body.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{name}</title></polyline>"
        )
        threshold = (thresholds or {}).get(str(cat))
        marked = _closest(points, threshold) if isinstance(threshold, int | float) else None
        if marked is not None:
            r, p, t = marked
            body.append(
                f'<circle cx="{_f(left + r * plot_w)}" cy="{_f(top + plot_h - p * plot_h)}" '
                f'r="5" fill="none" stroke="{colour}" stroke-width="2">'
                f"<title>{name} at threshold {t:.2f}: precision {p:.3f}, recall {r:.3f}</title>"
                "</circle>"
            )
        ly = top + 12 + drawn * 18
        body.append(
            f'<line x1="{legend_x}" y1="{ly - 4}" x2="{legend_x + 18}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="3"/>'
            f'<text x="{legend_x + 24}" y="{ly}">{name}</text>'
        )
        drawn += 1
    if not drawn:
        body.append(
            f'<text x="{_f(left + plot_w / 2)}" y="{_f(top + plot_h / 2)}" '
            'text-anchor="middle">No curve recorded for this version.</text>'
        )
    body.append(f'<text x="{left}" y="16" font-weight="bold">{escape(title)}</text>')
    return _svg(width, height, title, body)
