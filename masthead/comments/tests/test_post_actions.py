"""post_comment: every rule's outcome reaches the writer; nothing is stored silently."""

from __future__ import annotations

import pytest
from django.test import override_settings

from masthead.comments import actions
from masthead.comments.models import Comment, CommentStatus
from masthead.moderation.guidelines.base import Decision, ReasonCode

pytestmark = pytest.mark.django_db


def test_published_comment_is_stored_with_verdict(alice, story, engine):
    result = actions.post_comment(
        alice, story, "The drainage plan was promised in 2019. What happened?"
    )
    assert result.status == "published" and result.ok and result.http_status == 201
    c = result.comment
    assert c.pk and c.status == CommentStatus.PUBLISHED and c.author == alice
    assert c.author_name == "Alice Reader"  # never the email
    assert c.verdict["decision"] == "publish"
    assert result.message == "Your comment is published."
    assert engine.calls == ["The drainage plan was promised in 2019. What happened?"]


def test_held_comment_is_pending_and_writer_told(alice, story, engine):
    engine.set(
        Decision.HOLD, ReasonCode.PERSONAL_ATTACK, "Please argue with the point, not the person."
    )
    result = actions.post_comment(alice, story, "You are clearly an idiot, Bob.")
    assert result.status == "pending" and result.http_status == 202
    assert result.comment.status == CommentStatus.PENDING
    assert "awaiting review" in result.message
    assert result.comment.verdict["reasons"] == ["PERSONAL_ATTACK"]


def test_rejected_comment_is_stored_as_rejected_and_text_returned(alice, story, engine):
    engine.set(Decision.REJECT, ReasonCode.NOT_ENGLISH, "Please write your comment in English.")
    text = "Yeh bahut bura hai yaar, sarkar kuch nahi karti."
    result = actions.post_comment(alice, story, text, idempotency_key="k1")
    assert result.status == "rejected" and result.http_status == 422 and not result.ok
    assert result.message == "Please write your comment in English."
    assert result.body == text
    stored = Comment.objects.get()
    assert stored.status == CommentStatus.REJECTED and stored.body == text
    # a fixed text from the same (re-rendered) form is a new comment, not the rejected one
    engine.set(Decision.PUBLISH)
    fixed = actions.post_comment(
        alice, story, "The government should act on drainage.", idempotency_key="k2"
    )
    assert fixed.status == "published" and fixed.comment.pk != stored.pk


def test_reject_without_engine_message_still_tells_the_writer(alice, story, engine):
    engine.set(Decision.REJECT, ReasonCode.TOXIC, "")
    result = actions.post_comment(alice, story, "Some text here.")
    assert "community guidelines" in result.message


def test_anonymous_and_unverified_cannot_post(make_member, story):
    from django.contrib.auth.models import AnonymousUser

    r = actions.post_comment(AnonymousUser(), story, "Hello there, everyone.")
    assert r.status == "invalid" and r.code == "not_member" and r.http_status == 403
    carol = make_member("carol", verified=False)
    r = actions.post_comment(carol, story, "Hello there, everyone.")
    assert r.code == "unverified" and "confirm your email" in r.message
    assert r.body == "Hello there, everyone."
    assert not Comment.objects.exists()


def test_reply_threads_under_parent(alice, bob, story):
    top = actions.post_comment(alice, story, "First thought on this story.").comment
    reply = actions.post_comment(bob, story, "I agree with your first thought.", parent=top)
    assert reply.status == "published"
    assert reply.comment.parent == top and reply.comment.depth == 1


@pytest.mark.parametrize(
    "status", [CommentStatus.DELETED, CommentStatus.PENDING, CommentStatus.REJECTED]
)
def test_reply_to_unpublished_parent_is_refused(alice, bob, story, status):
    top = actions.post_comment(alice, story, "First thought on this story.").comment
    Comment.objects.filter(pk=top.pk).update(status=status)
    top.refresh_from_db()
    r = actions.post_comment(bob, story, "My reply to that.", parent=top)
    assert r.status == "invalid" and r.code == "bad_parent" and r.http_status == 400
    assert r.body == "My reply to that."
    assert Comment.objects.count() == 1


def test_reply_to_comment_of_another_story_is_refused(alice, bob, story, make_story):
    other = make_story("Another story")
    top = actions.post_comment(alice, other, "Comment on the other story.").comment
    r = actions.post_comment(bob, story, "Reply in the wrong place.", parent=top)
    assert r.code == "bad_parent"


@override_settings(MASTHEAD_COMMENTS_MAX_DEPTH=2)
def test_depth_limit(alice, bob, story):
    top = actions.post_comment(alice, story, "Level zero comment.").comment
    one = actions.post_comment(bob, story, "Level one reply.", parent=top).comment
    r = actions.post_comment(alice, story, "Level two reply.", parent=one)
    assert r.code == "too_deep" and "earlier comment" in r.message


def test_closed_story_refuses_with_reason(alice, story):
    story.comments_mode = "closed"
    story.save()
    r = actions.post_comment(alice, story, "Is anyone there?")
    assert r.code == "closed" and r.http_status == 403 and "closed" in r.message
    assert r.body == "Is anyone there?"
    assert not Comment.objects.exists()


def test_reply_on_closed_thread_is_refused(alice, bob, story):
    top = actions.post_comment(alice, story, "Posted while open.").comment
    story.comments_mode = "closed"
    story.save()
    r = actions.post_comment(bob, story, "Replying after closing.", parent=top)
    assert r.code == "closed"
    assert Comment.objects.count() == 1


def test_only_readers_entitled_to_a_subscribers_only_story_comment_on_it(
    alice, make_member, make_story, client
):
    """A member who is not a subscriber cannot comment or react on a story only
    subscribers read, and the story's thread says why instead of showing the form."""
    from masthead.articles.models import AccessLevel
    from masthead.metering.models import Subscription

    story = make_story("For subscribers", access_level=AccessLevel.SUBSCRIBERS)
    r = actions.post_comment(alice, story, "I would like to say something here.")
    assert r.status == "invalid" and r.code == "subscribers_only" and r.http_status == 403
    assert r.body == "I would like to say something here."
    client.force_login(alice)
    html = client.get(story.url).content.decode()
    assert "Only subscribers can comment on this story." in html
    assert 'name="body"' not in html and "Manage your email addresses" not in html
    subscriber = make_member("sam")
    Subscription.objects.create(user=subscriber, plan="monthly", status="active")
    posted = actions.post_comment(subscriber, story, "A subscriber's view on this story.")
    assert posted.status == "published"
    assert actions.react(alice, posted.comment, 1).http_status == 403
    assert Comment.objects.count() == 1
