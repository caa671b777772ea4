"""The one place the admin page, the queue order and ``check_comments`` reach the site's
own guidelines model (trained, versioned and promoted in :mod:`masthead.moderation.learning`,
decided by :mod:`masthead.moderation.guidelines.rules.site_model`).

Thin calls only: training, promotion, rollback, thresholds and the decision itself belong
to the learning package; this module reads what the page shows and finds the model's
per-category scores in a stored verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from masthead.moderation.guidelines.base import Decision

#: Label of the shipped base model (no site model promoted yet).
BASE_LABEL = "base"
#: Rule name of the site model's result in a verdict.
SITE_RULE_NAME = "site_model"
#: Rules whose outcome the site model replaces (the preview re-decides them).
MODEL_RULES = frozenset({SITE_RULE_NAME, "abuse"})


def active_version() -> Any | None:
    """The promoted ``GuidelineModelVersion`` deciding new comments, or None (base model)."""
    from masthead.moderation.learning import versions

    return versions.active_version()


def all_versions() -> Any:
    """Every trained version, newest first (a queryset)."""
    from masthead.moderation.learning.models import GuidelineModelVersion

    return GuidelineModelVersion.objects.select_related("promoted_by").order_by(
        "-created_at", "-id"
    )


def get_version(pk: int) -> Any | None:
    """The version with primary key ``pk`` or None."""
    return all_versions().filter(pk=pk).first()


def recent_trainings(limit: int = 5) -> list[Any]:
    """The latest training runs, newest first."""
    from masthead.moderation.learning.models import TrainingRun

    return list(TrainingRun.objects.select_related("version").order_by("-created_at")[:limit])


def decisions_stored() -> int:
    """How many labelled decisions the store holds now."""
    from masthead.moderation.learning.models import LabelledDecision

    return LabelledDecision.objects.count()


def current_version_label() -> str:
    """The label of the model deciding new comments now ("base" without a site model)."""
    from masthead.moderation.learning import versions

    return versions.active_name()


def deciding_version() -> str:
    """The version this process's engine uses now: the active one once loaded, or "base"
    (also while an active version's file cannot be loaded and the base model stands in)."""
    from masthead.moderation.learning import runtime

    return runtime.model_version()


def version_error() -> type[Exception]:
    """The exception the learning package raises with a message for the moderator."""
    from masthead.moderation.learning.versions import VersionError

    return VersionError


def promote(pk: int, actor: Any) -> Any:
    """Promote version ``pk`` (logged by the learning package). Raises ``VersionError``."""
    from masthead.moderation.learning import versions

    return versions.promote(pk, actor)


def rollback(actor: Any, to: int | None = None) -> str:
    """Roll back to the previous version (or ``to``); returns the name now in use."""
    from masthead.moderation.learning import versions

    return versions.rollback(actor, to=to)


def set_thresholds(pk: int, thresholds: dict[str, dict[str, float | None]], actor: Any) -> Any:
    """Save ``thresholds`` on version ``pk`` (validated and logged by the learning package)."""
    from masthead.moderation.learning import versions

    return versions.set_thresholds(pk, thresholds, actor)


def active_thresholds() -> dict[str, dict[str, float | None]]:
    """The active version's ``{category: {"hold": t, "reject": t | None}}`` ({} for base)."""
    version = active_version()
    return dict(version.thresholds or {}) if version is not None else {}


def category_thresholds() -> dict[str, list[float]]:
    """The active version's thresholds as ``{category: [hold, reject...]}`` (queue order)."""
    return {
        cat: [float(t) for t in (pair.get("hold"), pair.get("reject")) if t is not None]
        for cat, pair in active_thresholds().items()
        if isinstance(pair, Mapping)
    }


def decide(scores: Mapping[str, float], thresholds: Mapping[str, Any]) -> Decision:
    """The site model's decision for ``scores`` at ``thresholds`` (its own ``decide``)."""
    from masthead.moderation.guidelines.rules import site_model

    return site_model.decide(scores, thresholds)[0]


def score_texts(texts: Sequence[str]) -> list[dict[str, float]]:
    """Per-category scores of the active site model for each text ([{}...] without one)."""
    from masthead.moderation.learning import runtime

    return runtime.score_texts(list(texts))


def check_rules() -> tuple[str, ...]:
    """The engine's rule list now: with the site model rule when a version is active (the
    learning runtime also loads or refreshes the model)."""
    from masthead.moderation.learning import runtime

    return runtime.check_rules()


def _model_result(verdict: Any) -> dict[str, Any] | None:
    if not isinstance(verdict, dict):
        return None
    for result in verdict.get("results") or []:
        if not isinstance(result, dict):
            continue
        details = result.get("details")
        if isinstance(details, dict) and isinstance(details.get("scores"), dict):
            return result
    return None


def scores_from_verdict(verdict: Any) -> dict[str, float]:
    """The site model's ``{category: score}`` in a stored ``Verdict.to_dict()``; {} if none."""
    result = _model_result(verdict)
    if result is None:
        return {}
    return {
        str(k): float(v)
        for k, v in result["details"]["scores"].items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def version_from_verdict(verdict: Any) -> str | None:
    """The model version named in a stored verdict, or None."""
    result = _model_result(verdict)
    if result is None:
        return None
    version = result["details"].get("version")
    return str(version) if version not in (None, "") else None
