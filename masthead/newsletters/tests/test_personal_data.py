"""Newsletters take part in "export my data" and "delete my account"."""

import pytest

from masthead.accounts.services import delete_account, export_personal_data
from masthead.newsletters import services
from masthead.newsletters.models import ConsentEvent, Subscriber, Subscription


@pytest.mark.django_db
def test_export_lists_subscriptions_offers_and_consent_log(alice, newsletter):
    sub = services.subscriber_for_user(alice)
    services.subscribe_confirmed(sub, newsletter, "newsletters page")
    services.set_offers(sub, True, "account page")
    data = export_personal_data(alice)["newsletters"]
    [address] = data["addresses"]
    assert address["email"] == alice.email
    assert address["offers_consent"] is True
    assert address["subscriptions"][0]["newsletter"] == newsletter.name
    assert {e["action"] for e in data["consent_log"]} >= {"subscribed", "offers_on"}


@pytest.mark.django_db
def test_deleting_the_account_ends_subscriptions_and_keeps_the_consent_log(alice, newsletter):
    sub = services.subscriber_for_user(alice)
    services.subscribe_confirmed(sub, newsletter, "newsletters page")
    services.set_offers(sub, True, "account page")
    email = alice.email
    delete_account(alice)
    assert not Subscriber.objects.filter(email=email).exists()
    assert not Subscription.objects.exists()
    actions = list(ConsentEvent.objects.filter(email=email).values_list("action", "source"))
    assert ("unsubscribed", "account deleted") in actions
    assert ("offers_off", "account deleted") in actions
    assert ("subscribed", "newsletters page") in actions
