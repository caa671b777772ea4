"""Romanized-Hindi (Hinglish) vs English scorer: a tiny naive-Bayes model over
character n-grams, pure Python (no numpy), shipped as
``data/romanized_hindi_model.json.gz``.

The model is built by ``masthead/moderation/training/train_language.py`` (run
it to rebuild the file; it is deterministic) from data whose licences allow
shipping:

* romanized Hindi side: the lingua-py Hindi and Marathi test sentences
  (Apache-2.0, Devanagari) and wordfreq's Hindi word list (installed with the
  wordfreq package), transliterated to Latin letters with
  ``indic-transliteration`` (MIT) and simplified the way people type Hinglish
  (schwa deletion, no long-vowel marks, "aa"/"ee"/"oo" variants), plus our own
  word list ``data/hinglish_words.txt``;
* English side: the lingua-py English test sentences (Apache-2.0), the tweets
  of Davidson et al. 2017 (MIT) and our list ``data/indian_english.txt``.

Features (:func:`ngrams`): for each lower-cased word of letters, padded with a
space on both sides, every substring of 1 to ``MAX_N`` characters (like
scikit-learn's ``analyzer="char_wb"``). Score (:func:`score`): the mean over
the text's known n-grams of ``log P(g | hindi) - log P(g | english)`` (Laplace
smoothing) -- positive means romanized Hindi. Taking the mean instead of the
sum keeps the score on one scale for short and long comments.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from importlib import resources

MAX_N = 4
MODEL_FILE = "romanized_hindi_model.json.gz"
_LETTERS_RE = re.compile(r"[a-z]+")


def words(text: str) -> list[str]:
    """Lower-case runs of ASCII letters in ``text`` (digits/punctuation split)."""
    return _LETTERS_RE.findall(text.lower())


def ngrams(ws: Iterable[str], max_n: int = MAX_N) -> Iterator[str]:
    """Character 1..``max_n``-grams of each word padded as ``" word "``."""
    for w in ws:
        p = f" {w} "
        lp = len(p)
        for n in range(1, max_n + 1):
            for i in range(lp - n + 1):
                g = p[i : i + n]
                if g != " ":
                    yield g


class RomanizedHindiModel:
    """Loaded model: ``weights`` maps n-gram -> log-likelihood ratio (hi/en)."""

    __slots__ = ("_word_cache", "max_n", "meta", "weights")

    #: Per-word (sum, count) results kept; the cache is cleared when full.
    WORD_CACHE_SIZE = 50_000

    def __init__(self, weights: dict[str, float], max_n: int, meta: dict) -> None:
        self.weights = weights
        self.max_n = max_n
        self.meta = meta
        self._word_cache: dict[str, tuple[float, int]] = {}

    @classmethod
    def from_bytes(cls, raw: bytes) -> RomanizedHindiModel:
        """Parse the gzip'd JSON written by the training script.

        Raises ValueError on a malformed file.
        """
        data = json.loads(gzip.decompress(raw).decode("utf-8"))
        if data.get("format") != "masthead-romanized-hindi-nb/1":
            raise ValueError("not a romanized-Hindi model file")
        return cls(data["weights"], int(data["max_n"]), data.get("meta", {}))

    @classmethod
    def load(cls) -> RomanizedHindiModel:
        """Load the shipped ``data/romanized_hindi_model.json.gz``."""
        raw = resources.files(__package__).joinpath("data", MODEL_FILE).read_bytes()
        return cls.from_bytes(raw)

    def score(self, ws: Iterable[str]) -> tuple[float, int]:
        """``(mean log-ratio, number of known n-grams)`` for words ``ws``.

        The mean is 0.0 when no n-gram is known. Positive = romanized Hindi.
        """
        total = 0.0
        known = 0
        cache = self._word_cache
        for word in ws:
            hit = cache.get(word)
            if hit is None:
                hit = self._word_score(word)
                if len(cache) >= self.WORD_CACHE_SIZE:
                    cache.clear()  # dict ops are atomic under the GIL
                cache[word] = hit
            total += hit[0]
            known += hit[1]
        return (total / known if known else 0.0), known

    def _word_score(self, word: str) -> tuple[float, int]:
        w = self.weights
        total = 0.0
        known = 0
        for g in ngrams((word,), self.max_n):
            v = w.get(g)
            if v is not None:
                total += v
                known += 1
        return total, known
