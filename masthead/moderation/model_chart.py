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


def confusion_svg(
    confusion: Mapping[str, Any], *, title: str = "Confusion on held-out decisions"
) -> SafeString:
    """A confusion matrix as a grid of shaded cells (rows = the moderators' label, columns =
    the model's), from ``{"labels": [...], "matrix": [[int, ...], ...]}``."""
    labels = (
        [str(x) for x in confusion.get("labels") or []] if isinstance(confusion, Mapping) else []
    )
    matrix = confusion.get("matrix") if isinstance(confusion, Mapping) else None
    n = len(labels)
    cell, left, top = 44, 120, 100
    width, height = left + cell * max(n, 1) + 20, top + cell * max(n, 1) + 30
    body: list[str] = [f'<text x="8" y="16" font-weight="bold">{escape(title)}</text>']
    rows: list[list[int]] = []
    if isinstance(matrix, Sequence) and len(matrix) == n:
        for row in matrix:
            if not isinstance(row, Sequence) or len(row) != n:
                rows = []
                break
            rows.append([int(v) if isinstance(v, int | float) and v >= 0 else 0 for v in row])
    if not rows:
        body.append('<text x="8" y="44">No confusion counts recorded for this version.</text>')
        return _svg(max(width, 320), 60, title, body)
    body.append(
        f'<text x="{_f(left + cell * n / 2)}" y="32" text-anchor="middle">model says</text>'
        f'<text x="8" y="{_f(top - 8)}">moderators said</text>'
    )
    for j, label in enumerate(labels):
        x = left + j * cell + cell / 2
        body.append(
            f'<text x="{_f(x)}" y="{top - 6}" text-anchor="start" '
            f'transform="rotate(-45 {_f(x)} {top - 6})">{escape(label)}</text>'
        )
    for i, row in enumerate(rows):
        total = sum(row) or 1
        y = top + i * cell
        body.append(
            f'<text x="{left - 6}" y="{_f(y + cell / 2 + 4)}" text-anchor="end">'
            f"{escape(labels[i])}</text>"
        )
        for j, count in enumerate(row):
            share = count / total
            fill = "#007d7e" if i == j else "#cd4444"
            body.append(
                f'<rect x="{left + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{fill}" fill-opacity="{0.08 + 0.9 * share:.2f}">'
                f"<title>{escape(labels[i])} judged {escape(labels[j])}: {count}</title></rect>"
                f'<text x="{_f(left + j * cell + cell / 2 - 1)}" y="{_f(y + cell / 2 + 4)}" '
                f'text-anchor="middle">{count}</text>'
            )
    return _svg(width, height, title, body)
