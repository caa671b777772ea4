"""Anonymous readers sign up by email: one confirmation mail, nothing else until they confirm."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.core.cache import cache

from masthead.newsletters import services, tokens
from masthead.newsletters.models import ConsentEvent, OffersConsent, Subscriber, Subscription

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def confirm_link(message) -> str:
    return re.search(r"http://[^\s\"]+/newsletters/confirm/[^\s\"/]+/", message.body).group(0)


def test_signup_form_offers_box_is_not_ticked(client, newsletter, offers_list):
    html = client.get("/newsletters/").content.decode()
    box = re.search(r'<input[^>]*name="offers"[^>]*>', html).group(0)
    assert "checked" not in box


def test_double_opt_in(client, newsletter, offers_list, settings):
    resp = client.post(
        "/newsletters/signup/",
        {"email": " Reader@Example.ORG ", "newsletters": [newsletter.pk], "offers": "on"},
    )
    assert resp.status_code == 200 and "Check your inbox" in resp.content.decode()
    assert len(mail.outbox) == 1
    msg = mail.outbox[0]
    assert msg.to == ["reader@example.org"]
    assert (
        msg.from_email == settings.DEFAULT_FROM_EMAIL
    )  # transactional sender, not the newsletter one
    assert msg.alternatives and "Confirm my sign-up" in msg.alternatives[0][0]
    sub = Subscription.objects.get()
    assert sub.status == "pending" and sub.subscriber.confirmed_at is None
    assert not services.recipients_for(newsletter).exists()
    assert not OffersConsent.objects.filter(granted=True).exists()

    url = confirm_link(msg).replace(settings.SITE_URL, "")
    page = client.get(url)  # a mail scanner's prefetch
    assert page.status_code == 200 and "Confirm" in page.content.decode()
    sub.refresh_from_db()
    assert sub.status == "pending"

    assert client.post(url).status_code == 200
    sub.refresh_from_db()
    assert sub.status == "confirmed"
    assert list(services.recipients_for(newsletter)) == [sub.subscriber]
    assert OffersConsent.objects.get().granted
    log = list(ConsentEvent.objects.order_by("pk").values_list("action", "source"))
    assert log == [
        ("subscribe_requested", "newsletters page"),
        ("confirmed", "double opt-in link"),
        ("offers_on", "double opt-in link"),
    ]
    assert client.post(url).status_code == 200  # second click: idempotent
    assert ConsentEvent.objects.count() == 3


def test_repeated_signups_do_not_flood_the_mailbox(client, newsletter):
    for _ in range(5):
        resp = client.post(
            "/newsletters/signup/", {"email": "flood@example.org", "newsletters": [newsletter.pk]}
        )
        assert resp.status_code == 200
    assert len(mail.outbox) == 1
    assert Subscriber.objects.count() == 1


def test_response_is_the_same_for_known_and_unknown_addresses(client, alice, newsletter):
    client_a = client.post(
        "/newsletters/signup/", {"email": "alice@example.org", "newsletters": [newsletter.pk]}
    )
    client_b = client.post(
        "/newsletters/signup/", {"email": "nobody@example.org", "newsletters": [newsletter.pk]}
    )
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # noqa: E731
    assert client_a.status_code == client_b.status_code == 200
    assert strip(client_a) == strip(client_b)


def test_per_ip_limit(client, newsletter, settings):
    settings.MASTHEAD_NEWSLETTER_SIGNUPS_PER_IP_HOUR = 3
    codes = [
        client.post(
            "/newsletters/signup/", {"email": f"r{i}@example.org", "newsletters": [newsletter.pk]}
        ).status_code
        for i in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    assert len(mail.outbox) == 3


def test_invalid_input_is_a_400_with_a_message(client, newsletter):
    resp = client.post(
        "/newsletters/signup/", {"email": "not-an-email", "newsletters": [newsletter.pk]}
    )
    assert resp.status_code == 400 and "valid email" in resp.content.decode()
    resp = client.post("/newsletters/signup/", {"email": "a@example.org"})
    assert resp.status_code == 400 and "Choose at least one" in resp.content.decode()
    assert not mail.outbox and not Subscriber.objects.exists()


def test_forged_and_expired_confirm_links_change_nothing(client, newsletter, settings):
    client.post(
        "/newsletters/signup/", {"email": "late@example.org", "newsletters": [newsletter.pk]}
    )
    url = confirm_link(mail.outbox[0]).replace(settings.SITE_URL, "")
    forged = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    resp = client.post(forged)
    assert resp.status_code == 400 and "not valid" in resp.content.decode()

    sub = Subscriber.objects.get()
    old = signing.TimestampSigner(salt=tokens.CONFIRM_SALT)
    settings.MASTHEAD_NEWSLETTER_CONFIRM_MAX_AGE = 0
    import time

    time.sleep(1.1)
    resp = client.post(url)
    assert resp.status_code == 400 and "expired" in resp.content.decode()
    assert (
        Subscription.objects.get().status == "pending"
        and Subscriber.objects.get().confirmed_at is None
    )
    del old, sub
