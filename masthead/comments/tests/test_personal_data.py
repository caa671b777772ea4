"""Comments in "export my data" and "delete my account" (found by the reader journey)."""

from __future__ import annotations

import pytest

from masthead.accounts.services import delete_account, export_personal_data
from masthead.comments import actions
from masthead.comments.models import Comment, Reaction, Report

pytestmark = pytest.mark.django_db


def test_export_contains_comments_reactions_and_reports(alice, bob, story):
    mine = actions.post_comment(alice, story, "Alice's own words on the floods.").comment
    theirs = actions.post_comment(bob, story, "Bob's view of the floods.").comment
    actions.react(alice, theirs, Reaction.LIKE)
    actions.report_comment(alice, theirs, "spam", "Looks like an advert")

    data = export_personal_data(alice)

    assert [c["body"] for c in data["comments"]] == ["Alice's own words on the floods."]
    assert data["comments"][0]["id"] == mine.pk
    assert data["comments"][0]["story"] == "Rains flood the old city"
    assert data["comment_reactions"] == [
        {
            "comment_id": theirs.pk,
            "value": 1,
            "created_at": data["comment_reactions"][0]["created_at"],
        }
    ]
    assert [(r["comment_id"], r["reason"]) for r in data["comment_reports"]] == [
        (theirs.pk, "spam")
    ]
    assert "Bob's view" not in str(data)


def test_delete_keeps_comments_without_name_or_author(alice, bob, story, client):
    mine = actions.post_comment(alice, story, "Words that should outlive the account.").comment
    assert mine.author_name == "Alice Reader"
    theirs = actions.post_comment(bob, story, "A reply-worthy point.").comment
    actions.react(alice, theirs, Reaction.LIKE)
    actions.report_comment(alice, theirs, "spam")

    delete_account(alice)

    mine.refresh_from_db()
    assert mine.body == "Words that should outlive the account."
    assert mine.author_id is None and mine.author_name == ""
    assert not Reaction.objects.exists() and not Report.objects.exists()
    assert Comment.objects.get(pk=theirs.pk).author_name == "Bob Other"
    html = client.get(story.url).content.decode()
    assert "Words that should outlive the account." in html
    assert "Alice Reader" not in html
