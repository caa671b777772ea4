"""The moderation queue shows the comments the model is least sure of first."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masthead.comments.models import Comment
from masthead.moderation import queue_order, site_model_api
from masthead.moderation.guidelines.base import Decision, ReasonCode, RuleResult, Verdict

from .django_fixtures import *  # noqa: F403  (shared Django fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod_client(moderator: Any) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def abuse_verdict(hold_score: float, reject_score: float | None = None) -> dict[str, Any]:
    """A stored verdict of the shipped abuse rule with these scores."""
    decision = Decision.HOLD if hold_score >= 0.3 else Decision.PUBLISH
    return Verdict(
        [
            RuleResult(
                "abuse",
                decision,
                ReasonCode.TOXIC if decision else None,
                score=hold_score,
                details={"reject_score": reject_score if reject_score is not None else 0.0},
            )
        ]
    ).to_dict()


def site_verdict(scores: dict[str, float]) -> dict[str, Any]:
    """A stored verdict with a site-model result carrying per-category scores."""
    return Verdict(
        [RuleResult("site_model", Decision.HOLD, details={"scores": scores, "version": "v2"})]
    ).to_dict()


def listed_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'name="ids" value="(\d+)"', html)]


def test_pending_defaults_to_least_sure_first(
    mod_client: Client, member: Any, make_comment: Any
) -> None:
    now = timezone.now()
    far = make_comment(member, "far above", verdict=abuse_verdict(0.9, 0.5), created_at=now)
    unscored = make_comment(
        member,
        "links",
        verdict={"decision": "hold", "reasons": ["LINKS"]},
        created_at=now - timedelta(hours=3),
    )
    near = make_comment(
        member, "near hold", verdict=abuse_verdict(0.32), created_at=now - timedelta(hours=1)
    )
    near_reject = make_comment(
        member,
        "near reject",
        verdict=abuse_verdict(0.99, 0.94),
        created_at=now - timedelta(hours=2),
    )
    url = reverse("moderation:queue", args=["pending"])
    html = mod_client.get(url).content.decode()
    # near hold (|0.32-0.30| = 0.02) and near reject (|0.94-0.95| = 0.01) beat far
    # (|0.9-0.3| = 0.6, |0.5-0.95| = 0.45); the unscored comment comes last.
    assert listed_ids(html) == [near_reject.pk, near.pk, far.pk, unscored.pk]
    assert 'aria-current="page">Least sure first' in html
    assert "Score 0.01 from a threshold" in html and "Score 0.02 from a threshold" in html

    html = mod_client.get(url, {"order": "oldest"}).content.decode()
    assert listed_ids(html) == [unscored.pk, near_reject.pk, near.pk, far.pk]
    html = mod_client.get(url, {"order": "newest"}).content.decode()
    assert listed_ids(html) == [far.pk, near.pk, near_reject.pk, unscored.pk]
    # An unknown order falls back to the default rather than failing.
    assert listed_ids(mod_client.get(url, {"order": "x"}).content.decode())[0] == near_reject.pk


def test_threshold_change_changes_order(
    mod_client: Client, member: Any, make_comment: Any, story: Any
) -> None:
    from masthead.moderation import services

    low = make_comment(member, "low", verdict=abuse_verdict(0.35))
    high = make_comment(member, "high", verdict=abuse_verdict(0.70))
    url = reverse("moderation:queue", args=["pending"])
    assert listed_ids(mod_client.get(url).content.decode()) == [low.pk, high.pk]
    conf = services.thresholds_for(None)
    services.update_thresholds(conf, {"abuse_hold_score": 0.68}, None)
    assert listed_ids(mod_client.get(url).content.decode()) == [high.pk, low.pk]


def test_site_model_scores_order_by_category_thresholds(
    mod_client: Client, member: Any, make_comment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        site_model_api, "category_thresholds", lambda: {"abusive": [0.5], "spam": [0.8]}
    )
    sure = make_comment(member, "sure", verdict=site_verdict({"abusive": 0.98, "spam": 0.01}))
    unsure_spam = make_comment(
        member, "spam?", verdict=site_verdict({"abusive": 0.1, "spam": 0.79})
    )
    unsure_abuse = make_comment(
        member, "abusive?", verdict=site_verdict({"abusive": 0.45, "spam": 0.0})
    )
    html = mod_client.get(reverse("moderation:queue", args=["pending"])).content.decode()
    assert listed_ids(html) == [unsure_spam.pk, unsure_abuse.pk, sure.pk]


def test_filters_and_pagination_follow_the_order(
    mod_client: Client, member: Any, make_comment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("masthead.moderation.views.PAGE_SIZE", 2)
    scores = [0.9, 0.31, 0.6, 0.33, 0.05]
    made = [
        make_comment(member, f"c{i} budget", verdict=abuse_verdict(s)) for i, s in enumerate(scores)
    ]
    make_comment(member, "other topic", verdict=abuse_verdict(0.30))
    url = reverse("moderation:queue", args=["pending"])
    first = listed_ids(mod_client.get(url, {"q": "budget"}).content.decode())
    second = listed_ids(mod_client.get(url, {"q": "budget", "page": 2}).content.decode())
    assert first == [made[1].pk, made[3].pk]
    assert second == [made[4].pk, made[2].pk]


def test_margin_ignores_malformed_verdicts() -> None:
    assert queue_order.margin({}, {}, 0.3, 0.95) is None
    assert (
        queue_order.margin({"results": ["x", {"rule": "abuse", "score": "high"}]}, {}, 0.3, 0.95)
        is None
    )
    assert queue_order.margin(None, {}, 0.3, 0.95) is None
    assert queue_order.margin(abuse_verdict(0.4), {}, 0.3, 0.95) == pytest.approx(0.1)


def test_ranking_is_bounded(
    member: Any, make_comment: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_order, "MAX_SORTED", 2)
    now = timezone.now()
    a = make_comment(member, "a", verdict=abuse_verdict(0.9), created_at=now - timedelta(hours=3))
    b = make_comment(member, "b", verdict=abuse_verdict(0.31), created_at=now - timedelta(hours=2))
    c = make_comment(member, "c", verdict=abuse_verdict(0.30), created_at=now - timedelta(hours=1))
    ids = queue_order.least_sure_ids(Comment.objects.all(), {}, 0.3, 0.95)
    # The two oldest are ranked; the rest follow oldest first, nothing is lost.
    assert ids == [b.pk, a.pk, c.pk]


def test_reported_tab_most_reported_by_default_least_sure_on_request(
    mod_client: Client, member: Any, other_member: Any, moderator: Any, make_comment: Any
) -> None:
    from masthead.comments.models import CommentStatus, Report

    once = make_comment(
        member, "reported once", status=CommentStatus.PUBLISHED, verdict=abuse_verdict(0.31)
    )
    twice = make_comment(
        member, "reported twice", status=CommentStatus.PUBLISHED, verdict=abuse_verdict(0.05)
    )
    Report.objects.create(comment=once, reporter=other_member, reason="abuse")
    Report.objects.create(comment=twice, reporter=other_member, reason="abuse")
    Report.objects.create(comment=twice, reporter=moderator, reason="abuse")
    url = reverse("moderation:queue", args=["reported"])
    html = mod_client.get(url).content.decode()
    assert listed_ids(html) == [twice.pk, once.pk]
    assert 'aria-current="page">Most reported first' in html
    html = mod_client.get(url, {"order": "least-sure"}).content.decode()
    assert listed_ids(html) == [once.pk, twice.pk]
    assert "2 reports" in html  # the report counts survive the re-ordering


def test_rejected_tab_has_no_order_switch(
    mod_client: Client, member: Any, make_comment: Any
) -> None:
    from masthead.comments.models import CommentStatus

    make_comment(member, "gone", status=CommentStatus.REJECTED, verdict=abuse_verdict(0.3))
    html = mod_client.get(
        reverse("moderation:queue", args=["rejected"]), {"order": "least-sure"}
    ).content.decode()
    assert "Least sure first" not in html and "from a threshold" not in html
