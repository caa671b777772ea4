"""Least-sure-first order for the moderation queue.

A comment whose score sits right at a threshold is the one the model is least sure of; a
moderator's decision on it teaches the next training the most. The *margin* of a comment is
the smallest distance between any of its stored scores and that score's threshold:

* the site model's per-category scores (from the stored verdict) against the current
  per-category thresholds, when the comment was scored by a site model;
* otherwise the shipped abuse rule: its hold score against ``abuse_hold_score`` and its
  reject score against ``abuse_reject_score``.

Comments without any score (held for links, pre-moderation, ...) come after the scored
ones, oldest first. Margins are computed in Python from the stored verdicts because the
scores sit inside a JSON list whose layout SQL cannot index portably; at most
:data:`MAX_SORTED` comments are ranked, the rest follow oldest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from masthead.moderation import services, site_model_api

#: The queue orders the moderator may choose; the first is the pending tab's default.
ORDERS = {
    "least-sure": "Least sure first",
    "oldest": "Oldest first",
    "newest": "Newest first",
}
#: Most comments ranked by margin in one request.
MAX_SORTED = 5000
#: Queue tabs where the moderator may choose the order (rejected is a history, newest first).
ORDERED_TABS = ("pending", "reported")


def chosen_order(tab: str, requested: str) -> str:
    """The order for ``tab``: ``requested`` when it is one of :data:`ORDERS`, else the
    tab's default (least sure first for pending; "" = the tab's own order otherwise)."""
    if tab not in ORDERED_TABS:
        return ""
    if requested in ORDERS:
        return requested
    return "least-sure" if tab == "pending" else ""


def order_choices(tab: str) -> list[tuple[str, str]]:
    """``[(order, label)]`` offered on ``tab`` (the reported tab adds most reported first)."""
    if tab == "reported":
        return [("", "Most reported first"), *ORDERS.items()]
    return list(ORDERS.items()) if tab in ORDERED_TABS else []


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def base_scores(verdict: Any) -> list[tuple[float, float]]:
    """``[(score, threshold_name)...]`` pairs of the shipped abuse rule in a stored verdict,
    as ``(score, kind)`` where kind 0 is the hold score and 1 the reject score."""
    if not isinstance(verdict, dict):
        return []
    for result in verdict.get("results") or []:
        if isinstance(result, dict) and result.get("rule") == "abuse":
            out = []
            hold = _num(result.get("score"))
            if hold is not None:
                out.append((hold, 0.0))
            details = result.get("details") or {}
            reject = _num(details.get("reject_score")) if isinstance(details, dict) else None
            if reject is not None:
                out.append((reject, 1.0))
            return out
    return []


def margin(
    verdict: Any,
    category_thresholds: Mapping[str, Sequence[float]],
    abuse_hold: float,
    abuse_reject: float,
) -> float | None:
    """The comment's distance from the nearest threshold (smaller = less sure), or None.

    ``category_thresholds`` maps a site-model category to its thresholds (one or more, e.g.
    hold and refuse); scores of categories without a threshold are ignored.
    """
    model = site_model_api.scores_from_verdict(verdict)
    distances = [
        abs(score - t)
        for cat, score in model.items()
        for t in category_thresholds.get(cat, ())
        if _num(t) is not None
    ]
    if not distances:
        distances = [
            abs(score - (abuse_hold if kind == 0.0 else abuse_reject))
            for score, kind in base_scores(verdict)
        ]
    return min(distances) if distances else None


def least_sure_ids(
    qs: QuerySet,
    category_thresholds: Mapping[str, Sequence[float]],
    abuse_hold: float,
    abuse_reject: float,
) -> list[int]:
    """Primary keys of ``qs`` ordered by margin (smallest first), then by age.

    Unscored comments follow the scored ones; beyond :data:`MAX_SORTED` comments the rest
    are appended oldest first.
    """
    ordered = qs.order_by("created_at", "pk")
    ranked: list[tuple[bool, float, int, int]] = []
    for position, (pk, verdict) in enumerate(
        ordered.values_list("pk", "verdict")[:MAX_SORTED].iterator(chunk_size=500)
    ):
        m = margin(verdict, category_thresholds, abuse_hold, abuse_reject)
        ranked.append((m is None, m if m is not None else 0.0, position, pk))
    ranked.sort()
    ids = [pk for *_rest, pk in ranked]
    if len(ids) == MAX_SORTED:
        ids.extend(ordered.values_list("pk", flat=True)[MAX_SORTED:])
    return ids


def least_sure_page(qs: QuerySet, number: Any, per_page: int) -> tuple[Page, list[Any]]:
    """Page ``number`` of ``qs`` ordered least sure first, against the site's current
    thresholds; each comment gets ``threshold_margin`` (None when it has no score)."""
    conf = services.thresholds_for(None)
    categories = site_model_api.category_thresholds()
    hold, reject = conf.abuse_hold_score, conf.abuse_reject_score
    page = Paginator(least_sure_ids(qs, categories, hold, reject), per_page).get_page(number)
    found = qs.filter(pk__in=list(page.object_list)).in_bulk()
    comments = [found[pk] for pk in page.object_list if pk in found]
    for comment in comments:
        comment.threshold_margin = margin(comment.verdict, categories, hold, reject)
    return page, comments
