"""Imported comments' old moderation state goes into the guidelines decision store."""

from __future__ import annotations

import pytest

from masthead.moderation.learning.models import LabelledDecision

from .conftest import FILES

pytestmark = pytest.mark.django_db


def test_disqus_states_are_recorded_once(story_at, run_import):
    story_at("/news/story-1")
    run_import(FILES / "forward_refs.xml", "--source", "fw")
    rows = sorted(LabelledDecision.objects.values_list("text", "label", "source"))
    # p1 isDeleted: not recorded (its author may have removed it; no reason is known);
    # p2 approved -> acceptable; p3 (spam) is in the holding area
    assert rows == [("Reply written before its parent appears", "acceptable", "import")]
    assert all(r.comment_id for r in LabelledDecision.objects.all())
    run_import(FILES / "forward_refs.xml", "--source", "fw")  # re-import: nothing new
    assert LabelledDecision.objects.count() == 1


def test_csv_status_column_spam_recorded_pending_not(story_at, run_import, tmp_path):
    story_at("/a/story")
    path = tmp_path / "c.csv"
    path.write_text(
        "id,thread_id,thread_url,thread_title,parent_id,author_name,author_email,created_at,body,status\n"
        "1,s1,https://example.com/a/story/,A,,Ann,ann@example.com,2021-03-04T05:06:07Z,Good point,approved\n"
        "2,s1,https://example.com/a/story/,A,,Bob,,2021-03-04T06:00:00Z,Awaiting,pending\n"
        "3,s1,https://example.com/a/story/,A,,Eve,,2021-03-04T07:00:00Z,Buy pills,spam\n",
        encoding="utf-8",
    )
    run_import(path, "--format", "csv", "--source", "c")
    assert sorted(LabelledDecision.objects.values_list("text", "label")) == [
        ("Buy pills", "spam"),
        ("Good point", "acceptable"),
    ]


def test_dry_run_records_nothing(story_at, run_import):
    story_at("/news/story-1")
    run_import(FILES / "forward_refs.xml", "--source", "fw", "--dry-run")
    assert not LabelledDecision.objects.exists()
