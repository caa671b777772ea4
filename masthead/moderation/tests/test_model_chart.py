"""The server-rendered SVG charts: well-formed, escaped, tolerant of bad figures."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from masthead.moderation import model_chart

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '<script>alert("x")</script> & "quotes"'


def parse(svg: str) -> ET.Element:
    """Parse as XML: proves the markup is well-formed (escaped text cannot break it)."""
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def test_bars_one_rect_per_figure_with_heights_from_values() -> None:
    svg = model_chart.metrics_bars_svg(
        {"abusive": {"precision": 0.5, "recall": 1.0, "f1": 0.25}, "spam": {"f1": 0.75}}
    )
    root = parse(svg)
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    heights = {r.find(f"{SVG}title").text: float(r.get("height")) for r in bars}
    assert heights == {
        "abusive precision: 0.500": 100.0,
        "abusive recall: 1.000": 200.0,
        "abusive f1: 0.250": 50.0,
        "spam f1: 0.750": 150.0,
    }
    assert "abusive" in texts(root) and "spam" in texts(root)


def test_text_is_escaped_everywhere() -> None:
    charts = [
        model_chart.metrics_bars_svg({EVIL: {"precision": 0.5}}, title=EVIL),
        model_chart.pr_curve_svg({EVIL: [[0.1, 0.9, 0.5]]}, {EVIL: 0.5}, title=EVIL),
        model_chart.confusion_svg({"labels": [EVIL, "ok"], "matrix": [[1, 2], [3, 4]]}),
    ]
    for svg in charts:
        assert "<script>" not in svg
        assert "&lt;script&gt;" in svg
        root = parse(svg)
        assert any(EVIL in t for t in texts(root)) or any(
            EVIL in (el.text or "") for el in root.iter(f"{SVG}title")
        )


def test_bad_figures_are_skipped_not_raised() -> None:
    svg = model_chart.metrics_bars_svg(
        {"a": {"precision": float("nan"), "recall": "high", "f1": True}, "b": None}
    )
    root = parse(svg)
    assert [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None] == []
    assert "No held-out figures recorded." in texts(parse(model_chart.metrics_bars_svg({})))
    # Out-of-range values are clipped into the plot.
    clipped = parse(model_chart.metrics_bars_svg({"a": {"f1": 7}}))
    assert {
        float(r.get("height"))
        for r in clipped.iter(f"{SVG}rect")
        if r.find(f"{SVG}title") is not None
    } == {200.0}


def test_curve_points_accept_lists_and_dicts_and_sort_by_recall() -> None:
    points = model_chart.curve_points(
        [[0.9, 0.4, 0.2], {"recall": 0.1, "precision": 0.95}, ["x", 1], "junk", [0.5, 0.7]]
    )
    assert points == [(0.1, 0.95, None), (0.5, 0.7, None), (0.9, 0.4, 0.2)]
    assert model_chart.curve_points("not a list") == []


def test_curve_marks_the_point_nearest_the_threshold() -> None:
    svg = model_chart.pr_curve_svg(
        {"abusive": [[0.2, 0.9, 0.8], [0.6, 0.7, 0.5], [0.9, 0.4, 0.2]]}, {"abusive": 0.45}
    )
    root = parse(svg)
    (circle,) = list(root.iter(f"{SVG}circle"))
    assert circle.find(f"{SVG}title").text == (
        "abusive at threshold 0.50: precision 0.700, recall 0.600"
    )
    line = next(root.iter(f"{SVG}polyline"))
    assert len(line.get("points").split()) == 3
    assert "No curve recorded for this version." in texts(parse(model_chart.pr_curve_svg({})))


def test_confusion_cells_and_bad_matrix() -> None:
    root = parse(model_chart.confusion_svg({"labels": ["a", "b"], "matrix": [[5, 1], [2, 8]]}))
    titles = [el.find(f"{SVG}title").text for el in root.iter(f"{SVG}rect")]
    assert titles == ["a judged a: 5", "a judged b: 1", "b judged a: 2", "b judged b: 8"]
    for bad in ({}, {"labels": ["a"], "matrix": [[1, 2]]}, {"labels": ["a", "b"], "matrix": "x"}):
        assert "No confusion counts recorded" in model_chart.confusion_svg(bad)
