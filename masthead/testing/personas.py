"""Reader personas shared by the membership apps' tests: alice (member), bob (subscriber),
carol (staff). Import the fixtures into a ``conftest.py`` to use them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.metering.models import Subscription

PASSWORD = "correct horse battery staple 9"  # noqa: S105 - test personas only


def make_user(email: str, **extra: object):  # noqa: ANN201
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password=PASSWORD, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def alice(db):  # noqa: ANN001, ANN201
    return make_user("alice@example.org")


@pytest.fixture
def bob(db):  # noqa: ANN001, ANN201
    user = make_user("bob@example.org")
    Subscription.objects.create(user=user, plan="digital")
    return user


@pytest.fixture
def carol(db):  # noqa: ANN001, ANN201
    return make_user("carol@example.org", is_staff=True)


@pytest.fixture
def signed_in() -> Callable[..., Client]:
    def make(user) -> Client:  # noqa: ANN001
        client = Client()
        client.force_login(user)
        return client

    return make
