"""Train the site model on the decision store, test it on the newest decisions, keep it.

:func:`train` (``manage.py train_guidelines`` and the retrain task):

1. takes the training lock (a :class:`TrainingRun` with the unique ``lock``; a second
   training meanwhile gets :class:`TrainingBusy`);
2. reads the decisions, oldest first (the latest decision per comment wins);
3. refuses with a clear message, keeping the model in use, when there are fewer than
   ``MIN_DECISIONS`` or only one label;
4. holds out the newest ``HOLDOUT_SHARE`` as the test set, fits on the rest (thresholds
   chosen on that part's newest 15%), and compares with the model in use on the held-out
   decisions (macro-F1 over the labels that occur);
5. refits on every decision, saves the file and a :class:`GuidelineModelVersion` row with
   the figures, and promotes it only when it beat the model in use. Both figures are printed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from masthead.moderation.learning import metrics, sitemodel, versions
from masthead.moderation.learning.models import (
    GuidelineModelVersion,
    LabelledDecision,
    TrainingRun,
    TrainingStatus,
)

logger = logging.getLogger(__name__)

MIN_DECISIONS = 200
HOLDOUT_SHARE = 0.2
VALIDATION_SHARE = 0.15
#: A run still locked after this long is taken as crashed and unlocked.
STALE_AFTER = timedelta(hours=1)
BASE_BATCH = 512


class TrainingBusy(RuntimeError):
    """Another training is queued or running."""


@dataclass(slots=True)
class TrainResult:
    """Outcome: ``status`` promoted | kept | skipped; ``message`` as printed."""

    status: str
    message: str
    version: GuidelineModelVersion | None = None
    new_f1: float | None = None
    current_f1: float | None = None
    lines: list[str] = field(default_factory=list)


# --- the lock --------------------------------------------------------------------------------


def _unlock_stale() -> None:
    cutoff = timezone.now() - STALE_AFTER
    TrainingRun.objects.filter(lock__isnull=False, created_at__lt=cutoff).update(
        lock=None,
        status=TrainingStatus.FAILED,
        finished_at=timezone.now(),
        message="Taken as crashed: still locked after an hour.",
    )


def acquire(trigger: str = "command", status: str = TrainingStatus.RUNNING) -> TrainingRun:
    """Create a locked run (raises :class:`TrainingBusy` when one is queued or running)."""
    _unlock_stale()
    try:
        with transaction.atomic():
            return TrainingRun.objects.create(
                trigger=trigger,
                status=status,
                started_at=timezone.now() if status == TrainingStatus.RUNNING else None,
            )
    except IntegrityError as exc:
        raise TrainingBusy(
            "Another training of the guidelines model is queued or running."
        ) from exc


def _finish(run: TrainingRun, status: str, message: str, last_id: int, version: Any = None) -> None:
    run.status = status
    run.message = message
    run.lock = None
    run.finished_at = timezone.now()
    run.last_decision_id = last_id
    run.version = version
    run.save(
        update_fields=["status", "message", "lock", "finished_at", "last_decision_id", "version"]
    )


# --- data ------------------------------------------------------------------------------------


def load_decisions(limit: int | None = None) -> list[tuple[int, str, str, Any]]:
    """``(id, text, label, base_scores)`` oldest first; one per comment (its latest);
    ``limit`` keeps the first ``limit`` decisions (the learning curve)."""
    rows = list(
        LabelledDecision.objects.order_by("decided_at", "id").values_list(
            "id", "text", "label", "base_scores", "comment_id"
        )
    )
    last_for_comment = {c: i for i, (_id, _t, _l, _b, c) in enumerate(rows) if c is not None}
    out = [
        (pk, text, label, base)
        for i, (pk, text, label, base, c) in enumerate(rows)
        if c is None or last_for_comment[c] == i
    ]
    return out[:limit] if limit else out


def fill_base_scores(rows: list[tuple[int, str, str, Any]]) -> list[list[float]]:
    """The base engine's scores per row; computed and saved for rows without them."""
    from masthead.moderation.guidelines.base import CheckContext
    from masthead.moderation.guidelines.rules.abuse import AbuseRule
    from masthead.moderation.guidelines.rules.site_model import BASE_FEATURES, base_features

    out: list[list[float] | None] = [
        list(b) if isinstance(b, list) and len(b) == len(BASE_FEATURES) else None
        for _pk, _t, _l, b in rows
    ]
    missing = [i for i, b in enumerate(out) if b is None]
    rule, ctx = AbuseRule(), CheckContext()
    for start in range(0, len(missing), BASE_BATCH):
        idx = missing[start : start + BASE_BATCH]
        results = rule.check_batch([rows[i][1] for i in idx], [ctx] * len(idx))
        updates = []
        for i, r in zip(idx, results, strict=True):
            out[i] = [round(v, 5) for v in base_features(r)]
            updates.append(LabelledDecision(pk=rows[i][0], base_scores=out[i]))
        LabelledDecision.objects.bulk_update(updates, ["base_scores"], batch_size=BASE_BATCH)
    return [b for b in out if b is not None]


def _subset(counts: tuple[Any, Any], idx: Any) -> tuple[Any, Any]:
    return counts[0][idx], counts[1][idx]


# --- the model in use, on held-out decisions --------------------------------------------------


def base_predictions(texts: list[str]) -> list[str]:
    """What the shipped base engine decides for each text, as a label (the first reason
    that maps to one when it holds or rejects, else acceptable)."""
    from masthead.moderation.guidelines.base import Decision
    from masthead.moderation.guidelines.pipeline import DEFAULT_RULES, check_batch
    from masthead.moderation.learning.store import REASON_LABELS

    out = []
    for v in check_batch(texts, rules=DEFAULT_RULES):
        label = "acceptable"
        if v.decision >= Decision.HOLD:
            label = next((REASON_LABELS[c] for c in v.reasons if c in REASON_LABELS), label)
        out.append(label)
    return out


def _current_predictions(texts: list[str], base_rows: list[list[float]]) -> tuple[str, list[str]]:
    current = versions.active_version()
    if current is not None:
        try:
            model = versions.load_model(current)
        except versions.ModelFileError as exc:
            logger.error("guidelines model %s unusable, comparing with base: %s", current.name, exc)
        else:
            probs = model.predict_proba(texts, base_rows)
            return current.name, metrics.predicted_labels(probs, model.labels, current.thresholds)
    return versions.BASE_NAME, base_predictions(texts)


# --- training ----------------------------------------------------------------------------------


def train(
    stdout: Any | None = None,
    *,
    min_decisions: int = MIN_DECISIONS,
    promote_if_better: bool = True,
    limit: int | None = None,
    run: TrainingRun | None = None,
    trigger: str = "command",
) -> TrainResult:
    """Train, evaluate and keep a new version (see module doc). ``run`` is a queued run
    to use (the task); otherwise the lock is taken here (raises :class:`TrainingBusy`)."""
    if run is None:
        run = acquire(trigger)
    else:
        run.status, run.started_at = TrainingStatus.RUNNING, timezone.now()
        run.save(update_fields=["status", "started_at"])
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        if stdout is not None:
            stdout.write(line + "\n")

    last_id = LabelledDecision.objects.order_by("-id").values_list("id", flat=True).first() or 0
    try:
        result = _train(say, min_decisions, promote_if_better, limit)
    except Exception as exc:
        _finish(run, TrainingStatus.FAILED, f"{type(exc).__name__}: {exc}", last_id)
        raise
    result.lines = lines
    status = TrainingStatus.SKIPPED if result.status == "skipped" else TrainingStatus.DONE
    _finish(run, status, "\n".join(lines), last_id, result.version)
    return result


#: L2 strengths tried (SGD's ``alpha``): a few hundred decisions want a stronger pull
#: towards zero than fifty thousand do, so the site's own newest decisions pick one.
ALPHAS = (2e-5, 1e-4, 4e-4)


def _choose_alpha(
    counts: tuple[Any, Any], y: Any, b: Any, fit_idx: Any, val_idx: Any
) -> tuple[float, dict[str, dict[str, Any]]]:
    """The ``alpha`` of :data:`ALPHAS` whose model, fitted on ``fit_idx`` with thresholds
    chosen on ``val_idx``, scores the best macro-F1 on ``val_idx`` (ties: the weaker
    penalty), and those thresholds. Only training decisions are used: the held-out
    newest decisions stay unseen until the comparison with the model in use."""
    truth = list(y[val_idx])
    eval_labels = sorted(set(y))
    best: tuple[float, float, dict[str, dict[str, Any]]] | None = None
    for alpha in ALPHAS:
        probe = sitemodel.fit(
            _subset(counts, fit_idx), list(y[fit_idx]), b[fit_idx], alpha=alpha, consume=True
        )
        probs = probe.proba_from_counts(_subset(counts, val_idx), b[val_idx], consume=True)
        thresholds = metrics.choose_thresholds(truth, probs, probe.labels)
        pred = metrics.predicted_labels(probs, probe.labels, thresholds)
        score = metrics.macro_f1(metrics.per_category(truth, pred, eval_labels))
        if best is None or score > best[1]:
            best = (alpha, score, thresholds)
        del probe
    assert best is not None
    return best[0], best[2]


def _train(say: Any, min_decisions: int, promote_if_better: bool, limit: int | None) -> TrainResult:
    started = time.monotonic()
    in_use = versions.active_name()
    rows = load_decisions(limit)
    labels = [r[2] for r in rows]
    kinds = sorted(set(labels))
    if len(rows) < min_decisions:
        msg = (
            f"Only {len(rows):,} moderator decisions so far; training needs at least "
            f"{min_decisions:,}. The model in use ({in_use}) stays."
        )
        say(msg)
        return TrainResult("skipped", msg)
    if len(kinds) < 2:
        msg = (
            f"All {len(rows):,} decisions have the same label ({kinds[0] if kinds else '-'}); "
            f"training needs at least two. The model in use ({in_use}) stays."
        )
        say(msg)
        return TrainResult("skipped", msg)
    texts = [r[1] for r in rows]
    base_rows = fill_base_scores(rows)
    counts = sitemodel.count_features(texts)
    n = len(rows)
    n_test = max(1, int(round(n * HOLDOUT_SHARE)))
    n_fit = n - n_test
    n_val = max(1, int(round(n_fit * VALIDATION_SHARE)))
    y = np.asarray(labels)
    if len(set(y[:n_fit])) < 2 or len(set(y[: n_fit - n_val])) < 2:
        msg = (
            "The older decisions all have one label, so no model can be tested on the newer "
            f"ones. The model in use ({in_use}) stays."
        )
        say(msg)
        return TrainResult("skipped", msg)
    fit_idx, val_idx = np.arange(0, n_fit - n_val), np.arange(n_fit - n_val, n_fit)
    test_idx = np.arange(n_fit, n)
    b = np.asarray(base_rows, dtype=np.float32)

    # regularisation and thresholds chosen on the newest part of the training decisions
    # (row subsets are copies, so they may be consumed; the full counts only at the end)
    alpha, thresholds = _choose_alpha(counts, y, b, fit_idx, val_idx)
    # tested on the newest decisions
    trial = sitemodel.fit(
        _subset(counts, np.arange(0, n_fit)), list(y[:n_fit]), b[:n_fit], alpha=alpha, consume=True
    )
    for lab in trial.labels:
        if lab != "acceptable":
            thresholds.setdefault(lab, {"hold": 0.5, "reject": None})
    probs = trial.proba_from_counts(_subset(counts, test_idx), b[test_idx], consume=True)
    trial_labels = trial.labels
    del trial
    truth = list(y[test_idx])
    pred = metrics.predicted_labels(probs, trial_labels, thresholds)
    eval_labels = sorted(set(kinds))
    figures = metrics.figures(truth, pred, eval_labels, probs, trial_labels)
    current_name, current_pred = _current_predictions(
        [texts[i] for i in test_idx], [base_rows[i] for i in test_idx]
    )
    current_cat = metrics.per_category(truth, current_pred, eval_labels)
    current_f1 = metrics.macro_f1(current_cat)
    figures["compared_with"] = {
        "name": current_name,
        "macro_f1": current_f1,
        "per_category": current_cat,
    }
    figures["alpha"] = alpha
    better = figures["macro_f1"] > current_f1

    # the kept model learns from every decision
    final = sitemodel.fit(counts, labels, b, alpha=alpha, consume=True)
    del counts
    name = versions.next_version_name()
    file_name, digest = versions.save_model_file(final, name)
    seconds = round(time.monotonic() - started, 1)
    version = GuidelineModelVersion.objects.create(
        name=name,
        file_name=file_name,
        sha256=digest,
        n_decisions=n,
        n_holdout=n_test,
        labels=list(final.labels),
        metrics=figures,
        thresholds={k: v for k, v in thresholds.items() if k in final.labels},
        better_than_active=better,
        training_seconds=seconds,
    )
    say(
        f"Trained {name} on {n:,} decisions in {seconds:.1f} s; tested on the newest "
        f"{n_test:,} ({int(HOLDOUT_SHARE * 100)}%, trained on the {n_fit:,} before them)."
    )
    say(
        f"  {name:12} macro-F1 {figures['macro_f1']:.3f}  " + _per_cat_line(figures["per_category"])
    )
    say(
        f"  {current_name:12} macro-F1 {current_f1:.3f}  "
        + _per_cat_line(current_cat)
        + "  (in use)"
    )
    if better and promote_if_better:
        version = versions.promote(version)
        msg = f"{name} is better than {current_name} on the held-out decisions: promoted."
        status = "promoted"
    elif better:
        msg = f"{name} is better than {current_name}; not promoted (promotion switched off)."
        status = "kept"
    else:
        msg = f"{name} is not better than {current_name}; {current_name} stays in use ({name} is kept)."
        status = "kept"
    version.note = msg
    version.save(update_fields=["note"])
    say(msg)
    return TrainResult(status, msg, version, figures["macro_f1"], current_f1)


def _per_cat_line(per_cat: dict[str, dict[str, float]]) -> str:
    return ", ".join(
        f"{k} P {v['precision']:.2f} R {v['recall']:.2f} F1 {v['f1']:.2f}"
        for k, v in per_cat.items()
        if v["support"]
    )
