"""The site model object (no Django): hashed char + word TF-IDF of the comment text plus the
base engine's abuse scores, into a logistic regression over the moderators' labels
(one-vs-rest, fitted by SGD).

:class:`HashingVectorizer` keeps memory bounded whatever the vocabulary (no vocabulary is
stored); the IDF weights and the regression are what is learned. The model is saved by
``learning.versions.save_model_file`` (joblib) and loaded only after its SHA-256 is checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

#: Hashed feature space per analyser (2**19 each keeps the file small and collisions rare).
CHAR_FEATURES = 2**19
WORD_FEATURES = 2**19
#: Weight of the base engine's scores next to the unit-length TF-IDF blocks.
BASE_WEIGHT = 2.0
_SPACES = re.compile(r"\s+")


def prepare(text: str) -> str:
    """The text as the vectorisers see it: @handles, #hashtags, URLs and proper names
    replaced by the engine's placeholders (``guidelines.masking``), so that names never
    decide on their own; spaces collapsed."""
    from masthead.moderation.guidelines.masking import mask

    return _SPACES.sub(" ", mask(text).text).strip()


def _vectorisers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    common = {"alternate_sign": False, "norm": None, "dtype": np.float32, "lowercase": True}
    char = HashingVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), n_features=CHAR_FEATURES, **common
    )
    word = HashingVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        n_features=WORD_FEATURES,
        token_pattern=r"(?u)\b\w+\b",  # noqa: S106 - a regex, not a password
        **common,
    )
    return char, word


class SiteModel:
    """A trained site model: ``predict_scores(texts, base_rows) -> [{label: p}]``."""

    def __init__(self, labels: Sequence[str], char_idf: Any, word_idf: Any, clf: Any) -> None:
        self.labels = tuple(labels)
        self.char_idf = char_idf
        self.word_idf = word_idf
        self.clf = clf
        self._vec: tuple[Any, Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_vec"] = None  # stateless; rebuilt on load
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def features(self, texts: Sequence[str], base_rows: Sequence[Sequence[float]]) -> Any:
        """The sparse feature matrix of ``texts`` (see module doc)."""
        if self._vec is None:
            self._vec = _vectorisers()
        char, word = self._vec
        prepared = [prepare(t) for t in texts]
        return combine(
            self.char_idf.transform(char.transform(prepared)),
            self.word_idf.transform(word.transform(prepared)),
            base_rows,
        )

    def predict_proba(self, texts: Sequence[str], base_rows: Sequence[Sequence[float]]) -> Any:
        """Array ``(n, len(labels))`` of probabilities in ``labels`` order."""
        return self.clf.predict_proba(self.features(texts, base_rows))

    def proba_from_counts(
        self, counts: tuple[Any, Any], base_rows: Sequence[Sequence[float]]
    ) -> Any:
        """Like :meth:`predict_proba` from :func:`count_features` rows (training reuses them)."""
        char_counts, word_counts = counts
        x = combine(
            self.char_idf.transform(char_counts), self.word_idf.transform(word_counts), base_rows
        )
        return self.clf.predict_proba(x)

    def predict_scores(
        self, texts: Sequence[str], base_rows: Sequence[Sequence[float]]
    ) -> list[dict[str, float]]:
        """``[{label: probability}]`` per text."""
        probs = self.predict_proba(texts, base_rows)
        return [dict(zip(self.labels, map(float, row), strict=True)) for row in probs]


def combine(char_x: Any, word_x: Any, base_rows: Sequence[Sequence[float]]) -> Any:
    """Stack the two TF-IDF blocks (each L2-normalised) and the weighted base scores."""
    from scipy import sparse
    from sklearn.preprocessing import normalize

    base = sparse.csr_matrix(np.asarray(base_rows, dtype=np.float32) * BASE_WEIGHT)
    return sparse.hstack(
        [normalize(char_x, copy=False), normalize(word_x, copy=False), base], format="csr"
    ).astype(np.float32)


def count_features(texts: Sequence[str]) -> tuple[Any, Any]:
    """Hashed char and word counts of ``texts`` (CSR, float32). Stateless: compute once,
    then slice rows for each fit."""
    char, word = _vectorisers()
    prepared = [prepare(t) for t in texts]
    return char.transform(prepared), word.transform(prepared)


def fit(
    counts: tuple[Any, Any],
    labels: Sequence[str],
    base_rows: Sequence[Sequence[float]],
    *,
    alpha: float = 2e-5,
    epochs: int = 15,
) -> SiteModel:
    """Train a :class:`SiteModel` from :func:`count_features` rows and moderators' ``labels``.

    A logistic regression fitted by stochastic gradient descent (``log_loss``, L2
    ``alpha``, classes balanced, fixed seed): on 50,000 decisions it takes seconds where
    an exact solver takes minutes, at the same F1. Raises ValueError for fewer than two labels.
    """
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import SGDClassifier

    if len(set(labels)) < 2:
        raise ValueError("training needs decisions of at least two labels")
    char_counts, word_counts = counts
    char_idf = TfidfTransformer(sublinear_tf=True, norm=None).fit(char_counts)
    word_idf = TfidfTransformer(sublinear_tf=True, norm=None).fit(word_counts)
    x = combine(char_idf.transform(char_counts), word_idf.transform(word_counts), base_rows)
    clf = SGDClassifier(
        loss="log_loss",
        alpha=alpha,
        max_iter=epochs,
        tol=None,
        class_weight="balanced",
        random_state=0,
    )
    clf.fit(x, np.asarray(labels))
    return SiteModel([str(c) for c in clf.classes_], char_idf, word_idf, clf)
