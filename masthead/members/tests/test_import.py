"""Member CSV import: idempotent, consent evidence kept, offers only with recorded
consent, no re-subscribing, bad rows reported by line with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from masthead.members.models import MemberRecord
from masthead.members.services import import_csv
from masthead.newsletters.models import ConsentEvent, OffersConsent, Subscriber, Subscription

pytestmark = pytest.mark.django_db

HEADER = (
    "email,name,note,subscribed_to_emails,complimentary_plan,labels,created_at,"
    "newsletters,offers_consent,offers_consent_at,offers_consent_source\n"
)
GOOD = HEADER + (
    'Ann@Example.org,Ann Lee,Met at the fair,true,false,"vip,2024",2023-01-05T10:20:30.000Z,'
    "morning,true,2023-02-01T08:00:00Z,ghost signup form\n"
    "ben@example.org,Ben,,true,true,,2022-06-01 09:00:00,,false,,\n"
    "cy@example.org,Cy,,false,false,,2021-01-01T00:00:00Z,,false,,\n"
)


def run(text: str, **kwargs):  # noqa: ANN003, ANN201
    return import_csv(text.encode(), "ghost", **kwargs)


def test_import_creates_members_subscriptions_and_consent_evidence(letters):
    outcome = run(GOOD)
    assert outcome.done is not None, outcome.checked.errors
    ann = MemberRecord.objects.get(email="ann@example.org")
    assert (ann.name, ann.note, ann.labels) == ("Ann Lee", "Met at the fair", "vip,2024")
    assert ann.created_at == datetime(2023, 1, 5, 10, 20, 30, tzinfo=UTC)
    assert MemberRecord.objects.get(email="ben@example.org").complimentary_plan is True
    # Ann: the listed newsletter; Ben: subscribed with none listed -> every editorial list
    subs = set(
        Subscription.objects.filter(status="confirmed").values_list(
            "subscriber__email", "newsletter__slug"
        )
    )
    assert subs == {
        ("ann@example.org", "morning"),
        ("ben@example.org", "morning"),
        ("ben@example.org", "weekly"),
    }
    assert not Subscriber.objects.filter(email="cy@example.org").exists()  # not subscribed
    event = ConsentEvent.objects.get(email="ann@example.org", action="subscribed")
    assert event.source == "import:ghost"
    assert event.created_at == datetime(2023, 1, 5, 10, 20, 30, tzinfo=UTC)
    offers = OffersConsent.objects.get(subscriber__email="ann@example.org")
    assert offers.granted and offers.source == "ghost signup form"
    assert offers.changed_at == datetime(2023, 2, 1, 8, tzinfo=UTC)
    on = ConsentEvent.objects.get(action="offers_on")
    assert on.email == "ann@example.org" and on.source == "ghost signup form"
    assert not OffersConsent.objects.filter(subscriber__email="ben@example.org").exists()
    assert outcome.done.consent_events == 4 and outcome.done.members_created == 3


def test_import_is_idempotent(letters):
    run(GOOD)
    counts = (
        MemberRecord.objects.count(),
        Subscriber.objects.count(),
        Subscription.objects.count(),
        ConsentEvent.objects.count(),
        OffersConsent.objects.count(),
    )
    again = run(GOOD).done
    assert again.members_created == 0 and again.members_updated == 3
    assert again.subscriptions_created == 0 and again.consent_events == 0
    assert counts == (
        MemberRecord.objects.count(),
        Subscriber.objects.count(),
        Subscription.objects.count(),
        ConsentEvent.objects.count(),
        OffersConsent.objects.count(),
    )


def test_offers_never_without_recorded_consent(letters):
    text = HEADER + "dan@example.org,Dan,,true,false,,,,true,,\n"
    outcome = run(text)
    assert outcome.done is None
    assert outcome.checked.errors == [
        (
            2,
            "offers_consent is true but offers_consent_at (when they consented) is empty: "
            "offers are only turned on with recorded consent",
        )
    ]
    text = HEADER + "dan@example.org,Dan,,true,false,,,offers,false,,\n"
    assert run(text).checked.errors[0][1] == "an offers newsletter is listed without offers consent"
    assert not OffersConsent.objects.exists() and not MemberRecord.objects.exists()


def test_a_later_withdrawal_here_stands_and_unsubscribed_stay_unsubscribed(letters):
    sub = Subscriber.objects.create(email="ann@example.org")
    OffersConsent.objects.create(
        subscriber=sub, granted=False, changed_at=datetime(2024, 1, 1, tzinfo=UTC), source="x"
    )
    Subscription.objects.create(
        subscriber=sub, newsletter=letters["morning"], status=Subscription.Status.UNSUBSCRIBED
    )
    done = run(GOOD).done
    assert not OffersConsent.objects.get(
        subscriber=sub
    ).granted  # consent of 2023 < 2024 withdrawal
    assert Subscription.objects.get(subscriber=sub).status == "unsubscribed"
    assert done.kept_unsubscribed == 1
    assert not ConsentEvent.objects.filter(email="ann@example.org").exists()


def test_pending_double_opt_in_is_confirmed_with_evidence(letters):
    sub = Subscriber.objects.create(email="ben@example.org")
    Subscription.objects.create(subscriber=sub, newsletter=letters["weekly"])
    done = run(GOOD).done
    assert done.subscriptions_confirmed == 1
    assert (
        Subscription.objects.get(subscriber=sub, newsletter=letters["weekly"]).status == "confirmed"
    )
    assert Subscriber.objects.get(pk=sub.pk).confirmed_at is not None
    assert (
        ConsentEvent.objects.filter(email="ben@example.org", newsletter=letters["weekly"]).count()
        == 1
    )


def test_bad_rows_are_reported_by_line_and_nothing_is_written(letters):
    text = HEADER + (
        "ok@example.org,Fine,,true,false,,,,false,,\n"
        "not-an-email,X,,true,false,,,,false,,\n"
        "ok@example.org,Again,,maybe,false,,,,false,,\n"
        "\n"
        "late@example.org,L,,true,false,,2999-01-01T00:00:00Z,nosuch,false,,\n"
        "when@example.org,W,,true,false,,yesterday,,false,,\n"
    )
    outcome = run(text)
    assert outcome.done is None
    lines = dict(outcome.checked.errors)
    assert set(lines) == {3, 4, 6, 7}
    assert "not an email address" in lines[3]
    assert "also on line 2" in lines[4] and "subscribed_to_emails must be true or false" in lines[4]
    assert "created_at is in the future" in lines[6] and "unknown newsletter nosuch" in lines[6]
    assert "created_at is not a date" in lines[7]
    assert not MemberRecord.objects.exists() and not Subscriber.objects.exists()
    assert not ConsentEvent.objects.exists()


def test_file_level_problems(letters):
    checked = run("name,note\nA,B\n").checked
    assert checked.problem.startswith("The header has no email column")
    assert checked.error_count == 0 and not checked.ok
    outcome = import_csv(b"email\n\xff\xfe@x\n", "x")
    assert outcome.done is None and "not UTF-8" in outcome.checked.problem


def test_ghost_extra_columns_are_ignored_and_named(letters):
    text = "id,email,name,stripe_customer_id,subscribed_to_emails\n1,e@example.org,E,cus_1,true\n"
    outcome = run(text)
    assert outcome.done is not None
    assert outcome.checked.ignored_columns == ["id", "stripe_customer_id"]
    assert Subscription.objects.filter(subscriber__email="e@example.org").count() == 2


def test_dry_run_writes_nothing(letters):
    done = run(GOOD, dry_run=True).done
    assert done.dry_run and done.members_created == 3 and done.subscriptions_created == 3
    assert not MemberRecord.objects.exists() and not ConsentEvent.objects.exists()


def test_an_error_while_writing_leaves_nothing(letters, monkeypatch):
    def boom(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("disk full")

    monkeypatch.setattr("masthead.members.importer._offers", boom)
    with pytest.raises(RuntimeError):
        run(GOOD)
    assert not MemberRecord.objects.exists() and not Subscription.objects.exists()


def test_management_commands(letters, tmp_path, capsys):
    good = tmp_path / "ghost.csv"
    good.write_text(GOOD)
    call_command("import_members", str(good))
    assert "members_created 3" in capsys.readouterr().out
    assert ConsentEvent.objects.filter(source="import:ghost").exists()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "nope,,,,,,,,,,\n")
    with pytest.raises(CommandError, match="1 bad row"):
        call_command("import_members", str(bad))
    assert "line 2:" in capsys.readouterr().err
    out = tmp_path / "out.csv"
    call_command("export_members", str(out))
    assert out.read_text().startswith(HEADER.strip())


def test_account_export_and_deletion_cover_the_imported_record(letters, reader):
    run("email,name,note\nreader@example.org,Rae,Met at the fair\nother@example.org,O,\n")
    from masthead.accounts.signals import collect_personal_data, erase_personal_data

    sections = dict(
        kv for _, reply in collect_personal_data.send(None, user=reader) for kv in reply.items()
    )
    assert sections["imported_member"][0]["note"] == "Met at the fair"
    erase_personal_data.send(None, user=reader)
    assert list(MemberRecord.objects.values_list("email", flat=True)) == ["other@example.org"]
