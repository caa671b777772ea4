"""Smoke checks on shared data (skipped with a message when files are absent)."""

import csv

from masthead.moderation.guidelines.rules.language import detect

from .conftest import shared_file


def test_trac_hindi_dev_sample_mostly_rejected():
    p = shared_file("toxicity", "trac1_agr_hi_dev.csv")
    with p.open(encoding="utf-8", errors="replace", newline="") as f:
        texts = [r[1] for r in csv.reader(f) if len(r) >= 3 and len(r[1].split()) >= 5][:300]
    rejected = sum(1 for t in texts if detect(t)[0] != "en" and detect(t)[1] >= 0.8)
    assert rejected / len(texts) >= 0.9


def test_lingua_english_kept():
    p = shared_file("langid", "lingua_sentences_en.txt")
    texts = [t for t in p.read_text(encoding="utf-8").splitlines() if len(t.split()) >= 5][:300]
    kept = sum(1 for t in texts if detect(t)[0] == "en")
    assert kept / len(texts) >= 0.98
