"""Newsletters in "export my data" and "delete my account" (found by the reader journey)."""

from __future__ import annotations

import pytest

from masthead.accounts.services import delete_account, export_personal_data
from masthead.newsletters import services
from masthead.newsletters.models import ConsentEvent, Subscription

pytestmark = pytest.mark.django_db


def test_export_lists_subscriptions_offers_and_consent_log(alice, newsletter):
    subscriber = services.subscriber_for_user(alice)
    services.subscribe_confirmed(subscriber, newsletter, services.SOURCE_ACCOUNT_PAGE)
    services.set_offers(subscriber, True, services.SOURCE_ACCOUNT_PAGE)

    data = export_personal_data(alice)

    assert [(s["newsletter"], s["status"]) for s in data["newsletter_subscriptions"]] == [
        (newsletter.name, "confirmed")
    ]
    assert data["offers_consent"] == [{"email": "alice@example.org", "granted": True}]
    assert [e["action"] for e in data["newsletter_consent_log"]] == ["subscribed", "offers_on"]


def test_deleting_the_account_stops_newsletters_and_offers(alice, newsletter):
    subscriber = services.subscriber_for_user(alice)
    services.subscribe_confirmed(subscriber, newsletter, services.SOURCE_ACCOUNT_PAGE)
    services.set_offers(subscriber, True, services.SOURCE_ACCOUNT_PAGE)
    assert list(services.recipients_for(newsletter)) == [subscriber]

    delete_account(alice)

    assert list(services.recipients_for(newsletter)) == []
    assert Subscription.objects.get(subscriber=subscriber).status == "unsubscribed"
    assert not services.offers_granted(subscriber)
    sources = set(
        ConsentEvent.objects.filter(email="alice@example.org").values_list("source", flat=True)
    )
    assert services.SOURCE_ACCOUNT_DELETED in sources
