"""alt-profanity-check's linear model without scikit-learn.

``data/profanity_linear.json.gz`` is exported from the installed
alt-profanity-check package by ``training/export_profanity.py`` (which
verifies that the probabilities equal the library's). Scoring is pure Python:
TF-IDF over word unigrams (``(?u)\\b\\w\\w+\\b`` on lower-cased text), l2
normalisation, 5 linear SVMs with sigmoid calibration, mean probability.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from importlib import resources

MODEL_FILE = "profanity_linear.json.gz"


class LinearProfanityModel:
    """Loaded export; :meth:`predict_prob` mirrors ``profanity_check.predict_prob``."""

    __slots__ = ("a", "b", "intercepts", "token_re", "words")

    def __init__(self, data: dict) -> None:
        if data.get("format") != "masthead-profanity-linear/1":
            raise ValueError("not a profanity-linear model file")
        self.words: dict[str, list[float]] = data["words"]
        self.intercepts: list[float] = data["intercepts"]
        self.a: list[float] = data["a"]
        self.b: list[float] = data["b"]
        self.token_re = re.compile(data["token_pattern"])

    @classmethod
    def from_bytes(cls, raw: bytes) -> LinearProfanityModel:
        """Parse gzip'd JSON; raises ValueError on a malformed file."""
        return cls(json.loads(gzip.decompress(raw).decode("utf-8")))

    @classmethod
    def load(cls) -> LinearProfanityModel:
        """Load the shipped ``data/profanity_linear.json.gz``."""
        raw = resources.files(__package__).joinpath("data", MODEL_FILE).read_bytes()
        return cls.from_bytes(raw)

    def prob(self, text: str) -> float:
        """Probability in [0, 1] that ``text`` is offensive."""
        words = self.words
        counts = Counter(t for t in self.token_re.findall(text.lower()) if t in words)
        k = len(self.intercepts)
        dots = [0.0] * k
        sq = 0.0
        for term, c in counts.items():
            row = words[term]
            sq += (c * row[0]) ** 2
            for j in range(k):
                dots[j] += c * row[j + 1]
        norm = math.sqrt(sq) or 1.0
        total = 0.0
        for j in range(k):
            d = dots[j] / norm + self.intercepts[j]
            z = self.a[j] * d + self.b[j]
            total += 1.0 / (1.0 + math.exp(z)) if z < 700 else 0.0
        return total / k

    def predict_prob(self, texts: Sequence[str]) -> list[float]:
        """Probabilities for ``texts`` (a list, same order)."""
        return [self.prob(t) for t in texts]
