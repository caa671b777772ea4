"""Completing a password reset through the emailed link proves the address it went to,
and only that address, on only that account."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from masthead.accounts.reset_proof import sign_address

NEW_PASSWORD = "a brand new 4242 password"


@pytest.fixture
def unproven(db):  # noqa: ANN001, ANN201
    """An account that signed up and never confirmed its address."""
    user = get_user_model().objects.create_user(
        username="pat", email="pat@example.org", password="the old 4242 password"
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def reset_link(address: str) -> str:
    Client().post("/accounts/password/reset/", {"email": address})
    message = mail.outbox[-1]
    assert message.to == [address]
    url = next(u for u in re.findall(r"https?://\S+", message.body) if "/reset/key/" in u)
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def complete_reset(client: Client, link: str) -> None:
    page = client.get(link, follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302, done.content.decode()[:500]


def verified(user, address: str) -> bool:  # noqa: ANN001
    return EmailAddress.objects.get(user=user, email=address).verified


def test_reset_marks_the_address_verified_and_sign_in_skips_confirmation(unproven):
    complete_reset(Client(), reset_link("pat@example.org"))
    assert verified(unproven, "pat@example.org")
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "pat@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert "confirm-email" not in response["Location"]
    assert client.session.get("_auth_user_id") == str(unproven.pk)


def test_reset_keeps_the_new_password_and_clears_the_creators_display_name(unproven):
    unproven.profile.display_name = "Chosen by someone"
    unproven.profile.save()
    complete_reset(Client(), reset_link("pat@example.org"))
    unproven.refresh_from_db()
    unproven.profile.refresh_from_db()
    assert unproven.check_password(NEW_PASSWORD)
    assert unproven.profile.display_name == ""


def test_reset_proves_only_the_address_the_link_was_sent_to(unproven):
    EmailAddress.objects.create(user=unproven, email="pat.work@example.org", verified=False)
    complete_reset(Client(), reset_link("pat.work@example.org"))
    assert verified(unproven, "pat.work@example.org")
    assert not verified(unproven, "pat@example.org")


def test_link_without_or_with_altered_address_proves_nothing(unproven):
    path, _, query = reset_link("pat@example.org").partition("?")
    assert "to" in parse_qs(query)
    complete_reset(Client(), path)  # the reset works, but proves no address
    unproven.refresh_from_db()
    assert unproven.check_password(NEW_PASSWORD)
    assert not verified(unproven, "pat@example.org")
    # a validly signed address naming another account: ignored
    other = get_user_model().objects.create_user(username="o", email="o@example.org")
    path = reset_link("pat@example.org").partition("?")[0]
    complete_reset(Client(), f"{path}?to={sign_address(other.pk, 'pat@example.org')}")
    assert not verified(unproven, "pat@example.org")
    # an altered signature: ignored
    path = reset_link("pat@example.org").partition("?")[0]
    complete_reset(Client(), f"{path}?to={sign_address(unproven.pk, 'pat@example.org')}x")
    assert not verified(unproven, "pat@example.org")
