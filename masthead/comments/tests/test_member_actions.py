"""Edit window, delete placeholder, reactions, reports, moderator decisions, My comments."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.test import Client, override_settings
from django.urls import reverse

from masthead.comments import actions
from masthead.comments.models import Comment, CommentStatus, Reaction, Report
from masthead.moderation.guidelines.base import Decision, ReasonCode

pytestmark = pytest.mark.django_db


# --- edit ---------------------------------------------------------------------------------


def test_edit_within_window_rechecks_and_marks_edited(alice, story, engine):
    c = actions.post_comment(alice, story, "Original text here.").comment
    r = actions.edit_comment(alice, c, "Corrected text here.")
    assert r.status == "published" and r.message == "Your change is saved."
    c.refresh_from_db()
    assert c.body == "Corrected text here." and c.edited_at is not None
    assert engine.calls[-1] == "Corrected text here."


def test_edit_rejected_keeps_old_version_and_returns_new_text(alice, story, engine):
    c = actions.post_comment(alice, story, "Original text here.").comment
    engine.set(Decision.REJECT, ReasonCode.NOT_ENGLISH, "English, please.")
    r = actions.edit_comment(alice, c, "Bilkul sahi baat hai.")
    assert (
        r.status == "rejected"
        and r.body == "Bilkul sahi baat hai."
        and r.message == "English, please."
    )
    c.refresh_from_db()
    assert c.body == "Original text here." and c.status == CommentStatus.PUBLISHED


def test_edit_held_goes_back_to_pending(alice, story, engine):
    c = actions.post_comment(alice, story, "Original text here.").comment
    engine.set(Decision.HOLD, ReasonCode.SUSPECT_WORD, "")
    assert actions.edit_comment(alice, c, "Edited with a suspect word.").status == "pending"
    c.refresh_from_db()
    assert c.status == CommentStatus.PENDING


@override_settings(MASTHEAD_COMMENTS_EDIT_WINDOW_MINUTES=10)
def test_edit_after_window_is_refused(alice, story):
    c = actions.post_comment(alice, story, "Original text here.").comment
    Comment.objects.filter(pk=c.pk).update(created_at=c.created_at - timedelta(minutes=11))
    c.refresh_from_db()
    r = actions.edit_comment(alice, c, "Too late to change.")
    assert r.code == "edit_window" and "10 minutes" in r.message and r.http_status == 403
    c.refresh_from_db()
    assert c.body == "Original text here."


def test_edit_someone_elses_comment_is_refused(alice, bob, story):
    c = actions.post_comment(alice, story, "Alice wrote this.").comment
    assert actions.edit_comment(bob, c, "Bob changed it.").code == "not_yours"


def test_edit_view_get_and_post(alice_client, bob, alice, story):
    c = actions.post_comment(alice, story, "Original text here.").comment
    url = reverse("comments:edit", args=[c.pk])
    assert "Original text here.</textarea>" in alice_client.get(url).content.decode()
    r = alice_client.post(url, {"body": "Edited through the page."})
    assert r.status_code == 302 and r["Location"].endswith(f"#comment-{c.pk}")
    other = Client()
    other.force_login(bob)
    assert other.get(url).status_code == 404  # others' comments are invisible here
    assert other.post(url, {"body": "hijack"}).status_code == 404


def test_edit_view_rejection_keeps_text(alice_client, alice, story, engine):
    c = actions.post_comment(alice, story, "Original text here.").comment
    engine.set(Decision.REJECT, ReasonCode.NOT_SENTENCES, "Full sentences, please.")
    r = alice_client.post(reverse("comments:edit", args=[c.pk]), {"body": "meh"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "Full sentences, please." in html and ">meh</textarea>" in html


# --- delete -------------------------------------------------------------------------------


def test_delete_keeps_replies_under_placeholder(alice, bob, story, client):
    top = actions.post_comment(alice, story, "Secret words of the parent.").comment
    actions.post_comment(bob, story, "The reply stays visible.", parent=top)
    assert actions.delete_own_comment(alice, top).ok
    top.refresh_from_db()
    assert top.status == CommentStatus.DELETED
    html = client.get(story.url).content.decode()
    assert "This comment was deleted by its author." in html
    assert "The reply stays visible." in html
    assert "Secret words of the parent." not in html
    assert actions.delete_own_comment(alice, top).message == "This comment was already deleted."


def test_deleted_comment_without_replies_disappears(alice, story, client):
    c = actions.post_comment(alice, story, "Gone entirely soon.").comment
    actions.delete_own_comment(alice, c)
    html = client.get(story.url).content.decode()
    assert "Gone entirely soon." not in html and "deleted by its author" not in html


def test_delete_others_refused(alice_client, alice, bob, story):
    c = actions.post_comment(bob, story, "Bob's comment text.").comment
    assert actions.delete_own_comment(alice, c).http_status == 403
    c2 = actions.post_comment(bob, story, "Another Bob comment.").comment
    assert alice_client.post(reverse("comments:delete", args=[c2.pk])).status_code == 404
    c2.refresh_from_db()
    assert c2.status == CommentStatus.PUBLISHED


def test_delete_view(alice_client, alice, story):
    c = actions.post_comment(alice, story, "To be deleted.").comment
    url = reverse("comments:delete", args=[c.pk])
    assert "Delete your comment?" in alice_client.get(url).content.decode()
    assert alice_client.post(url).status_code == 302
    c.refresh_from_db()
    assert c.status == CommentStatus.DELETED


# --- reactions ----------------------------------------------------------------------------


def test_reactions_one_per_member_idempotent_clear_and_switch(alice, bob, make_member, story):
    c = actions.post_comment(alice, story, "React to me.").comment
    assert actions.react(bob, c, 1).data == {"like_count": 1, "dislike_count": 0, "value": 1}
    # the same intent again (a double click, a resubmitted form) changes nothing
    assert actions.react(bob, c, 1).data == {"like_count": 1, "dislike_count": 0, "value": 1}
    assert actions.react(bob, c, 0).data == {"like_count": 0, "dislike_count": 0, "value": 0}
    assert actions.react(bob, c, 0).data == {"like_count": 0, "dislike_count": 0, "value": 0}
    actions.react(bob, c, 1)
    assert actions.react(bob, c, -1).data == {"like_count": 0, "dislike_count": 1, "value": -1}
    carol = make_member("carol")
    assert actions.react(carol, c, -1).data["dislike_count"] == 2
    assert Reaction.objects.filter(comment=c).count() == 2
    with pytest.raises(IntegrityError):
        Reaction.objects.create(comment=c, user=bob, value=1)


def test_reaction_rules(alice, bob, make_member, story):
    c = actions.post_comment(alice, story, "React to me.").comment
    assert actions.react(alice, c, 1).http_status == 403  # own comment
    assert actions.react(bob, c, 5).http_status == 400
    unverified = make_member("dave", verified=False)
    assert actions.react(unverified, c, 1).http_status == 403
    actions.delete_own_comment(alice, c)
    c.refresh_from_db()
    assert actions.react(bob, c, 1).http_status == 404


def test_react_view_html_and_json(client, alice, bob, story):
    c = actions.post_comment(alice, story, "React to me.").comment
    url = reverse("comments:react", args=[c.pk])
    assert client.post(url, {"value": "like"}).status_code == 302  # anonymous → sign in
    client.force_login(bob)
    r = client.post(url, {"value": "like"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 200 and r.json()["like_count"] == 1
    assert client.post(url, {"value": "love"}).status_code == 400
    r = client.post(url, {"value": "dislike"})
    assert r.status_code == 302
    c.refresh_from_db()
    assert (c.like_count, c.dislike_count) == (0, 1)


# --- reports ------------------------------------------------------------------------------


def test_report_once_per_member(alice, bob, story):
    c = actions.post_comment(alice, story, "Reportable words.").comment
    r = actions.report_comment(bob, c, "abuse", "Insults another reader")
    assert r.ok and r.http_status == 201
    again = actions.report_comment(bob, c, "spam")
    assert again.ok and "already reported" in again.message
    assert Report.objects.count() == 1 and Report.objects.open().get().reason == "abuse"


def test_report_rules(alice, bob, story):
    c = actions.post_comment(alice, story, "Reportable words.").comment
    assert actions.report_comment(bob, c, "nonsense").http_status == 400
    assert actions.report_comment(alice, c, "abuse").http_status == 403
    assert not Report.objects.exists()


def test_report_view(client, alice, bob, story):
    c = actions.post_comment(alice, story, "Reportable words.").comment
    url = reverse("comments:report", args=[c.pk])
    r = client.get(url)
    assert r.status_code == 302 and "next=" in r["Location"]
    client.force_login(bob)
    assert "Which house rule" in client.get(url).content.decode()
    r = client.post(url, {})
    assert r.status_code == 400 and "choose a reason" in r.content.decode()
    r = client.post(url, {"reason": "personal", "note": "Names a neighbour"}, follow=True)
    assert "Our moderators will review this comment." in r.content.decode()
    assert Report.objects.get().note == "Names a neighbour"
    assert client.get(reverse("comments:report", args=[424242])).status_code == 404


# --- moderator decisions ------------------------------------------------------------------


def test_approve_and_reject_resolve_reports(alice, bob, make_member, story, engine):
    carol = make_member("carol")
    engine.set(Decision.HOLD, ReasonCode.PERSONAL_ATTACK, "")
    held = actions.post_comment(alice, story, "Held for review.").comment
    assert actions.approve_comment(held, carol, "fine").ok
    held.refresh_from_db()
    assert held.status == CommentStatus.PUBLISHED
    actions.report_comment(bob, held, "abuse")
    actions.reject_comment(held, carol, "on reflection no")
    held.refresh_from_db()
    assert held.status == CommentStatus.REJECTED
    assert Report.objects.get().resolved_by == carol


# --- My comments --------------------------------------------------------------------------


def test_my_comments_lists_own_comments_with_status(
    alice_client, alice, bob, story, make_story, engine
):
    other = make_story("Second story")
    actions.post_comment(alice, story, "Published one.")
    engine.set(Decision.HOLD, ReasonCode.SUSPECT_WORD, "")
    actions.post_comment(alice, other, "Pending one.")
    engine.set(Decision.REJECT, ReasonCode.NOT_ENGLISH, "Please write in English.")
    actions.post_comment(alice, story, "Rejected one.")
    engine.set(Decision.PUBLISH)
    actions.post_comment(bob, story, "Bob's not mine.")
    html = alice_client.get(reverse("comments:mine")).content.decode()
    assert "Published one." in html and "Pending one." in html and "Rejected one." in html
    assert "Awaiting review" in html and "Not published: needs changes" in html
    assert "Please write in English." in html and "Second story" in html
    assert "Bob&#x27;s not mine." not in html and "Bob's not mine." not in html


def test_my_comments_requires_sign_in(client):
    r = client.get(reverse("comments:mine"))
    assert r.status_code == 302 and "next=/comments/mine/" in r["Location"]
