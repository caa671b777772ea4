"""The one place the admin page, the queue order and ``check_comments`` reach the site's
own guidelines model (trained, versioned and promoted in :mod:`masthead.moderation.learning`).

Thin calls only: training, promotion, rollback and the decision itself belong to the
learning package. This module reads the figures the page shows and finds the model's
per-category scores in a stored verdict.
"""

from __future__ import annotations

from typing import Any

#: Label of the shipped base model (no site model promoted yet).
BASE_LABEL = "base"


def current_version_label() -> str:
    """The label of the model deciding new comments now ("base" without a site model)."""
    return BASE_LABEL


def category_thresholds() -> dict[str, list[float]]:
    """The current per-category thresholds of the site model, ``{category: [t, ...]}``
    ({} while the base model decides)."""
    return {}


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
