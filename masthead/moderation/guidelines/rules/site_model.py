"""The site's own model (trained on its moderators' decisions), as a guideline rule.

No Django here: the Django side (``masthead.moderation.learning.runtime``) loads the
active version and hands it over with :func:`install`; :func:`installed` returns it. While
a site model is installed, the pipeline runs :class:`SiteModelRule` in place of
``rules.abuse.AbuseRule`` (see :data:`SITE_RULES`). The rule runs the base abuse rule
itself, gives its scores to the site model as extra features (the site model is
combined with the shipped model, not a replacement), and decides from the site model's
per-category probabilities with the version's thresholds (:func:`decide`).

Result: rule ``"site_model"``; ``score`` = probability of "abusive"; ``details`` =
``{"version": str, "scores": {label: p}, "label": str, "base": {<abuse rule details>},
"base_decision": str}``.

The model object needs ``labels`` (tuple of str) and
``predict_scores(texts, base_rows) -> list[dict[str, float]]`` where ``base_rows`` are
:func:`base_features` of the abuse rule's results.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..base import CheckContext, Decision, ReasonCode, RuleResult
from .abuse import AbuseRule

logger = logging.getLogger(__name__)

ACCEPTABLE = "acceptable"
#: Label -> reason code given when the site model holds or rejects for it.
LABEL_CODES: dict[str, ReasonCode] = {
    "abusive": ReasonCode.TOXIC,
    "personal": ReasonCode.PERSONAL_ATTACK,
    "not_english": ReasonCode.NOT_ENGLISH,
    "not_sentences": ReasonCode.NOT_SENTENCES,
    "spam": ReasonCode.LINKS,
}
MESSAGES: dict[Decision, dict[str, str]] = {
    Decision.REJECT: {
        "abusive": "Comments cannot be abusive. Please remove the insults or offensive "
        "language and make your point about the story.",
        "personal": "Comments cannot be personal. Please discuss the story, not the people "
        "taking part in the conversation.",
        "not_english": "Comments have to be in English.",
        "not_sentences": "Comments have to be written in full sentences.",
        "spam": "This comment looks like advertising or spam.",
    },
    Decision.HOLD: {
        "abusive": "Your comment may be abusive, so a moderator will read it before it appears.",
    },
}
HOLD_MESSAGE = "A moderator will read your comment before it appears."
#: Order of the base abuse rule's details used as features (see :func:`base_features`).
BASE_FEATURES: tuple[str, ...] = (
    "score",
    "model",
    "lexicon",
    "negativity",
    "targeted_negative",
    "reject_score",
)
ABUSE_RULE = "masthead.moderation.guidelines.rules.abuse.AbuseRule"
SITE_RULE = "masthead.moderation.guidelines.rules.site_model.SiteModelRule"


def site_rules(rules: Sequence[str]) -> tuple[str, ...]:
    """``rules`` with the base abuse rule replaced by :class:`SiteModelRule`."""
    return tuple(SITE_RULE if r == ABUSE_RULE else r for r in rules)


def base_features(result: RuleResult) -> list[float]:
    """The base abuse rule's scores as a feature row (order :data:`BASE_FEATURES`)."""
    d = result.details
    return [
        float(result.score or 0.0),
        float(d.get("model", 0.0)),
        float(d.get("lexicon", 0.0)),
        float(d.get("negativity", 0.0)),
        1.0 if d.get("targeted_negative") else 0.0,
        float(d.get("reject_score", 0.0)),
    ]


def validate_thresholds(
    thresholds: Mapping[str, Mapping[str, Any]], labels: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """Check ``{label: {"hold": t, "reject": t or None}}``; returns a clean copy.

    Raises ValueError naming the problem (unknown label, value outside [0, 1], reject
    below hold).
    """
    out: dict[str, dict[str, float | None]] = {}
    for label, pair in thresholds.items():
        if label not in labels or label == ACCEPTABLE:
            raise ValueError(f"The model has no category {label!r}.")
        hold = pair.get("hold")
        reject = pair.get("reject")
        try:
            hold_f = float(hold) if hold is not None else None
            reject_f = float(reject) if reject not in (None, "") else None
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{label}: thresholds must be numbers between 0 and 1.") from exc
        for v in (hold_f, reject_f):
            if v is not None and not 0.0 <= v <= 1.0:
                raise ValueError(f"{label}: thresholds must be between 0 and 1.")
        if hold_f is None:
            raise ValueError(f"{label}: give a hold threshold.")
        if reject_f is not None and reject_f < hold_f:
            raise ValueError(f"{label}: the reject threshold must not be below the hold one.")
        out[label] = {"hold": hold_f, "reject": reject_f}
    return out


def decide(
    scores: Mapping[str, float], thresholds: Mapping[str, Mapping[str, float | None]]
) -> tuple[Decision, list[ReasonCode], str | None]:
    """Decide from per-category probabilities: REJECT when a category's probability
    reaches its ``reject`` threshold, HOLD when it reaches ``hold``. Returns
    ``(decision, reason codes most likely first, deciding label or None)``."""
    decision, codes, top = Decision.PUBLISH, [], None
    for label, p in sorted(scores.items(), key=lambda kv: -kv[1]):
        pair = thresholds.get(label)
        if label == ACCEPTABLE or not pair or label not in LABEL_CODES:
            continue
        reject, hold = pair.get("reject"), pair.get("hold")
        if reject is not None and p >= reject:
            d = Decision.REJECT
        elif hold is not None and p >= hold:
            d = Decision.HOLD
        else:
            continue
        if d > decision:
            decision, top = d, label
        if LABEL_CODES[label] not in codes:
            codes.append(LABEL_CODES[label])
    if top is not None:  # the deciding (most severe) category's code first
        codes.remove(LABEL_CODES[top])
        codes.insert(0, LABEL_CODES[top])
    return decision, codes, top


@dataclass(slots=True)
class InstalledModel:
    """The site model the engine uses now: the object, its version name and thresholds."""

    model: Any
    version: str
    thresholds: dict[str, dict[str, float | None]] = field(default_factory=dict)


_lock = threading.Lock()
_installed: InstalledModel | None = None


def install(
    model: Any | None, version: str = "", thresholds: Mapping[str, Any] | None = None
) -> None:
    """Make ``model`` the site model (None: back to the base model only). Thread-safe."""
    global _installed
    with _lock:
        _installed = (
            None if model is None else InstalledModel(model, version, dict(thresholds or {}))
        )


def installed() -> InstalledModel | None:
    """The installed site model, or None."""
    return _installed


class SiteModelRule:
    """Decide abuse (and hold other categories) with the installed site model; falls back
    to the base abuse rule's result when no site model is installed."""

    name = "site_model"

    def __init__(self) -> None:
        self._base = AbuseRule()

    def check(self, text: str, ctx: CheckContext) -> RuleResult:
        """See class doc."""
        return self.check_batch([text], [ctx])[0]

    def check_batch(self, texts: Sequence[str], ctxs: Sequence[CheckContext]) -> list[RuleResult]:
        """One base-rule call and one site-model call for the whole batch."""
        base = self._base.check_batch(texts, ctxs)
        current = installed()
        if current is None or not texts:
            return base
        try:
            probs = current.model.predict_scores(list(texts), [base_features(r) for r in base])
        except Exception:  # noqa: BLE001 - a broken site model must not stop the checks
            logger.exception("site model %s failed; the base abuse rule decides", current.version)
            return base
        out = []
        for b, scores in zip(base, probs, strict=True):
            decision, codes, top = decide(scores, current.thresholds)
            best = max(scores.items(), key=lambda kv: kv[1])[0] if scores else ACCEPTABLE
            details = {
                "version": current.version,
                "scores": {k: round(float(v), 4) for k, v in scores.items()},
                "label": best,
                "base": b.details,
                "base_decision": str(b.decision),
            }
            score = round(float(scores.get("abusive", 0.0)), 4)
            if decision == Decision.PUBLISH or top is None:
                out.append(RuleResult(self.name, score=score, details=details))
                continue
            message = MESSAGES.get(decision, {}).get(top, HOLD_MESSAGE)
            out.append(
                RuleResult(
                    self.name,
                    decision,
                    codes[0],
                    message,
                    score=score,
                    spans=list(b.spans) if top == "abusive" else [],
                    details=details,
                )
            )
        return out
