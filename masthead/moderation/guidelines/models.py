"""Lazy, thread-safe, load-once access to the shipped models and word lists.

Everything here loads at most once per process, on first use, under a lock.
Call :func:`warm_up` at process start (e.g. in a Django ``AppConfig.ready``)
to pay the cost up front (measured by ``bench``).

Sources:
    * py3langid 0.4.0 (BSD-3): ships its langid.py model inside the wheel.
    * alt-profanity-check 1.9.1 (MIT): ships a scikit-learn linear SVM trained
      on Davidson et al. 2017 (MIT) + Wikipedia talk-page toxicity data; we
      ship an export of it (``data/profanity_linear.json.gz``) scored in pure
      Python.
    * ``data/romanized_hindi_model.json.gz``: our romanized-Hindi model
      (``training/train_language.py``).
    * wordfreq 3.1.1 (Apache-2.0 code, CC BY-SA 4.0 data): English word list.
    * vaderSentiment 3.3.2 (MIT): VADER sentiment lexicon and rules (Hutto &
      Gilbert 2014), shipped inside the package.
    * ``data/person_names.txt``: US Census 1990 names (public domain) and
      Faker's ``en_IN`` names (MIT), see ``data/README.md``.
    * other ``data/*.txt``: our own writing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cache
from importlib import resources
from typing import Any

ENGLISH_VOCAB_SIZE = 15000
_lock = threading.RLock()
_cache: dict[str, Any] = {}
_key_locks: dict[str, threading.Lock] = {}


def _once(key: str, loader: Callable[[], Any]) -> Any:
    value = _cache.get(key)
    if value is not None:
        return value
    with _lock:
        key_lock = _key_locks.setdefault(key, threading.Lock())
    with key_lock:  # one lock per model, so different models load in parallel
        value = _cache.get(key)
        if value is None:
            value = loader()
            _cache[key] = value
        return value


def langid_model() -> Any:
    """py3langid ``LanguageIdentifier`` with normalised probabilities."""

    def load() -> Any:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    return _once("langid", load)


def profanity_predict_prob() -> Callable[[Sequence[str]], Any]:
    """alt-profanity-check's probability function: ``list[str] -> list[float]``.

    Uses our export of the library's linear model
    (``data/profanity_linear.json.gz``, see ``profanity.py`` and
    ``training/export_profanity.py``): the same probabilities without
    importing scikit-learn (2 s of CPU at start-up) or paying its per-call
    input validation.
    """

    def load() -> Any:
        from .profanity import LinearProfanityModel

        return LinearProfanityModel.load().predict_prob

    return _once("profanity", load)


def english_vocabulary() -> frozenset[str]:
    """The ``ENGLISH_VOCAB_SIZE`` most frequent English words from wordfreq (lower case)."""

    def load() -> frozenset[str]:
        from wordfreq import top_n_list

        return frozenset(top_n_list("en", ENGLISH_VOCAB_SIZE))

    return _once("en_vocab", load)


def sentiment_analyzer() -> Any:
    """vaderSentiment's ``SentimentIntensityAnalyzer`` (``.polarity_scores(text)``
    -> dict with ``compound`` in [-1, 1]; ``.lexicon``: word -> valence in
    [-4, 4])."""

    def load() -> Any:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        return SentimentIntensityAnalyzer()

    return _once("sentiment", load)


def romanized_hindi_model() -> Any:
    """The shipped romanized-Hindi n-gram model (``romanized.RomanizedHindiModel``)."""

    def load() -> Any:
        from .romanized import RomanizedHindiModel

        return RomanizedHindiModel.load()

    return _once("romanized_hindi", load)


@cache
def word_list(name: str) -> frozenset[str]:
    """A shipped word list ``data/<name>.txt``: one entry per line, '#' comments.

    Raises FileNotFoundError if the list does not exist.
    """
    text = resources.files(__package__).joinpath("data").joinpath(f"{name}.txt").read_text("utf-8")
    out = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if line:
            out.add(line)
    return frozenset(out)


@cache
def weighted_list(name: str) -> dict[str, float]:
    """A shipped ``data/<name>.txt`` of ``phrase | weight`` lines -> dict."""
    text = resources.files(__package__).joinpath("data").joinpath(f"{name}.txt").read_text("utf-8")
    out: dict[str, float] = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip().lower()
        if not line:
            continue
        phrase, _, weight = line.partition("|")
        out[" ".join(phrase.split())] = float(weight or 0.5)
    return out


def warm_up() -> None:
    """Load every model and list now (idempotent, thread-safe).

    The three model loads run in parallel threads (decompression and file
    reading release the GIL), which roughly halves start-up time.
    """
    threads = [
        threading.Thread(target=f, daemon=True)
        for f in (
            langid_model,
            profanity_predict_prob,
            english_vocabulary,
            romanized_hindi_model,
            sentiment_analyzer,
        )
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    langid_model()
    profanity_predict_prob()
    english_vocabulary()
    romanized_hindi_model()
    sentiment_analyzer()
    for name in ("hinglish_words", "indian_english", "textspeak", "person_names", "place_names"):
        word_list(name)
    weighted_list("insults")
    langid_model().classify("warm up the language model")
