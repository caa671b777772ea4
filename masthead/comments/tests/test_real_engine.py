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
    # refused for its rate only: the text goes back to the writer, nothing is stored
    assert refused.status == "rejected" and refused.body == second and refused.comment is None
    assert not Comment.objects.filter(body=second).exists()
    age_comments()  # the writer waited, as told
    retry = actions.post_comment(alice, story, second)
    assert retry.status == "published", retry.message


def test_a_flood_of_posts_refused_for_rate_leaves_the_queue_usable(
    real_engine, alice, alice_client, story
):
    """One member sending 100 posts in a few seconds: the first is published, every
    other one is refused (the writer is told to wait, the text comes back in the form),
    and the moderation queue gets no row for them."""
    url = reverse("comments:post", args=[story.pk])
    answers = [
        alice_client.post(url, {"body": f"Flood post number {i} about the new bus lanes today."})
        for i in range(100)
    ]
    assert answers[0].status_code == 302
    published = [r for r in answers if r.status_code == 302]
    refused = [r for r in answers if r.status_code != 302]
    # posts more than 3 s apart on a slow machine are published; every other one refused
    # a rate refusal is "too many requests": 429 with how long to wait
    assert len(refused) >= 50 and {r.status_code for r in refused} == {429}
    assert all(1 <= int(r["Retry-After"]) <= 3 for r in refused)
    assert "too quickly" in refused[-1].content.decode()
    assert "about the new bus lanes today." in refused[-1].content.decode()  # text kept
    assert Comment.objects.count() == len(published)
    assert not Comment.objects.filter(status=CommentStatus.REJECTED).exists()


def test_forty_rapid_script_posts_answer_429_with_retry_after_and_store_nothing(
    real_engine, alice, alice_client, story
):
    """The same flood from a script client: each refusal is JSON ``{"ok": false,
    "code": "rate_limited", "message": ...}`` with ``Retry-After``; no rejected rows."""
    url = reverse("comments:post", args=[story.pk])
    answers = [
        alice_client.post(
            url,
            {"body": f"Scripted post number {i} about the tram timetable."},
            headers={"X-Requested-With": "XMLHttpRequest"},
        )
        for i in range(40)
    ]
    assert answers[0].status_code == 201
    refused = [r for r in answers if r.status_code not in (201, 202)]
    assert len(refused) >= 20 and {r.status_code for r in refused} == {429}
    body = refused[-1].json()
    assert body["ok"] is False and body["code"] == "rate_limited"
    assert "too quickly" in body["message"] and "tram timetable" in body["body"]
    assert int(refused[-1]["Retry-After"]) >= 1
    assert Comment.objects.count() == len(answers) - len(refused)
    assert not Comment.objects.filter(status=CommentStatus.REJECTED).exists()
