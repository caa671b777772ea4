"""The member export leaves out addresses that were never proven (an unverified sign-up,
an unconfirmed subscriber) and every staff address, wherever it is held."""

from __future__ import annotations

import csv
import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.members.models import MemberRecord
from masthead.members.services import export_csv
from masthead.newsletters.models import Subscriber, Subscription

pytestmark = pytest.mark.django_db


def exported_emails() -> set[str]:
    return {r["email"] for r in csv.DictReader(io.StringIO("".join(export_csv())))}


def test_export_leaves_out_a_sign_up_whose_address_was_never_verified(letters, reader):
    squatter = get_user_model().objects.create_user(
        username="squatter", email="victim@example.org", password="x" * 20
    )
    EmailAddress.objects.create(user=squatter, email="victim@example.org", verified=False)
    assert exported_emails() == {"reader@example.org"}
    EmailAddress.objects.filter(email="victim@example.org").update(verified=True)
    assert exported_emails() == {"reader@example.org", "victim@example.org"}


def test_export_leaves_out_an_unconfirmed_subscriber_and_what_they_asked_for(letters):
    pending = Subscriber.objects.create(email="pending@example.org")
    Subscription.objects.create(subscriber=pending, newsletter=letters["morning"])
    confirmed = Subscriber.objects.create(email="fan@example.org", confirmed_at=timezone.now())
    Subscription.objects.create(
        subscriber=confirmed, newsletter=letters["morning"], status="confirmed"
    )
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO("".join(export_csv())))}
    assert set(rows) == {"fan@example.org"}
    assert rows["fan@example.org"]["newsletters"] == "morning"


def test_export_leaves_out_staff_even_when_subscribed_or_in_an_old_record(letters, staff):
    sub = Subscriber.objects.create(email="editor@example.org", confirmed_at=timezone.now())
    Subscription.objects.create(subscriber=sub, newsletter=letters["weekly"], status="confirmed")
    MemberRecord.objects.create(
        email="editor@example.org", name="hacked", created_at=timezone.now()
    )
    MemberRecord.objects.create(email="imported@example.org", created_at=timezone.now())
    assert exported_emails() == {"imported@example.org"}
