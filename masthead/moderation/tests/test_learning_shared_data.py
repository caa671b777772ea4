"""On real comments (TRAC-1 English, shared data): the site model learns what its
moderators decided. Skips with a message when the shared data is absent."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from masthead.moderation.learning import training, versions
from masthead.moderation.learning.store import record_decision

from .conftest import shared_file

pytestmark = pytest.mark.django_db


def _read(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", errors="replace", newline="") as f:
        return [
            (r[1], r[2].strip())
            for r in csv.reader(f)
            if len(r) >= 3 and r[2].strip() in ("OAG", "NAG")
        ]


def test_trac_decisions_teach_the_model_abuse(settings: Any, tmp_path: Path) -> None:
    train_rows = _read(shared_file("toxicity", "trac1_agr_en_train.csv"))[:800]
    dev = _read(shared_file("toxicity", "trac1_agr_en_dev.csv"))[:600]
    settings.MASTHEAD_GUIDELINES_MODELS_DIR = str(tmp_path)  # TRAC-1 is non-commercial
    start = timezone.now() - timedelta(days=1)
    for i, (text, lab) in enumerate(train_rows):
        label = "abusive" if lab == "OAG" else "acceptable"
        record_decision(
            text, label, "replay", decided_at=start + timedelta(minutes=i), schedule=False
        )
    result = training.train(promote_if_better=False)
    assert result.version is not None and result.version.n_decisions == 800
    model = versions.load_model(result.version)
    from masthead.moderation.learning.curve import _base_rows

    texts = [t for t, _ in dev]
    base, _flags = _base_rows(texts)
    probs = model.predict_proba(texts, base)[:, list(model.labels).index("abusive")]
    oag = [p for p, (_, lab) in zip(probs, dev) if lab == "OAG"]
    nag = [p for p, (_, lab) in zip(probs, dev) if lab == "NAG"]
    assert sum(oag) / len(oag) > sum(nag) / len(nag) + 0.1
