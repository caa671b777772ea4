"""Our names set (tests/data/names_sentences.txt): ordinary English sentences
naming real people and places with rude-looking substrings. Every one must be
published by the real default pipeline."""

from __future__ import annotations

from masthead.moderation.evaluate_rules import read_names_set
from masthead.moderation.guidelines import Decision, check_batch


def test_names_set_is_large_enough() -> None:
    texts = read_names_set()
    assert len(texts) >= 200
    assert len(set(texts)) == len(texts)


def test_every_names_set_sentence_is_published() -> None:
    texts = read_names_set()
    verdicts = check_batch(texts)
    refused = [
        (t, str(v.decision), [c.value for c in v.reasons])
        for t, v in zip(texts, verdicts, strict=True)
        if v.decision is not Decision.PUBLISH
    ]
    assert refused == []
