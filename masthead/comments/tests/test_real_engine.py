"""The acceptance path with the real guideline engine (no fake): English published,
Hinglish rejected with its message and the text kept, an insult to another commenter
held with its reason. Skips when the engine's model packages are not installed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from masthead.comments import actions
from masthead.comments.models import Comment, CommentStatus
from masthead.comments.moderation_adapter import check_comment_text

pytest.importorskip("masthead.moderation.guidelines.pipeline")
for module in ("py3langid", "profanity_check", "wordfreq"):
    pytest.importorskip(module)

pytestmark = pytest.mark.django_db


def age_comments() -> None:
    """Move every comment a minute into the past (the engine limits posts to one per 3 s)."""
    for c in Comment.objects.all():
        Comment.objects.filter(pk=c.pk).update(created_at=c.created_at - timedelta(minutes=1))


def test_english_published_hinglish_rejected_insult_held(
    real_engine, alice_client, alice, bob, story
):
    url = reverse("comments:post", args=[story.pk])
    r = alice_client.post(
        url,
        {"body": "The drainage plan was promised years ago and nothing has been done about it."},
    )
    assert r.status_code == 302
    assert Comment.objects.get().status == CommentStatus.PUBLISHED

    age_comments()
    hinglish = "Yeh sarkar bilkul bekaar hai yaar, kuch nahi karti."
    r = alice_client.post(url, {"body": hinglish})
    assert r.status_code == 422
    html = r.content.decode()
    assert "in English" in html and f">{hinglish}</textarea>" in html
    rejected = Comment.objects.get(status=CommentStatus.REJECTED)
    assert rejected.verdict["reasons"] == ["NOT_ENGLISH"]

    age_comments()
    bobs = actions.post_comment(
        bob, story, "I think the council did what it could with the money it had."
    )
    assert bobs.status == "published"
    age_comments()
    insult = actions.post_comment(
        alice, story, "Bob Other, you are a clown and your comments are a joke."
    )
    assert insult.status in ("pending", "rejected")  # never published
    assert "PERSONAL_ATTACK" in insult.comment.verdict["reasons"]


def test_engine_failure_holds_instead_of_losing(real_engine, alice, story, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("model file missing")

    monkeypatch.setattr("masthead.comments.moderation_adapter._check", broken)
    verdict = check_comment_text("A perfectly fine comment.", alice, story)
    assert verdict.decision.name == "HOLD"
    assert actions.post_comment(alice, story, "A perfectly fine comment.").status == "pending"


def test_a_retry_after_the_rate_limit_is_published_not_held_as_a_repeat(real_engine, alice, story):
    """Found by a newcomer helper: the refused attempt counted as an earlier post, so
    following the site's advice ("wait 3 seconds and try again") held the retry as a
    REPEAT_POST, and every refused attempt restarted the wait."""
    first = "The new bus lanes have cut my commute by a quarter of an hour each day."
    second = "I would like the council to publish the figures for the other routes too."
    assert actions.post_comment(alice, story, first).status == "published"
    refused = actions.post_comment(alice, story, second)
    assert refused.status != "published" and "wait" in refused.message
    assert Comment.objects.filter(body=second, status=CommentStatus.REJECTED).exists()  # kept
    age_comments()  # the writer waited, as told
    retry = actions.post_comment(alice, story, second)
    assert retry.status == "published", retry.message
