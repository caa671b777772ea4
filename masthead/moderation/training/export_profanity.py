"""Export alt-profanity-check's model to ``guidelines/data/profanity_linear.json.gz``
so the product scores comments without importing scikit-learn (about 2 s of
CPU at process start, measured by ``bench``).

Run from the repository root::

    .venv/bin/python -m masthead.moderation.training.export_profanity [--check]

Source: alt-profanity-check 1.9.1 (MIT), installed from PyPI; its model is a
``TfidfVectorizer`` (word unigrams, ``(?u)\\b\\w\\w+\\b``, lower case, English
stop words, smooth idf, l2 norm) feeding ``CalibratedClassifierCV`` of 5
``LinearSVC`` with sigmoid calibration, trained by its authors on Davidson et
al. 2017 (MIT) and Wikipedia talk-page comments. The export keeps, per
vocabulary word, its idf and ``idf * coef_k`` for the 5 SVMs, plus the
intercepts and the sigmoid parameters ``a_k, b_k``; the probability is then
``mean_k 1 / (1 + exp(a_k * (x . w_k + c_k) + b_k))`` with ``x`` the
l2-normalised tf-idf vector -- the same arithmetic as the library. The script
refuses to write a file whose probabilities differ from the library's
``predict_prob`` by more than 1e-9 on a probe set; ``--check`` compares the
shipped file with a fresh export.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "guidelines" / "data" / "profanity_linear.json.gz"
PROBE = [
    "you are an idiot",
    "a calm remark about the weather",
    "fuck off and die you stupid bitch",
    "The council should publish the budget before the vote.",
    "",
    "shit shit shit happens",
    "Modi ji promised 5 crore for the hospital",
]


def export() -> dict:
    """Read the installed library's model and return the JSON-able export."""
    from profanity_check import profanity_check as pc

    vec = pc.vectorizer
    clfs = pc.model.calibrated_classifiers_
    idf = vec.idf_
    words = {}
    for word, idx in sorted(vec.vocabulary_.items()):
        i = float(idf[idx])
        words[word] = [i] + [i * float(c.estimator.coef_.ravel()[idx]) for c in clfs]
    return {
        "format": "masthead-profanity-linear/1",
        "source": "alt-profanity-check (MIT) TfidfVectorizer + CalibratedClassifierCV(LinearSVC x5)",
        "token_pattern": vec.token_pattern,
        "intercepts": [float(c.estimator.intercept_[0]) for c in clfs],
        "a": [float(c.calibrators[0].a_) for c in clfs],
        "b": [float(c.calibrators[0].b_) for c in clfs],
        "words": words,
    }


def serialise(model: dict) -> bytes:
    """Deterministic gzip'd JSON bytes."""
    raw = json.dumps(model, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0)


def max_difference(blob: bytes) -> float:
    """Largest |ours - library| probability on ``PROBE``."""
    from profanity_check import predict_prob

    from ..guidelines.profanity import LinearProfanityModel

    ours = LinearProfanityModel.from_bytes(blob).predict_prob(PROBE)
    theirs = predict_prob(PROBE)
    return max(abs(a - float(b)) for a, b in zip(ours, theirs, strict=True))


def main(argv: list[str] | None = None) -> int:
    """CLI: export (verified against the library) or ``--check``."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare, do not write")
    args = ap.parse_args(argv)
    blob = serialise(export())
    diff = max_difference(blob)
    if diff > 1e-9:
        print(f"export differs from the library by {diff:g}; not written")  # noqa: T201
        return 1
    if args.check:
        same = OUT.exists() and OUT.read_bytes() == blob
        print("shipped file matches" if same else "shipped file DIFFERS")  # noqa: T201
        return 0 if same else 1
    OUT.write_bytes(blob)
    print(f"wrote {OUT} ({len(blob)} bytes); max difference {diff:g}")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
