"""Our own example comments for the abuse experiment
(``training/data/abuse_sentences.txt``) stay well-formed: both labels, no
duplicates, no empty text -- and the shipped abuse rule scores the abusive
half higher than the acceptable half (a real behaviour check, not a fixed
list)."""

from masthead.moderation.guidelines import CheckContext
from masthead.moderation.guidelines.rules.abuse import AbuseRule
from masthead.moderation.training.embedding_experiment import OWN_FILE, read_own


def test_file_is_well_formed():
    rows = read_own()
    assert len(rows) >= 300
    texts = [t for t, _ in rows]
    assert all(t.strip() == t and t for t in texts)
    assert len(set(texts)) == len(texts), "duplicate example comment"
    n_abusive = sum(y for _, y in rows)
    assert 0.35 < n_abusive / len(rows) < 0.65
    for line in OWN_FILE.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            assert line[:2] in ("0\t", "1\t"), line


def test_shipped_rule_ranks_abusive_examples_higher():
    rows = read_own()
    res = AbuseRule().check_batch([t for t, _ in rows], [CheckContext()] * len(rows))
    abusive = [r.score for r, (_, y) in zip(res, rows, strict=True) if y]
    fine = [r.score for r, (_, y) in zip(res, rows, strict=True) if not y]
    assert sum(abusive) / len(abusive) > sum(fine) / len(fine) + 0.2
