"""Bad input: each case gets a clear response and nothing is stored twice."""

from __future__ import annotations

import pytest
from django.test import override_settings

from masthead.comments import actions
from masthead.comments.models import Comment
from masthead.comments.templatetags.comment_tags import render_comment_body

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["", "   \n\t  \n", "\u200b\u200b\u202e", "\r\n\r\n"])
def test_empty_or_invisible_only(alice, story, engine, text):
    r = actions.post_comment(alice, story, text)
    assert r.status == "invalid" and r.code == "empty" and r.http_status == 400
    assert "empty" in r.message
    assert not Comment.objects.exists() and engine.calls == []


def test_100_kb_is_refused_with_the_numbers_and_text_kept(alice, story, engine):
    text = "A sentence about the flood. " * 3700  # ~100 KB
    r = actions.post_comment(alice, story, text)
    assert r.code == "too_long" and r.http_status == 400
    assert "the limit is 5,000" in r.message and f"{len(text.strip()):,}" in r.message
    assert r.body == text.strip()
    assert not Comment.objects.exists() and engine.calls == []


@override_settings(MASTHEAD_COMMENTS_MAX_LENGTH=20)
def test_length_limit_is_configurable(alice, story):
    one_over = actions.post_comment(alice, story, "x" * 21)
    assert one_over.code == "too_long"
    assert one_over.message.endswith("shorten it by 1 character.")
    assert actions.post_comment(alice, story, "x" * 22).message.endswith("by 2 characters.")
    assert actions.post_comment(alice, story, "Twenty chars exactly").status == "published"


@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\x07", "\x7f"])
def test_control_characters_are_refused_and_removed_from_the_kept_text(alice, story, bad):
    r = actions.post_comment(alice, story, f"Hello{bad} world, how are you?")
    assert r.code == "control_chars" and r.http_status == 400
    assert "control characters" in r.message
    assert r.body.startswith("Hello") and "\x00" not in r.body and "\x1b" not in r.body
    assert not Comment.objects.exists()


def test_hidden_characters_are_removed_before_the_check_and_the_writer_is_told(
    alice, story, engine
):
    hidden = "You are an i\u200bd\u200bi\u200bo\u200bt and \u202eevil\u202c."
    r = actions.post_comment(alice, story, hidden)
    assert engine.calls == ["You are an idiot and evil."]  # the check sees the real words
    assert r.comment.body == "You are an idiot and evil."
    assert "removed 6 invisible formatting characters" in r.full_message


def test_emoji_joiner_is_kept(alice, story, engine):
    family = "Proud family \U0001f468\u200d\U0001f469\u200d\U0001f467 today."
    r = actions.post_comment(alice, story, family)
    assert r.comment.body == family and not r.notes


def test_html_and_script_are_stored_as_text_and_rendered_escaped(alice, story):
    payload = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1"><b>bold</b>'
    r = actions.post_comment(alice, story, payload)
    assert r.comment.body == payload
    html = str(render_comment_body(r.comment.body))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html


def test_double_submit_with_same_nonce_returns_the_first_comment(alice, story, engine):
    first = actions.post_comment(alice, story, "Only once please.", idempotency_key="nonce-1")
    second = actions.post_comment(alice, story, "Only once please.", idempotency_key="nonce-1")
    assert second.duplicate and second.comment.pk == first.comment.pk
    assert second.status == "published" and second.http_status == 200
    assert Comment.objects.count() == 1 and len(engine.calls) == 1


def test_same_text_again_within_window_is_not_stored_twice(alice, story):
    first = actions.post_comment(alice, story, "Same words again.", idempotency_key="a")
    second = actions.post_comment(alice, story, "Same words again.", idempotency_key="b")
    assert second.duplicate and second.comment.pk == first.comment.pk
    assert Comment.objects.count() == 1


def test_rejected_text_resubmitted_is_not_stored_twice(alice, story, engine):
    from masthead.moderation.guidelines.base import Decision, ReasonCode

    engine.set(Decision.REJECT, ReasonCode.NOT_SENTENCES, "Please write in full sentences.")
    actions.post_comment(alice, story, "lol ok", idempotency_key="a")
    again = actions.post_comment(alice, story, "lol ok", idempotency_key="b")
    assert again.status == "rejected" and again.message == "Please write in full sentences."
    assert again.body == "lol ok"
    assert Comment.objects.count() == 1


def test_nonce_race_integrity_error_returns_existing(alice, story, monkeypatch):
    first = actions.post_comment(alice, story, "Racing comment one.", idempotency_key="race")
    # simulate the lookup missing the row (a concurrent request inserted it meanwhile)
    real_filter = Comment.objects.filter
    calls = {"n": 0}

    def flaky_filter(*args, **kwargs):
        if kwargs.get("idempotency_key") == "race" and calls["n"] == 0:
            calls["n"] += 1
            return Comment.objects.none()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Comment.objects, "filter", flaky_filter)
    again = actions.post_comment(alice, story, "Racing comment two.", idempotency_key="race")
    assert again.duplicate and again.comment.pk == first.comment.pk
    assert Comment.objects.count() == 1


def test_a_reused_nonce_on_another_comment_never_drops_the_new_one(
    alice, story, make_story, settings
):
    other = make_story("Another story for the nonce")
    first = actions.post_comment(
        alice, story, "A first thoughtful comment on this story.", idempotency_key="fixed"
    )
    second = actions.post_comment(
        alice, other, "A different comment on another story.", idempotency_key="fixed"
    )
    assert second.comment is not None and second.comment.pk != first.comment.pk
    assert second.comment.story_id == other.pk
    assert Comment.objects.filter(body="A different comment on another story.").count() == 1


def test_nul_characters_are_reported_and_the_text_kept(client, alice, story):
    from django.urls import reverse

    client.force_login(alice)
    response = client.post(
        reverse("comments:post", args=[story.pk]), {"body": "Hello\x00 world, this is fine."}
    )
    html = response.content.decode()
    assert "control characters" in html
    assert "Hello world, this is fine." in html
    assert not Comment.objects.exists()
