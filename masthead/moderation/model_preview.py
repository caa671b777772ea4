"""Preview of a threshold change: how last month's comments would have been decided.

For each comment of the last :data:`PREVIEW_DAYS` days that carries a guideline verdict,
the site model's per-category scores are taken from the stored verdict when the version in
use scored it; comments decided before (by the base model or another version) are re-scored
with the current model, at most :data:`RESCORE_LIMIT` of them (newest first), so the page
stays fast.

The same scores are then decided twice by the learning package's own decision function:
at the current thresholds and at the proposed ones. The other rules' outcome (gates, links,
word lists, member status, ...) is read from the stored verdict and kept, so a comment
refused for its length stays refused whatever the thresholds. Nothing is saved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from masthead.comments.models import Comment, CommentStatus
from masthead.moderation import site_model_api
from masthead.moderation.guidelines.base import Decision

#: How far back the preview looks.
PREVIEW_DAYS = 30
#: Most comments re-scored when their verdict holds no site-model scores.
RESCORE_LIMIT = 300
#: Most comments read from the stored verdicts.
STORED_LIMIT = 20000
#: Example comments shown per kind of change.
EXAMPLES_PER_CHANGE = 3
#: Longest example text shown (characters).
EXAMPLE_CHARS = 280

LABELS = {Decision.PUBLISH: "published", Decision.HOLD: "held", Decision.REJECT: "refused"}

Thresholds = Mapping[str, Mapping[str, float | None]]


@dataclass
class Flip:
    """One comment whose outcome the new thresholds change."""

    comment_id: int
    text: str
    before: str
    after: str
    scores: dict[str, float]


@dataclass
class Preview:
    """Counts before/after, the changes between outcomes and a few examples of each."""

    since: datetime
    rescore_limit: int = RESCORE_LIMIT
    total: int = 0
    from_stored: int = 0
    rescored: int = 0
    not_rescored: int = 0
    before: Counter = field(default_factory=Counter)
    after: Counter = field(default_factory=Counter)
    changes: Counter = field(default_factory=Counter)
    examples: list[Flip] = field(default_factory=list)

    @property
    def changed(self) -> int:
        """How many comments change outcome."""
        return sum(self.changes.values())

    def rows(self) -> list[dict[str, Any]]:
        """Per outcome: before, after and the difference (for the page's table)."""
        return [
            {
                "label": label,
                "before": self.before[label],
                "after": self.after[label],
                "delta": self.after[label] - self.before[label],
            }
            for label in LABELS.values()
        ]

    def change_rows(self) -> list[dict[str, Any]]:
        """``[{"before", "after", "count", "examples"}]`` for each kind of change."""
        return [
            {
                "before": b,
                "after": a,
                "count": n,
                "examples": [f for f in self.examples if (f.before, f.after) == (b, a)],
            }
            for (b, a), n in sorted(self.changes.items(), key=lambda kv: -kv[1])
        ]


def _stored_decision(verdict: dict[str, Any]) -> Decision:
    """The most severe decision of the stored results the site model does not replace
    (everything but the site model's own result and the base abuse rule's)."""
    worst = Decision.PUBLISH
    for result in verdict.get("results") or []:
        if not isinstance(result, dict) or result.get("rule") in site_model_api.MODEL_RULES:
            continue
        try:
            worst = max(worst, Decision[str(result.get("decision", "publish")).upper()])
        except KeyError:
            continue
    return worst


def preview_thresholds(
    proposed: Thresholds,
    *,
    current: Thresholds | None = None,
    now: datetime | None = None,
    decide: Callable[[Mapping[str, float], Thresholds], Decision] | None = None,
    score_texts: Callable[[list[str]], list[dict[str, float]]] | None = None,
    version: str | None = None,
) -> Preview:
    """Compare decisions at ``current`` (default: the active version's) and ``proposed``
    thresholds over the last :data:`PREVIEW_DAYS` days of comments (see module doc)."""
    decide = decide or site_model_api.decide
    score_texts = score_texts or site_model_api.score_texts
    current = current if current is not None else site_model_api.active_thresholds()
    version = version if version is not None else site_model_api.current_version_label()
    now = now or timezone.now()
    out = Preview(since=now - timedelta(days=PREVIEW_DAYS), rescore_limit=RESCORE_LIMIT)
    rows = (
        Comment.objects.filter(created_at__gte=out.since, created_at__lte=now)
        .exclude(status=CommentStatus.DELETED)
        .exclude(verdict={})
        .order_by("-created_at", "-id")
        .values_list("pk", "body", "verdict")[:STORED_LIMIT]
    )
    scored: list[tuple[int, str, dict[str, Any], dict[str, float]]] = []
    to_rescore: list[tuple[int, str, dict[str, Any]]] = []
    for pk, body, verdict in rows.iterator(chunk_size=500):
        if not isinstance(verdict, dict) or not verdict.get("results"):
            continue
        scores = site_model_api.scores_from_verdict(verdict)
        if scores and site_model_api.version_from_verdict(verdict) == version:
            scored.append((pk, body, verdict, scores))
            out.from_stored += 1
        elif len(to_rescore) < out.rescore_limit:
            to_rescore.append((pk, body, verdict))
        else:
            out.not_rescored += 1
    if to_rescore:
        fresh = score_texts([body for _pk, body, _v in to_rescore])
        for (pk, body, verdict), scores in zip(to_rescore, fresh, strict=True):
            if scores:
                scored.append((pk, body, verdict, scores))
                out.rescored += 1
            else:
                out.not_rescored += 1
    for pk, body, verdict, scores in scored:
        others = _stored_decision(verdict)
        before = LABELS[max(others, decide(scores, current))]
        after = LABELS[max(others, decide(scores, proposed))]
        out.total += 1
        out.before[before] += 1
        out.after[after] += 1
        if before != after:
            out.changes[(before, after)] += 1
            if out.changes[(before, after)] <= EXAMPLES_PER_CHANGE:
                text = body if len(body) <= EXAMPLE_CHARS else body[: EXAMPLE_CHARS - 1] + "…"
                out.examples.append(Flip(pk, text, before, after, scores))
    return out
