"""Sign-ups per address are capped (``signup_email`` in ``ACCOUNT_RATE_LIMITS``): every
valid sign-up mails the address, so repeated sign-ups, even from many IP addresses and
even though each replaces the last unverified account, cannot keep mailing one inbox."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client

from masthead.accounts.forms import SignupForm
from masthead.testing.personas import PASSWORD, make_user

TARGET = "someone@example.org"


@pytest.fixture(autouse=True)
def fresh_limits(settings):  # noqa: ANN001, ANN201
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup_email": "3/h/key"}
    cache.clear()
    yield
    cache.clear()


def sign_up(email: str, n: int):  # noqa: ANN201
    """A sign-up from its own browser and IP address, so only the per-address limit
    can stop it."""
    client = Client(REMOTE_ADDR=f"198.51.100.{n}")
    return client.post("/accounts/signup/", {"email": email, "password1": PASSWORD})


@pytest.mark.django_db
def test_repeated_sign_ups_stop_mailing_the_address():
    for n in range(3):
        assert sign_up(TARGET, n).status_code == 302
    assert [m.to for m in mail.outbox] == [[TARGET]] * 3

    refused = sign_up(TARGET, 9)
    assert refused.status_code == 200
    assert SignupForm.TOO_MANY_SIGNUPS in refused.content.decode()
    assert len(mail.outbox) == 3  # nothing more went to that inbox
    assert get_user_model().objects.filter(email__iexact=TARGET).count() <= 1

    # Another address is not held back by this one's limit.
    assert sign_up("other@example.org", 10).status_code == 302
    assert mail.outbox[-1].to == ["other@example.org"]


@pytest.mark.django_db
def test_the_cap_counts_sign_ups_for_an_existing_account_too():
    """A sign-up with a member's address mails them "you already have an account": it
    counts against the same cap, and the refusal reads the same as for a new address."""
    make_user(TARGET)
    for n in range(3):
        sign_up(TARGET, n)
    sent = len(mail.outbox)
    assert sent >= 1
    refused = sign_up(TARGET, 9)
    assert refused.status_code == 200
    assert SignupForm.TOO_MANY_SIGNUPS in refused.content.decode()
    assert len(mail.outbox) == sent


@pytest.mark.django_db
def test_an_invalid_sign_up_does_not_use_up_the_cap():
    """Only sign-ups that would send mail count: a too-short password does not."""
    for n in range(5):
        client = Client(REMOTE_ADDR=f"198.51.100.{n}")
        response = client.post("/accounts/signup/", {"email": TARGET, "password1": "x"})
        assert response.status_code == 200
        assert SignupForm.TOO_MANY_SIGNUPS not in response.content.decode()
    assert sign_up(TARGET, 20).status_code == 302
    assert len(mail.outbox) == 1
