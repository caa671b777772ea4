"""Figures of a model on held-out decisions (pure numpy; no Django).

Shapes are those stored in ``GuidelineModelVersion.metrics`` (see its docstring).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from masthead.moderation.guidelines.rules.site_model import ACCEPTABLE, decide

PR_POINTS = 50
#: Hold thresholds tried when choosing a category's threshold on validation decisions.
GRID = tuple(round(x, 2) for x in np.arange(0.15, 0.91, 0.05))
#: A category rejects outright only at a probability whose precision on validation
#: decisions was at least this (else it only holds).
REJECT_PRECISION = 0.95


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """(precision, recall, F1); 0.0 where undefined."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def per_category(
    truth: Sequence[str], pred: Sequence[str], labels: Sequence[str]
) -> dict[str, dict[str, float]]:
    """``{label: {"precision", "recall", "f1", "support"}}``."""
    t, p = np.asarray(truth), np.asarray(pred)
    out = {}
    for lab in labels:
        tp = int(np.sum((t == lab) & (p == lab)))
        fp = int(np.sum((t != lab) & (p == lab)))
        fn = int(np.sum((t == lab) & (p != lab)))
        pr, rc, f1 = prf(tp, fp, fn)
        out[lab] = {
            "precision": round(pr, 4),
            "recall": round(rc, 4),
            "f1": round(f1, 4),
            "support": int(np.sum(t == lab)),
        }
    return out


def macro_f1(per_cat: Mapping[str, Mapping[str, float]]) -> float:
    """Mean F1 over the categories that occur (support > 0)."""
    f = [v["f1"] for v in per_cat.values() if v["support"] > 0]
    return round(float(np.mean(f)), 4) if f else 0.0


def confusion(truth: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """``{"labels": [...], "matrix": [[count]]}``; rows = truth, columns = prediction."""
    index = {lab: i for i, lab in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for a, b in zip(truth, pred, strict=True):
        if a in index and b in index:
            m[index[a]][index[b]] += 1
    return {"labels": list(labels), "matrix": m}


def pr_curve(positive: Sequence[bool], scores: Sequence[float]) -> list[list[float]]:
    """Up to ``PR_POINTS`` ``[recall, precision, threshold]`` points, threshold falling."""
    y = np.asarray(positive, dtype=bool)
    s = np.asarray(scores, dtype=float)
    if not y.any():
        return []
    points = []
    for th in np.unique(np.quantile(s, np.linspace(0.0, 1.0, PR_POINTS)))[::-1]:
        pred = s >= th
        tp = int(np.sum(pred & y))
        fp = int(np.sum(pred & ~y))
        p, r, _ = prf(tp, fp, int(np.sum(~pred & y)))
        points.append([round(r, 4), round(p, 4), round(float(th), 4)])
    return points


def choose_thresholds(
    truth: Sequence[str], probs: np.ndarray, labels: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """Per non-acceptable label: ``hold`` = the grid threshold with the best F1 on these
    (validation) decisions, ``reject`` = the lowest threshold >= 0.9 and >= hold whose
    precision reached ``REJECT_PRECISION`` (None if none did)."""
    t = np.asarray(truth)
    out: dict[str, dict[str, float | None]] = {}
    for j, lab in enumerate(labels):
        if lab == ACCEPTABLE:
            continue
        y = t == lab
        col = probs[:, j]
        best, hold = -1.0, 0.5
        if y.any():
            for th in GRID:
                pred = col >= th
                f1 = prf(int(np.sum(pred & y)), int(np.sum(pred & ~y)), int(np.sum(~pred & y)))[2]
                if f1 > best:
                    best, hold = f1, float(th)
        reject = None
        for th in (0.9, 0.93, 0.96, 0.98):
            pred = col >= max(th, hold)
            if (
                int(pred.sum()) >= 5
                and prf(int(np.sum(pred & y)), int(np.sum(pred & ~y)), 0)[0] >= REJECT_PRECISION
            ):
                reject = max(th, hold)
                break
        out[lab] = {"hold": hold, "reject": reject}
    return out


def predicted_labels(
    probs: np.ndarray, labels: Sequence[str], thresholds: Mapping[str, Any]
) -> list[str]:
    """What the model would decide per row: the deciding category when it holds or
    rejects (``site_model.decide``), else acceptable."""
    out = []
    for row in probs:
        _d, _codes, top = decide(dict(zip(labels, map(float, row), strict=True)), thresholds)
        out.append(top or ACCEPTABLE)
    return out


def figures(
    truth: Sequence[str],
    pred: Sequence[str],
    labels: Sequence[str],
    probs: np.ndarray | None = None,
    prob_labels: Sequence[str] = (),
) -> dict[str, Any]:
    """The ``metrics`` dict (without ``compared_with``) for predictions ``pred``."""
    per_cat = per_category(truth, pred, labels)
    out: dict[str, Any] = {
        "macro_f1": macro_f1(per_cat),
        "labels": list(labels),
        "per_category": per_cat,
        "confusion": confusion(truth, pred, labels),
        "pr_curve": {},
    }
    if probs is not None:
        t = np.asarray(truth)
        for j, lab in enumerate(prob_labels):
            if lab != ACCEPTABLE:
                out["pr_curve"][lab] = pr_curve(list(t == lab), list(probs[:, j]))
    return out
