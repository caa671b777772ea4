"""Every service writes the decision log; the log cannot be changed or deleted and
survives the deletion of the comment and user it points at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from masthead.comments.models import Comment, CommentStatus
from masthead.moderation import services
from masthead.moderation.models import AppendOnlyError, MemberStatus, ModerationDecision

from .django_fixtures import *  # noqa: F403  (shared Django fixtures)

pytestmark = pytest.mark.django_db


def actions() -> list[str]:
    return list(ModerationDecision.objects.order_by("id").values_list("action", flat=True))


def test_member_actions_log_and_change_status(member: Any, moderator: Any) -> None:
    until = timezone.now() + timedelta(days=1)
    services.warn_member(member, "be kind", moderator)
    services.warn_member(member, "second time", moderator)
    services.suspend_member(member, until, "cool off", moderator)
    services.ban_member(member, "abuse", moderator)
    services.set_premoderation(member, "trial", moderator)
    services.lift_restrictions(member, "appeal upheld", moderator)
    assert actions() == ["warn", "warn", "suspend", "ban", "premod", "unban"]
    status = MemberStatus.objects.get(user=member)
    assert status.warnings == 2 and status.state == "normal" and status.updated_by == moderator
    entry = ModerationDecision.objects.get(action="suspend")
    assert entry.actor == moderator and entry.actor_name == "carol"
    assert entry.user == member and entry.user_name == "Alice"
    assert entry.reason == "cool off"
    assert entry.details["until"] == until.isoformat()


def test_suspension_must_end_in_future(member: Any, moderator: Any) -> None:
    with pytest.raises(services.ModerationError, match="future"):
        services.suspend_member(member, timezone.now() - timedelta(minutes=1), "x", moderator)
    assert not ModerationDecision.objects.exists()


def test_bulk_approve_and_reject(member: Any, moderator: Any, make_comment: Any) -> None:
    a = make_comment(member, "one", verdict={"decision": "hold", "reasons": ["TOXIC"]})
    b = make_comment(member, "two")
    published = make_comment(member, "three", status=CommentStatus.PUBLISHED)
    deleted = make_comment(member, "four", status=CommentStatus.DELETED)
    changed = services.approve([a, b.pk, published, deleted], moderator, "fine")
    assert {c.pk for c in changed} == {a.pk, b.pk}
    assert set(Comment.objects.filter(status="published").values_list("pk", flat=True)) == {
        a.pk,
        b.pk,
        published.pk,
    }
    assert Comment.objects.get(pk=deleted.pk).status == "deleted"
    log = ModerationDecision.objects.get(comment=a)
    assert (
        log.action == "approve"
        and log.verdict["reasons"] == ["TOXIC"]
        and log.comment_text == "one"
    )
    assert log.user == member and log.reason == "fine"

    changed = services.reject([a, published], moderator, "off topic")
    assert len(changed) == 2
    assert Comment.objects.get(pk=a.pk).status == "rejected"
    assert actions().count("reject") == 2
    # Doing it again changes nothing and logs nothing more.
    assert services.reject([a], moderator, "again") == []
    assert actions().count("reject") == 2


def test_word_and_threshold_changes_logged(moderator: Any, story: Any) -> None:
    entry = services.add_word("swindler", "suspect", moderator, "new scam wave")
    with pytest.raises(services.ModerationError, match="already"):
        services.add_word("SWINDLER", "suspect", moderator)
    with pytest.raises(services.ModerationError):
        services.add_word("   ", "banned", moderator)
    with pytest.raises(services.ModerationError):
        services.add_word("x", "purple", moderator)
    services.remove_word(entry, moderator)
    with pytest.raises(services.ModerationError):
        services.remove_word(entry.pk, moderator)
    conf = services.thresholds_for(story)
    services.update_thresholds(conf, {"max_links": 4}, moderator, "link spam is down")
    services.update_thresholds(conf, {"max_links": 4}, moderator)  # no change, no entry
    assert actions() == ["word-added", "word-removed", "threshold-changed"]
    t = ModerationDecision.objects.get(action="threshold-changed")
    assert t.details == {"changed": {"max_links": [2, 4]}}
    assert ModerationDecision.objects.get(action="word-removed").details == {
        "word": "swindler",
        "kind": "suspect",
    }


def test_threshold_change_outside_services_is_logged(story: Any) -> None:
    conf = services.thresholds_for(story)
    conf.max_length = 1234
    conf.save()
    entry = ModerationDecision.objects.get(action="threshold-changed")
    assert entry.actor is None and entry.details["changed"]["max_length"] == [5000, 1234]


def test_log_cannot_be_changed_or_deleted(member: Any, moderator: Any) -> None:
    entry = services.log_decision(moderator, "warn", user=member, reason="x")
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ModerationDecision.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        ModerationDecision.objects.filter(pk=entry.pk).update(reason="rewritten")
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert ModerationDecision.objects.get(pk=entry.pk).reason == "x"


def test_unknown_action_refused(moderator: Any) -> None:
    with pytest.raises(services.ModerationError):
        services.log_decision(moderator, "obliterate")


def test_log_survives_comment_story_and_user_deletion(
    member: Any, moderator: Any, make_comment: Any
) -> None:
    comment = make_comment(member, "remember me")
    services.reject([comment], moderator, "rude")
    services.ban_member(member, "rude", moderator)
    comment.delete()
    member.delete()
    moderator.delete()
    assert ModerationDecision.objects.count() == 2
    entry = ModerationDecision.objects.get(action="reject")
    assert entry.comment is None and entry.user is None and entry.actor is None
    assert (
        entry.comment_text == "remember me"
        and entry.user_name == "Alice"
        and entry.actor_name == "carol"
    )


def test_log_survives_story_deletion(
    member: Any, moderator: Any, make_comment: Any, story: Any
) -> None:
    comment = make_comment(member, "on a story that goes away")
    services.approve([comment], moderator)
    story.delete()
    assert ModerationDecision.objects.get().comment_text == "on a story that goes away"
