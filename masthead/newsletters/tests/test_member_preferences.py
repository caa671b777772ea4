"""Members subscribe/unsubscribe with one click; offers are a separate, logged consent."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from masthead.newsletters.models import ConsentEvent, OffersConsent, Subscription
from masthead.newsletters.tests.conftest import make_member

pytestmark = pytest.mark.django_db


def test_one_click_subscribe_then_unsubscribe(client, alice, newsletter):
    client.force_login(alice)
    page = client.get("/newsletters/")
    assert page.status_code == 200
    assert 'action="/newsletters/morning/subscribe/"' in page.content.decode()

    resp = client.post("/newsletters/morning/subscribe/", {"source": "newsletters page"})
    assert resp.status_code == 302
    sub = Subscription.objects.get(newsletter=newsletter, subscriber__email="alice@example.org")
    assert sub.status == "confirmed" and sub.confirmed_at is not None
    event = ConsentEvent.objects.get(action="subscribed")
    assert (event.email, event.source, event.newsletter_id) == (
        "alice@example.org",
        "newsletters page",
        newsletter.pk,
    )
    assert event.ip_hash and event.ip_hash != "127.0.0.1"

    # Idempotent: a second click changes and logs nothing.
    client.post("/newsletters/morning/subscribe/")
    assert ConsentEvent.objects.filter(action="subscribed").count() == 1

    page = client.get("/newsletters/").content.decode()
    assert 'action="/newsletters/morning/unsubscribe/"' in page
    resp = client.post("/newsletters/morning/unsubscribe/", {"source": "account page"})
    assert resp.status_code == 302
    sub.refresh_from_db()
    assert sub.status == "unsubscribed"
    assert ConsentEvent.objects.get(action="unsubscribed").source == "account page"


def test_unverified_member_is_refused_with_a_message(client, newsletter):
    bob = make_member("bob@example.org", verified=False)
    client.force_login(bob)
    resp = client.post("/newsletters/morning/subscribe/")
    assert resp.status_code == 403
    assert "Verify your email address" in resp.content.decode()
    assert not Subscription.objects.exists()


def test_anonymous_post_goes_to_login_and_changes_nothing(client, newsletter):
    resp = client.post("/newsletters/morning/subscribe/")
    assert resp.status_code == 302 and "/accounts/login/" in resp["Location"]
    assert not Subscription.objects.exists()


def test_member_forms_need_csrf(alice, newsletter):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    assert csrf_client.post("/newsletters/morning/subscribe/").status_code == 403
    assert not Subscription.objects.exists()


def test_unknown_newsletter_is_404(client, alice):
    client.force_login(alice)
    assert client.post("/newsletters/nope/subscribe/").status_code == 404


def test_get_does_not_subscribe(client, alice, newsletter):
    client.force_login(alice)
    assert client.get("/newsletters/morning/subscribe/").status_code == 405


def test_offers_consent_off_by_default_then_on_and_logged(client, alice, newsletter, offers_list):
    client.force_login(alice)
    html = client.get("/newsletters/").content.decode()
    assert "Offers are <strong>off</strong>" in html
    client.post("/newsletters/morning/subscribe/")
    assert not OffersConsent.objects.filter(
        granted=True
    ).exists()  # subscribing never implies offers

    resp = client.post("/newsletters/offers/", {"granted": "on", "source": "account page"})
    assert resp.status_code == 302
    consent = OffersConsent.objects.get()
    assert consent.granted and consent.source == "account page" and consent.changed_at
    client.post("/newsletters/offers/", {"granted": "off"})
    actions = list(ConsentEvent.objects.order_by("pk").values_list("action", "source"))
    assert actions == [
        ("subscribed", "newsletters page"),
        ("offers_on", "account page"),
        ("offers_off", "newsletters page"),
    ]
    assert client.post("/newsletters/offers/", {"granted": "maybe"}).status_code == 400


def test_consent_events_are_append_only(client, alice, newsletter):
    from django.core.exceptions import ValidationError

    client.force_login(alice)
    client.post("/newsletters/morning/subscribe/")
    event = ConsentEvent.objects.get()
    event.source = "forged"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()


def test_preferences_include_renders_for_the_account_page(alice, newsletter):
    request = RequestFactory().get("/accounts/")
    request.user = alice
    html = Template(
        '{% load newsletter_tags %}{% newsletter_preferences source="account page" %}'
    ).render(Context({"request": request, "csrf_token": "x"}))
    assert 'value="account page"' in html
    assert "/newsletters/morning/subscribe/" in html
