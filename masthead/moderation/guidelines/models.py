"""Lazy, thread-safe, load-once access to the shipped models and word lists.

Everything here loads at most once per process, on first use, under a lock.
Call :func:`warm_up` at process start (e.g. in a Django ``AppConfig.ready``)
to pay the cost up front (about 2 s on one core, measured by ``bench``).

Sources:
    * py3langid 0.4.0 (BSD-3): ships its langid.py model inside the wheel.
    * alt-profanity-check 1.9.1 (MIT): ships a scikit-learn linear SVM trained
      on Davidson et al. 2017 (MIT) + Wikipedia talk-page toxicity data.
    * wordfreq 3.1.1 (Apache-2.0 code, CC BY-SA 4.0 data): English word list.
    * ``data/*.txt``: our own writing.
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
    """alt-profanity-check's probability function: ``list[str] -> numpy array``.

    alt-profanity-check wraps a TF-IDF vectorizer and a
    ``CalibratedClassifierCV`` (5 linear SVMs with sigmoid calibration).
    scikit-learn's per-call input validation costs ~70 ms, so we compute the
    same probability directly: ``mean_k expit(-(a_k * (X @ w_k + c_k) + b_k))``.
    The fast path is checked against the library's ``predict_prob`` at load
    time and is not used if they differ by more than 1e-6.
    """

    def load() -> Any:
        import numpy as np
        from profanity_check import predict_prob
        from profanity_check import profanity_check as pc

        fast = None
        try:
            clfs = pc.model.calibrated_classifiers_
            weights = np.stack([c.estimator.coef_.ravel() for c in clfs], axis=1)
            icpt = np.array([float(c.estimator.intercept_[0]) for c in clfs])
            a = np.array([float(c.calibrators[0].a_) for c in clfs])
            b = np.array([float(c.calibrators[0].b_) for c in clfs])
            vec = pc.vectorizer

            def fast(texts: Sequence[str]) -> Any:
                if not texts:
                    return np.zeros(0)
                d = vec.transform(list(texts)) @ weights + icpt
                return (1.0 / (1.0 + np.exp(a * d + b))).mean(axis=1)

            probe = ["you are an idiot", "a calm remark about the weather", "fuck off"]
            if not np.allclose(fast(probe), predict_prob(probe), atol=1e-6):
                fast = None
        except (AttributeError, IndexError, ValueError):
            fast = None
        fn = fast or predict_prob
        fn(["warm up"])
        return fn

    return _once("profanity", load)


def english_vocabulary() -> frozenset[str]:
    """The ``ENGLISH_VOCAB_SIZE`` most frequent English words from wordfreq (lower case)."""

    def load() -> frozenset[str]:
        from wordfreq import top_n_list

        return frozenset(top_n_list("en", ENGLISH_VOCAB_SIZE))

    return _once("en_vocab", load)


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
    for name in ("hinglish_words", "indian_english", "textspeak"):
        word_list(name)
    weighted_list("insults")
    langid_model().classify("warm up the language model")
