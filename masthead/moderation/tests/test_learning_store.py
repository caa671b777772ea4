"""The decision store: one writer, recording from the queue, bulk actions and report
resolutions, erase with the member, and ``manage.py import_decisions``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from masthead.comments.models import CommentStatus, Report
from masthead.moderation import services
from masthead.moderation.learning import store
from masthead.moderation.learning.models import LabelledDecision

from .django_fixtures import *  # noqa: F403  (shared Django fixtures)
from .django_fixtures import held_verdict

pytestmark = pytest.mark.django_db


def test_record_decision_checks_label_and_source(member: Any) -> None:
    row = store.record_decision(
        "A fair point about the budget.", "acceptable", "queue", member=member
    )
    assert row is not None and row.member == member and row.label == "acceptable"
    with pytest.raises(store.DecisionStoreError, match="Unknown label 'rude'"):
        store.record_decision("text", "rude", "queue")
    with pytest.raises(store.DecisionStoreError, match="Unknown source"):
        store.record_decision("text", "abusive", "nowhere")
    assert store.record_decision("   ", "abusive", "queue") is None  # nothing to learn
    assert LabelledDecision.objects.count() == 1


def test_queue_approve_and_reject_are_recorded(
    member: Any, moderator: Any, make_comment: Any
) -> None:
    ok = make_comment(member, "A measured reply about the floods.")
    bad = make_comment(member, "You idiot, nobody asked you.", verdict=held_verdict("You idiot"))
    services.approve([ok], moderator)
    services.reject([bad], moderator)
    rows = {r.comment_id: r for r in LabelledDecision.objects.all()}
    assert rows[ok.pk].label == "acceptable" and rows[ok.pk].source == "queue"
    assert rows[ok.pk].decided_by == moderator and rows[ok.pk].member == member
    assert rows[ok.pk].text == "A measured reply about the floods."
    # no category given: the engine's reason (TOXIC) names it
    assert rows[bad.pk].label == "abusive" and rows[bad.pk].source == "queue"


def test_bulk_reject_with_category_from_the_queue_page(
    member: Any, moderator: Any, make_comment: Any
) -> None:
    a = make_comment(member, "Buy cheap watches at my shop today.")
    b = make_comment(member, "Cheap watches, best prices, visit my shop.")
    client = Client()
    client.force_login(moderator)
    response = client.post(
        reverse("moderation:bulk"),
        {"action": "reject", "ids": [a.pk, b.pk], "reason": "", "category": "spam"},
    )
    assert response.status_code == 302
    rows = LabelledDecision.objects.filter(comment__in=[a, b])
    assert sorted(rows.values_list("label", "source")) == [("spam", "bulk"), ("spam", "bulk")]


def test_bulk_form_refuses_unknown_category(member: Any, moderator: Any, make_comment: Any) -> None:
    a = make_comment(member, "Some comment text here.")
    client = Client()
    client.force_login(moderator)
    client.post(reverse("moderation:bulk"), {"action": "reject", "ids": [a.pk], "category": "x"})
    a.refresh_from_db()
    assert a.status == CommentStatus.PENDING and not LabelledDecision.objects.exists()


def test_report_resolution_is_recorded_with_the_report_reason(
    member: Any, other_member: Any, moderator: Any, make_comment: Any
) -> None:
    reported = make_comment(member, "Dave lives at 4 Elm Road, go and see him.", status="published")
    Report.objects.create(comment=reported, reporter=other_member, reason="personal")
    kept = make_comment(member, "I disagree with the mayor's plan.", status="published")
    Report.objects.create(comment=kept, reporter=other_member, reason="abuse")
    services.reject([reported], moderator)
    services.approve([kept], moderator)
    r1 = LabelledDecision.objects.get(comment=reported)
    r2 = LabelledDecision.objects.get(comment=kept)
    assert (r1.label, r1.source) == ("personal", "report")
    assert (r2.label, r2.source) == ("acceptable", "report")


def test_erasing_a_member_removes_their_texts(
    member: Any, other_member: Any, moderator: Any, make_comment: Any
) -> None:
    from masthead.accounts.services import delete_account

    mine = make_comment(member, "Alice's own words, rejected.", verdict=held_verdict("x"))
    services.reject([mine], moderator)
    store.record_decision("Alice typed this elsewhere.", "abusive", "queue", member=member)
    theirs = make_comment(other_member, "Dave's comment stays in the store.")
    services.approve([theirs], moderator)
    assert LabelledDecision.objects.count() == 3
    delete_account(member)
    assert list(LabelledDecision.objects.values_list("text", flat=True)) == [
        "Dave's comment stays in the store."
    ]
    from masthead.moderation.learning.training import load_decisions

    assert [r[1] for r in load_decisions()] == ["Dave's comment stays in the store."]


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "decisions.csv"
    path.write_text(content, encoding="utf-8")
    return path


def test_import_decisions_good_file(tmp_path: Path, capsys: Any) -> None:
    path = _write(
        tmp_path,
        'text,label\n"A kind, reasoned reply.",acceptable\nYou utter fool,ABUSIVE\n\n'
        '"multi\nline spam",spam\n',
    )
    call_command("import_decisions", str(path))
    out = capsys.readouterr().out
    assert "Imported 3 decisions" in out and "abusive 1" in out
    rows = list(LabelledDecision.objects.order_by("id").values_list("text", "label", "source"))
    assert rows == [
        ("A kind, reasoned reply.", "acceptable", "file"),
        ("You utter fool", "abusive", "file"),
        ("multi\nline spam", "spam", "file"),
    ]


def test_import_decisions_bad_rows_by_line_and_nothing_written(tmp_path: Path, capsys: Any) -> None:
    path = _write(
        tmp_path,
        "text,label\nFine words,acceptable\n,abusive\nShouting,rude\n"
        '"two\nlines",acceptable\nonly-one-column\n',
    )
    with pytest.raises(CommandError, match="3 bad row"):
        call_command("import_decisions", str(path))
    err = capsys.readouterr().err
    assert "line 3: the text is empty" in err
    assert "line 4: unknown label 'rude'" in err
    assert "line 7: expected 2 columns" in err
    assert "line 2" not in err and "line 5" not in err
    assert not LabelledDecision.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "line 1: the file is empty"),
        ("words,kind\na,b\n", "header must name the columns text and label"),
        ("text,label\n", "no decisions"),
        (
            "text,text,label\nFirst text here is fine.,Second text you idiot,abusive\n",
            "names the column text more than once",
        ),
        ("text,label,label\nA fine point.,acceptable,abusive\n", "column label more than once"),
    ],
)
def test_import_decisions_unusable_files(tmp_path: Path, content: str, message: str) -> None:
    result = store.import_decisions_file(_write(tmp_path, content))
    assert result.written == 0 and message in result.errors[0]


def test_import_decisions_not_utf8_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("text,label\nok,acceptable\ncaf\xe9 talk,acceptable\n".encode("latin-1"))
    result = store.import_decisions_file(path)
    assert (
        result.errors == ["line 3: not UTF-8 text (byte 28); save the file as UTF-8."]
        and not LabelledDecision.objects.exists()
    )
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_decisions", str(tmp_path / "missing.csv"))
