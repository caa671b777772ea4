"""The moderation queue in the Wagtail admin, driven with the Django test client."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masthead.comments.models import Comment, CommentStatus
from masthead.moderation import services
from masthead.moderation.guidelines.base import CheckContext, ReasonCode
from masthead.moderation.models import MemberStatus, ModerationDecision, ModerationWord

from .django_fixtures import *  # noqa: F403  (shared Django fixtures)
from .django_fixtures import held_verdict

pytestmark = pytest.mark.django_db


@pytest.fixture
def mod_client(moderator: Any) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def test_pending_tab_lists_comment_with_rule_score_and_highlight(
    mod_client: Client, member: Any, make_comment: Any
) -> None:
    text = "You are an idiot <script>alert(1)</script>"
    comment = make_comment(member, text, verdict=held_verdict(text, "idiot", 0.62))
    published = make_comment(member, "already public", status=CommentStatus.PUBLISHED)
    response = mod_client.get(reverse("moderation:queue", args=["pending"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{comment.pk}"' in html
    assert f'value="{published.pk}"' not in html
    assert '<mark class="moderation-match">idiot</mark>' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "TOXIC" in html and "score 0.62" in html and "Please keep it civil." in html
    assert "Language: en (0.97)" in html
    assert "Floods in the valley" in html


def test_filters_by_reason_and_text(mod_client: Client, member: Any, make_comment: Any) -> None:
    toxic = make_comment(member, "you idiot", verdict=held_verdict("you idiot"))
    plain = make_comment(
        member, "a link spam comment", verdict={"decision": "hold", "reasons": ["LINKS"]}
    )
    url = reverse("moderation:queue", args=["pending"])
    html = mod_client.get(url, {"reason": ReasonCode.TOXIC.value}).content.decode()
    assert f'value="{toxic.pk}"' in html and f'value="{plain.pk}"' not in html
    html = mod_client.get(url, {"q": "spam"}).content.decode()
    assert f'value="{plain.pk}"' in html and f'value="{toxic.pk}"' not in html
    # Bad filter input is a clear page, not a 500.
    assert mod_client.get(url, {"reason": "NOPE", "story": "x"}).status_code == 200


def test_rejected_tab(mod_client: Client, member: Any, make_comment: Any) -> None:
    rejected = make_comment(member, "gone", status=CommentStatus.REJECTED)
    html = mod_client.get(reverse("moderation:queue", args=["rejected"])).content.decode()
    assert f'value="{rejected.pk}"' in html
    assert mod_client.get(reverse("moderation:queue", args=["nonsense"])).status_code == 302


def test_bulk_approve_changes_status_and_logs(
    mod_client: Client, moderator: Any, member: Any, make_comment: Any
) -> None:
    a = make_comment(member, "one")
    b = make_comment(member, "two")
    c = make_comment(member, "three")
    response = mod_client.post(
        reverse("moderation:bulk"),
        {
            "action": "approve",
            "ids": [a.pk, b.pk],
            "reason": "fine",
            "next": "/admin/moderation/queue/pending/",
        },
    )
    assert response.status_code == 302 and response.url == "/admin/moderation/queue/pending/"
    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses[a.pk] == statuses[b.pk] == "published" and statuses[c.pk] == "pending"
    log = ModerationDecision.objects.filter(action="approve")
    assert {d.comment_id for d in log} == {a.pk, b.pk}
    assert all(d.actor == moderator and d.reason == "fine" for d in log)


def test_bulk_reject(mod_client: Client, member: Any, make_comment: Any) -> None:
    a = make_comment(member, "one")
    mod_client.post(reverse("moderation:bulk"), {"action": "reject", "ids": [a.pk]})
    assert Comment.objects.get(pk=a.pk).status == "rejected"
    assert ModerationDecision.objects.get().action == "reject"


def test_bulk_bad_input_is_a_message_not_500(
    mod_client: Client, member: Any, make_comment: Any
) -> None:
    a = make_comment(member, "one")
    for data in (
        {"action": "approve"},
        {"action": "explode", "ids": [a.pk]},
        {"action": "approve", "ids": ["x"]},
        {"action": "approve", "ids": [999999]},
    ):
        response = mod_client.post(reverse("moderation:bulk"), data, follow=True)
        assert response.status_code == 200
        assert "error" in response.content.decode()
    assert Comment.objects.get(pk=a.pk).status == "pending"
    assert not ModerationDecision.objects.exists()
    # An off-site "next" is ignored.
    response = mod_client.post(
        reverse("moderation:bulk"),
        {"action": "approve", "ids": [a.pk], "next": "https://evil.example/"},
    )
    assert response.url == reverse("moderation:queue", args=["pending"])


def test_ban_from_member_page_stops_posting(
    mod_client: Client, member: Any, story: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = reverse("moderation:member", args=[member.pk])
    assert mod_client.get(url).status_code == 200
    response = mod_client.post(url, {"action": "ban", "reason": "abuse"})
    assert response.status_code == 302
    assert MemberStatus.objects.get(user=member).state == "banned"
    assert ModerationDecision.objects.get(action="ban").reason == "abuse"
    verdict = services.check_text("A calm and reasonable remark about the floods.", member, story)
    assert ReasonCode.BANNED_USER in verdict.reasons


def test_member_page_offers_each_action_as_a_labelled_radio(
    mod_client: Client, member: Any
) -> None:
    """Found by the reader journey: the actions rendered as bare <option>s, unclickable."""
    html = mod_client.get(reverse("moderation:member", args=[member.pk])).content.decode()
    for value in ("warn", "suspend", "ban", "premod", "unban"):
        match = re.search(
            rf'<input type="radio" name="action" value="{value}"[^>]*id="([^"]+)"', html
        )
        assert match, f"no radio for {value}"
        assert f'<label for="{match.group(1)}">' in html
    assert "<option" not in html.split('name="action"')[0][-200:]


def test_suspend_needs_future_date(mod_client: Client, member: Any) -> None:
    url = reverse("moderation:member", args=[member.pk])
    response = mod_client.post(url, {"action": "suspend", "reason": "x"})
    assert response.status_code == 400 and "Give the date" in response.content.decode()
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = mod_client.post(url, {"action": "suspend", "until": past})
    assert response.status_code == 400 and "must end in the future" in response.content.decode()
    future = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert mod_client.post(url, {"action": "suspend", "until": future}).status_code == 302
    status = MemberStatus.objects.get(user=member)
    assert status.state == "suspended" and status.is_suspended()


@pytest.mark.parametrize(
    "action,state", [("warn", "normal"), ("premod", "premoderated"), ("unban", "normal")]
)
def test_other_member_actions(mod_client: Client, member: Any, action: str, state: str) -> None:
    mod_client.post(
        reverse("moderation:member", args=[member.pk]), {"action": action, "reason": "r"}
    )
    assert MemberStatus.objects.get(user=member).state == state
    assert ModerationDecision.objects.get().action == action


def test_member_page_unknown_user_404(mod_client: Client) -> None:
    assert mod_client.get(reverse("moderation:member", args=[987654])).status_code == 404


def test_word_list_editing(mod_client: Client) -> None:
    url = reverse("moderation:words")
    assert mod_client.post(url, {"word": "Scamster", "kind": "banned"}).status_code == 302
    response = mod_client.post(url, {"word": "scamster", "kind": "banned"})
    assert response.status_code == 400 and "already on the banned list" in response.content.decode()
    assert mod_client.post(url, {"word": "", "kind": "banned"}).status_code == 400
    entry = ModerationWord.objects.get()
    assert "Scamster" in mod_client.get(url).content.decode()
    assert mod_client.post(reverse("moderation:remove-word", args=[entry.pk])).status_code == 302
    assert not ModerationWord.objects.exists()
    # Removing it twice is a message, not a 500.
    response = mod_client.post(reverse("moderation:remove-word", args=[entry.pk]), follow=True)
    assert "no longer on the list" in response.content.decode()
    assert list(ModerationDecision.objects.order_by("id").values_list("action", flat=True)) == [
        "word-added",
        "word-removed",
    ]


def test_thresholds_editing(mod_client: Client, story: Any) -> None:
    url = reverse("moderation:thresholds")
    assert mod_client.get(url).status_code == 200
    data = services.thresholds_for(story).snapshot()
    data.update(
        {"min_seconds_between_comments": 5, "new_member_daily_limit": "", "reason": "slow down"}
    )
    data["premoderate_new_members"] = "on"
    assert mod_client.post(url, data).status_code == 302
    conf = services.thresholds_for(story)
    assert conf.min_seconds_between_comments == 5 and conf.new_member_daily_limit is None
    assert conf.premoderate_new_members is True
    entry = ModerationDecision.objects.get(action="threshold-changed")
    assert entry.details["changed"]["min_seconds_between_comments"] == [3.0, 5.0]
    assert entry.reason == "slow down"
    data["abuse_reject_score"] = 7
    assert mod_client.post(url, data).status_code == 400
    assert services.thresholds_for(story).abuse_reject_score == CheckContext().abuse_reject_score


def test_decision_log_view_read_only_and_paginated(
    mod_client: Client, moderator: Any, member: Any
) -> None:
    for i in range(105):
        services.log_decision(moderator, "warn", user=member, reason=f"reason {i}")
    html = mod_client.get(reverse("moderation:log")).content.decode()
    assert "reason 104" in html and "reason 4<" not in html and "Page 1 of 2" in html
    assert "reason 4<" in mod_client.get(reverse("moderation:log"), {"page": 2}).content.decode()
    assert mod_client.post(reverse("moderation:log")).status_code == 405
    assert (
        mod_client.get(reverse("moderation:log"), {"action": "ban"})
        .content.decode()
        .count("reason ")
        == 0
    )


def test_menu_item_shown_to_moderators(mod_client: Client) -> None:
    html = mod_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "/admin/moderation/" in html


# --- access control and CSRF ----------------------------------------------------------------

ALL_GETS = [
    ("moderation:queue", ["pending"]),
    ("moderation:member", None),
    ("moderation:words", []),
    ("moderation:thresholds", []),
    ("moderation:log", []),
]


def _url(name: str, args: list | None, member: Any) -> str:
    return reverse(name, args=[member.pk] if args is None else args)


def test_anonymous_redirected_to_login(member: Any) -> None:
    client = Client()
    for name, args in ALL_GETS:
        response = client.get(_url(name, args, member))
        assert response.status_code == 302 and "login" in response.url


def _denied(response: Any) -> bool:
    """Wagtail turns PermissionDenied in admin views into a redirect to the dashboard."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def test_staff_without_permission_is_denied(member: Any, make_comment: Any) -> None:
    from django.contrib.auth.models import Permission

    editor = get_user_model().objects.create_user("erin", "erin@example.com", "pw", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client = Client()
    client.force_login(editor)
    for name, args in ALL_GETS:
        assert _denied(client.get(_url(name, args, member)))
    a = make_comment(member, "one")
    assert _denied(client.post(reverse("moderation:bulk"), {"action": "approve", "ids": [a.pk]}))
    assert _denied(client.post(reverse("moderation:member", args=[member.pk]), {"action": "ban"}))
    assert _denied(client.post(reverse("moderation:words"), {"word": "x", "kind": "banned"}))
    assert not ModerationWord.objects.exists()
    assert Comment.objects.get(pk=a.pk).status == "pending"
    assert not MemberStatus.objects.exists()
    assert "/admin/moderation/" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_plain_member_cannot_reach_admin(member: Any) -> None:
    client = Client()
    client.force_login(member)
    response = client.get(reverse("moderation:queue", args=["pending"]))
    assert response.status_code in (302, 403)


def test_superuser_may_moderate(member: Any) -> None:
    boss = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    client = Client()
    client.force_login(boss)
    assert client.get(reverse("moderation:queue", args=["pending"])).status_code == 200


def test_csrf_enforced_on_actions(moderator: Any, member: Any, make_comment: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    a = make_comment(member, "one")
    posts = [
        (reverse("moderation:bulk"), {"action": "approve", "ids": [a.pk]}),
        (reverse("moderation:member", args=[member.pk]), {"action": "ban"}),
        (reverse("moderation:words"), {"word": "x", "kind": "banned"}),
        (reverse("moderation:thresholds"), {"max_links": 9}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403
    assert Comment.objects.get(pk=a.pk).status == "pending"
    assert not ModerationDecision.objects.exists()
    # With the token from the page the same POST works.
    page = client.get(reverse("moderation:queue", args=["pending"]))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("moderation:bulk"),
        {"action": "approve", "ids": [a.pk], "csrfmiddlewaretoken": str(token)},
    )
    assert response.status_code == 302
    assert Comment.objects.get(pk=a.pk).status == "published"


def test_reported_tab_counts_reasons_and_approve_clears(
    mod_client: Client, member: Any, other_member: Any, moderator: Any, make_comment: Any
) -> None:
    from masthead.comments.models import Report

    reported = make_comment(
        member, "a published but reported remark", status=CommentStatus.PUBLISHED
    )
    quiet = make_comment(member, "nobody minds this", status=CommentStatus.PUBLISHED)
    Report.objects.create(comment=reported, reporter=other_member, reason="abuse")
    Report.objects.create(comment=reported, reporter=moderator, reason="abuse")
    url = reverse("moderation:queue", args=["reported"])
    html = mod_client.get(url).content.decode()
    assert f'value="{reported.pk}"' in html and f'value="{quiet.pk}"' not in html
    assert "2 reports" in html and "abuse × 2" in html
    assert "Reported (1)" in html
    # Approving keeps it published, resolves the reports, logs once, empties the tab.
    mod_client.post(reverse("moderation:bulk"), {"action": "approve", "ids": [reported.pk]})
    assert Comment.objects.get(pk=reported.pk).status == "published"
    assert not Report.objects.filter(resolved_at__isnull=True).exists()
    assert ModerationDecision.objects.filter(comment=reported, action="approve").count() == 1
    assert f'value="{reported.pk}"' not in mod_client.get(url).content.decode()


def test_reject_reported_comment(
    mod_client: Client, member: Any, other_member: Any, make_comment: Any
) -> None:
    from masthead.comments.models import Report

    reported = make_comment(member, "rude", status=CommentStatus.PUBLISHED)
    Report.objects.create(comment=reported, reporter=other_member, reason="personal")
    mod_client.post(
        reverse("moderation:bulk"), {"action": "reject", "ids": [reported.pk], "reason": "attack"}
    )
    assert Comment.objects.get(pk=reported.pk).status == "rejected"
    entry = ModerationDecision.objects.get(comment=reported)
    assert entry.action == "reject" and entry.reason == "attack"
