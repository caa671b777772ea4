"""The "Guidelines model" admin page: permissions, CSRF, promote/rollback, thresholds
(validation, preview, save) and the SVG charts' escaping."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masthead.comments.models import CommentStatus
from masthead.moderation import site_model_api
from masthead.moderation.guidelines.base import Decision, ReasonCode, RuleResult, Verdict
from masthead.moderation.learning import versions
from masthead.moderation.learning.models import GuidelineModelVersion
from masthead.moderation.models import DecisionAction, ModerationDecision

from .django_fixtures import *  # noqa: F403  (shared Django fixtures)

pytestmark = pytest.mark.django_db

LABELS = ["acceptable", "abusive", "spam"]
THRESHOLDS = {"abusive": {"hold": 0.5, "reject": 0.9}, "spam": {"hold": 0.7, "reject": None}}


@pytest.fixture(autouse=True)
def models_dir(tmp_path: Path, settings: Any) -> Path:
    settings.MASTHEAD_GUIDELINES_MODELS_DIR = str(tmp_path / "models")
    return tmp_path / "models"


@pytest.fixture
def make_version() -> Any:
    """Factory: a version row with a real (tiny) model file, optionally active."""

    def factory(name: str, *, active: bool = False, **fields: Any) -> GuidelineModelVersion:
        file_name, sha = versions.save_model_file({"dummy": name}, name)
        metrics = {
            "macro_f1": 0.8,
            "labels": LABELS,
            "per_category": {
                "acceptable": {"precision": 0.9, "recall": 0.95, "f1": 0.92, "support": 80},
                "abusive": {"precision": 0.7, "recall": 0.6, "f1": 0.65, "support": 20},
            },
            "pr_curve": {"abusive": [[0.2, 0.9, 0.8], [0.6, 0.7, 0.5], [0.9, 0.4, 0.2]]},
            "confusion": {"labels": ["acceptable", "abusive"], "matrix": [[76, 4], [8, 12]]},
            "compared_with": {"name": "base", "macro_f1": 0.6, "per_category": {}},
        }
        values = {
            "file_name": file_name,
            "sha256": sha,
            "n_decisions": 400,
            "n_holdout": 100,
            "labels": LABELS,
            "metrics": metrics,
            "thresholds": THRESHOLDS,
            "is_active": active,
            "promoted_at": timezone.now() if active else None,
        }
        values.update(fields)
        return GuidelineModelVersion.objects.create(name=name, **values)

    return factory


@pytest.fixture
def mod_client(moderator: Any) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def staff_client(db: None) -> Client:
    """Staff with admin access but without the moderation permission."""
    from django.contrib.auth.models import Permission

    user = get_user_model().objects.create_user("eve", "eve@example.com", "pw-eve-12345")
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(user)
    return client


def denied(response: Any) -> bool:
    """Refused: 403, or Wagtail's redirect to the dashboard (PermissionDenied in an admin
    view) or to its login page (no admin access at all)."""
    if response.status_code == 403:
        return True
    return response.status_code == 302 and (
        response.url == reverse("wagtailadmin_home")
        or response.url.startswith(reverse("wagtailadmin_login"))
    )


def site_verdict(scores: dict[str, float], decision: Decision = Decision.PUBLISH) -> dict:
    return Verdict(
        [
            RuleResult("length", details={"length": 20}),
            RuleResult(
                "site_model",
                decision,
                ReasonCode.TOXIC if decision else None,
                score=scores.get("abusive"),
                details={"version": "site-1", "scores": scores},
            ),
        ]
    ).to_dict()


# --- the page ----------------------------------------------------------------------------


def test_page_without_site_model_says_base_decides(mod_client: Client, make_version: Any) -> None:
    make_version("site-1")  # trained but never promoted
    response = mod_client.get(reverse("moderation:model"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The shipped <strong>base</strong> model decides new comments" in html
    assert (
        reverse("moderation:model-promote", args=[GuidelineModelVersion.objects.get().pk]) in html
    )
    assert "Roll back" not in html
    assert 'name="abusive__hold"' not in html  # no thresholds form without a site model


def test_page_shows_active_version_figures_and_charts(
    mod_client: Client, make_version: Any
) -> None:
    make_version("site-1")
    make_version("site-2", active=True, n_decisions=1234)
    html = mod_client.get(reverse("moderation:model")).content.decode()
    assert "<strong>site-2</strong> decides new comments" in html
    assert "<strong>1234</strong> moderator decisions" in html
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="moderation-chart"') == 3
    assert "<polyline" in html and "abusive at threshold 0.50" in html  # hold marked
    assert "<td>0.700</td><td>0.600</td><td>0.650</td><td>20</td>" in html
    assert 'value="0.5"' in html and 'value="0.9"' in html  # current thresholds
    assert "in use</span>" in html


def test_other_version_figures_by_query(mod_client: Client, make_version: Any) -> None:
    old = make_version("site-1", metrics={"macro_f1": 0.42, "per_category": {}})
    make_version("site-2", active=True)
    html = mod_client.get(reverse("moderation:model"), {"version": old.pk}).content.decode()
    assert "Held-out figures of site-1 (not in use)" in html and "0.420" in html
    # A bad or unknown id shows the active version, not an error.
    for bad in ("999", "x"):
        html = mod_client.get(reverse("moderation:model"), {"version": bad}).content.decode()
        assert "Held-out figures of site-2" in html


def test_category_names_are_escaped_in_svg_and_table(mod_client: Client, make_version: Any) -> None:
    evil = '<script>alert("x")</script>'
    make_version(
        "site-1",
        active=True,
        metrics={
            "per_category": {evil: {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 1}},
            "pr_curve": {evil: [[0.1, 0.2, 0.3]]},
            "confusion": {"labels": [evil], "matrix": [[3]]},
        },
        thresholds={},
        labels=["acceptable"],
    )
    html = mod_client.get(reverse("moderation:model")).content.decode()
    assert "<script>alert" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 4


def test_menu_has_the_page(mod_client: Client) -> None:
    html = mod_client.get(reverse("moderation:log")).content.decode()
    assert f'href="{reverse("moderation:model")}"' in html


# --- permissions and CSRF ----------------------------------------------------------------


def test_anonymous_is_sent_to_login(make_version: Any) -> None:
    v = make_version("site-1")
    client = Client()
    for url in (
        reverse("moderation:model"),
        reverse("moderation:model-promote", args=[v.pk]),
        reverse("moderation:model-rollback"),
    ):
        assert client.get(url).status_code == 302
        assert client.post(url).status_code == 302
    v.refresh_from_db()
    assert not v.is_active


def test_staff_without_permission_is_denied_everything(
    staff_client: Client, make_version: Any
) -> None:
    old = make_version("site-1")
    current = make_version("site-2", active=True, previous=old)
    posts = [
        (reverse("moderation:model-promote", args=[old.pk]), {}),
        (reverse("moderation:model-rollback"), {}),
        (
            reverse("moderation:model"),
            {"action": "save", "abusive__hold": "0.1", "spam__hold": "0.1"},
        ),
        (
            reverse("moderation:model"),
            {"action": "preview", "abusive__hold": "0.1", "spam__hold": "0.1"},
        ),
    ]
    assert denied(staff_client.get(reverse("moderation:model")))
    assert denied(staff_client.get(reverse("moderation:model-promote", args=[old.pk])))
    for url, data in posts:
        assert denied(staff_client.post(url, data))
    current.refresh_from_db()
    assert current.is_active and current.thresholds == THRESHOLDS
    assert not ModerationDecision.objects.exists()


def test_permission_is_rechecked_on_post(
    moderator: Any, mod_client: Client, make_version: Any
) -> None:
    """A moderator who loses the permission after opening the confirmation page cannot promote."""
    v = make_version("site-1")
    assert mod_client.get(reverse("moderation:model-promote", args=[v.pk])).status_code == 200
    from django.contrib.auth.models import Permission

    moderator.user_permissions.add(Permission.objects.get(codename="access_admin"))
    moderator.groups.clear()  # still in the admin, no longer a moderator
    response = mod_client.post(reverse("moderation:model-promote", args=[v.pk]))
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    assert denied(mod_client.post(reverse("moderation:model-promote", args=[v.pk])))
    v.refresh_from_db()
    assert not v.is_active


def test_csrf_enforced_on_every_post(moderator: Any, make_version: Any) -> None:
    old = make_version("site-1")
    make_version("site-2", active=True, previous=old)
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    for url in (
        reverse("moderation:model-promote", args=[old.pk]),
        reverse("moderation:model-rollback"),
        reverse("moderation:model"),
    ):
        assert client.post(url, {"action": "save", "abusive__hold": "0.1"}).status_code == 403
    assert GuidelineModelVersion.objects.get(is_active=True).name == "site-2"
    page = client.get(reverse("moderation:model-promote", args=[old.pk]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert token is not None
    response = client.post(
        reverse("moderation:model-promote", args=[old.pk]),
        {"csrfmiddlewaretoken": token.group(1)},
    )
    assert response.status_code == 302
    assert GuidelineModelVersion.objects.get(is_active=True).name == "site-1"


# --- promote and rollback -----------------------------------------------------------------


def test_promote_asks_first_then_promotes_and_logs(
    mod_client: Client, moderator: Any, make_version: Any
) -> None:
    v = make_version("site-1", better_than_active=False)
    url = reverse("moderation:model-promote", args=[v.pk])
    page = mod_client.get(url).content.decode()
    assert "Yes, promote site-1" in page and f'action="{url}"' in page
    assert "did not find it better" in page
    v.refresh_from_db()
    assert not v.is_active  # GET changes nothing
    response = mod_client.post(url, follow=True)
    assert "site-1 now decides new comments." in response.content.decode()
    v.refresh_from_db()
    assert v.is_active and v.promoted_by == moderator
    entry = ModerationDecision.objects.get(action=DecisionAction.MODEL_PROMOTED)
    assert entry.actor == moderator


def test_promote_refusals_are_messages(
    mod_client: Client, make_version: Any, models_dir: Path
) -> None:
    broken = make_version("site-1")
    (models_dir / broken.file_name).write_bytes(b"not the file we wrote")
    response = mod_client.post(reverse("moderation:model-promote", args=[broken.pk]), follow=True)
    assert "site-1 cannot be used" in response.content.decode()
    broken.refresh_from_db()
    assert not broken.is_active
    active = make_version("site-2", active=True)
    response = mod_client.post(reverse("moderation:model-promote", args=[active.pk]), follow=True)
    assert "already the model in use" in response.content.decode()
    assert mod_client.get(reverse("moderation:model-promote", args=[9999])).status_code == 404
    assert mod_client.post(reverse("moderation:model-promote", args=[9999])).status_code == 404


def test_rollback_goes_to_previous_then_base(mod_client: Client, make_version: Any) -> None:
    first = make_version("site-1")
    mod_client.post(reverse("moderation:model-promote", args=[first.pk]))
    second = make_version("site-2")
    mod_client.post(reverse("moderation:model-promote", args=[second.pk]))
    page = mod_client.get(reverse("moderation:model-rollback")).content.decode()
    assert (
        "<strong>site-2</strong> will stop deciding" in page and "<strong>site-1</strong>" in page
    )
    response = mod_client.post(reverse("moderation:model-rollback"), follow=True)
    assert "Rolled back: site-1 now decides new comments." in response.content.decode()
    assert GuidelineModelVersion.objects.get(is_active=True) == first
    mod_client.post(reverse("moderation:model-rollback"))
    assert not GuidelineModelVersion.objects.filter(is_active=True).exists()
    assert site_model_api.current_version_label() == "base"
    # Nothing left to roll back: a message, no error.
    response = mod_client.post(reverse("moderation:model-rollback"), follow=True)
    assert "nothing to roll back" in response.content.decode()
    response = mod_client.get(reverse("moderation:model-rollback"), follow=True)
    assert "nothing to roll back" in response.content.decode()
    assert ModerationDecision.objects.filter(action=DecisionAction.MODEL_ROLLED_BACK).count() == 2


# --- thresholds -------------------------------------------------------------------------


def _post(client: Client, action: str, **values: str) -> Any:
    data = {"action": action, "abusive__hold": "0.5", "abusive__reject": "0.9", "spam__hold": "0.7"}
    data.update(values)
    return client.post(reverse("moderation:model"), data)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("abusive__hold", "1.5", "between 0 and 1"),
        ("abusive__hold", "-0.1", "between 0 and 1"),
        ("spam__hold", "abc", "Give a number between 0 and 1"),
        ("spam__hold", "nan", "Give a number between 0 and 1"),
        ("spam__hold", "", "Give a score between 0 and 1"),
        ("abusive__reject", "0.4", "must be at least its hold score"),
    ],
)
def test_threshold_validation(
    mod_client: Client, make_version: Any, field: str, value: str, message: str
) -> None:
    v = make_version("site-1", active=True)
    response = _post(mod_client, "save", **{field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    v.refresh_from_db()
    assert v.thresholds == THRESHOLDS
    assert not ModerationDecision.objects.exists()


def test_save_thresholds_logs(mod_client: Client, moderator: Any, make_version: Any) -> None:
    v = make_version("site-1", active=True)
    response = _post(mod_client, "save", abusive__hold="0.35", abusive__reject="")
    assert response.status_code == 302
    v.refresh_from_db()
    assert v.thresholds == {
        "abusive": {"hold": 0.35, "reject": None},
        "spam": {"hold": 0.7, "reject": None},
    }
    entry = ModerationDecision.objects.get(action=DecisionAction.MODEL_THRESHOLDS)
    assert entry.actor == moderator


def test_threshold_post_without_site_model(mod_client: Client) -> None:
    response = mod_client.post(reverse("moderation:model"), {"action": "save"}, follow=True)
    assert "no thresholds to change" in response.content.decode()


def test_preview_counts_and_examples_from_stored_scores(
    mod_client: Client, member: Any, make_comment: Any, make_version: Any
) -> None:
    v = make_version("site-1", active=True)
    now = timezone.now()
    make_comment(
        member,
        "calm remark",
        status=CommentStatus.PUBLISHED,
        verdict=site_verdict({"abusive": 0.1, "spam": 0.0}),
    )
    make_comment(
        member,
        "edgy <b>remark</b>",
        status=CommentStatus.PUBLISHED,
        verdict=site_verdict({"abusive": 0.45, "spam": 0.0}),
    )
    make_comment(
        member, "nasty remark", verdict=site_verdict({"abusive": 0.6, "spam": 0.0}, Decision.HOLD)
    )
    make_comment(
        member,
        "very nasty",
        status=CommentStatus.REJECTED,
        verdict=site_verdict({"abusive": 0.95, "spam": 0.0}, Decision.REJECT),
    )
    make_comment(
        member,
        "old edgy remark",
        status=CommentStatus.PUBLISHED,
        verdict=site_verdict({"abusive": 0.45, "spam": 0.0}),
        created_at=now - timedelta(days=45),
    )
    # Lower hold 0.5 -> 0.4: the edgy remark would be held; refuse 0.9 -> 0.55: the
    # nasty one would be refused. The 45-day-old comment is outside the month.
    response = _post(mod_client, "preview", abusive__hold="0.4", abusive__reject="0.55")
    assert response.status_code == 200
    html = response.content.decode()
    assert "4 comments compared" in html and "4 from stored scores" in html
    assert "<strong>2</strong> would be decided differently" in html
    assert '<th scope="row">published</th><td>2</td><td>1</td><td>-1</td>' in html
    assert '<th scope="row">refused</th><td>1</td><td>2</td><td>+1</td>' in html
    assert "1 published → held" in html and "1 held → refused" in html
    assert "edgy &lt;b&gt;remark&lt;/b&gt;" in html and "old edgy" not in html
    v.refresh_from_db()
    assert v.thresholds == THRESHOLDS  # a preview saves nothing
    assert not ModerationDecision.objects.exists()


def test_preview_keeps_other_rules_and_rescores_unscored(
    mod_client: Client,
    member: Any,
    make_comment: Any,
    make_version: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_version("site-1", active=True)
    too_long = Verdict(
        [
            RuleResult("length", Decision.REJECT, ReasonCode.TOO_LONG, "too long"),
            RuleResult(
                "site_model", score=0.1, details={"scores": {"abusive": 0.1}, "version": "site-1"}
            ),
        ]
    ).to_dict()
    make_comment(member, "x" * 50, status=CommentStatus.REJECTED, verdict=too_long)
    base_only = Verdict([RuleResult("abuse", Decision.HOLD, ReasonCode.TOXIC, score=0.4)]).to_dict()
    make_comment(member, "scored by the base model", verdict=base_only)
    make_comment(member, "no verdict at all")  # imported, never checked: left out
    by_older = Verdict(
        [
            RuleResult(
                "site_model", score=0.9, details={"scores": {"abusive": 0.9}, "version": "site-0"}
            )
        ]
    ).to_dict()
    make_comment(member, "scored by an older version", verdict=by_older)
    seen: list[list[str]] = []

    def fake_score(texts: list[str]) -> list[dict[str, float]]:
        seen.append(list(texts))
        return [{"abusive": 0.2}] * len(texts)

    monkeypatch.setattr(site_model_api, "score_texts", fake_score)
    html = _post(mod_client, "preview", abusive__hold="0.05").content.decode()
    # Scores stored by another version are not the current model's: re-scored too.
    assert sorted(seen[0]) == ["scored by an older version", "scored by the base model"]
    assert "3 comments compared" in html and "1 from stored scores, 2 re-scored" in html
    # The too-long comment stays refused however low the abuse threshold; the two
    # re-scored ones (0.2) are published at hold 0.5 and held at 0.05.
    assert "2 published → held" in html
    assert "refused → " not in html


def test_preview_rescores_a_bounded_sample(
    mod_client: Client,
    member: Any,
    make_comment: Any,
    make_version: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from masthead.moderation import model_preview

    make_version("site-1", active=True)
    base_only = Verdict([RuleResult("abuse", score=0.2)]).to_dict()
    now = timezone.now()
    for i in range(3):
        make_comment(member, f"comment {i}", verdict=base_only, created_at=now - timedelta(hours=i))
    monkeypatch.setattr(model_preview, "RESCORE_LIMIT", 2)
    seen: list[list[str]] = []

    def fake_score(texts: list[str]) -> list[dict[str, float]]:
        seen.append(list(texts))
        return [{"abusive": 0.1}] * len(texts)

    monkeypatch.setattr(site_model_api, "score_texts", fake_score)
    html = _post(mod_client, "preview").content.decode()
    assert seen == [["comment 0", "comment 1"]]  # the newest, at most RESCORE_LIMIT
    assert "2 re-scored; 1 without scores not re-scored: at most 2 are re-scored" in html
