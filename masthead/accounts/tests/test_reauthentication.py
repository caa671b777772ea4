"""A stolen session is not a permanent takeover: adding or changing an address, making
another address primary, changing the password and exporting data ask for the password
(or a code) again, and a changed address is announced to the old one."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client

from masthead.testing.personas import PASSWORD

NEW = "alice.new@example.org"
NEW_PASSWORD = "a brand new passphrase 42"  # noqa: S105 - test data


@pytest.fixture
def stolen(alice, signed_in):  # noqa: ANN001, ANN201
    """A session of alice's with no recent authentication (as a copied cookie is)."""
    return signed_in(alice)


def reauth_location(response) -> str:  # noqa: ANN001
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith("/accounts/reauthenticate/?next="), response["Location"]
    return response["Location"]


def test_adding_an_address_asks_again_then_goes_ahead(alice, stolen):
    response = stolen.post("/accounts/email/", {"email": NEW, "action_add": ""})
    location = reauth_location(response)
    assert not EmailAddress.objects.filter(email=NEW).exists()
    assert mail.outbox == []
    # A wrong password gets nowhere.
    assert stolen.post(location, {"password": "not it"}).status_code == 200
    assert not EmailAddress.objects.filter(email=NEW).exists()
    # The right one replays the add.
    stolen.post(location, {"password": PASSWORD})
    assert EmailAddress.objects.filter(user=alice, email=NEW, verified=False).exists()
    assert [m.to for m in mail.outbox] == [[NEW]]


def test_changing_the_password_asks_again(alice, stolen):
    response = stolen.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    reauth_location(response)
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_making_another_address_primary_asks_again(alice, stolen):
    EmailAddress.objects.create(user=alice, email=NEW, verified=True)
    response = stolen.post("/accounts/email/", {"email": NEW, "action_primary": ""})
    reauth_location(response)
    assert EmailAddress.objects.get(user=alice, primary=True).email == "alice@example.org"


def test_export_asks_again(stolen):
    reauth_location(stolen.post("/account/export/"))


def reauthenticated(user) -> Client:  # noqa: ANN001
    """A client that signed in and then confirmed its password again."""
    client = Client()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client


def test_a_changed_address_is_announced_to_the_old_one(alice):
    client = reauthenticated(alice)
    client.post("/accounts/email/", {"email": NEW, "action_add": ""})
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    mail.outbox.clear()
    client.post("/" + link.split("/", 3)[3])
    assert EmailAddress.objects.get(user=alice, primary=True).email == NEW
    notices = [m for m in mail.outbox if m.to == ["alice@example.org"]]
    assert len(notices) == 1
    assert "alice@example.org" in notices[0].body and NEW in notices[0].body
    assert "changed" in notices[0].subject.lower()


def test_a_password_change_is_announced(alice):
    client = reauthenticated(alice)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "password" in mail.outbox[0].subject.lower()
