"""Fixtures for newsletter tests: lists, a verified member, a real SMTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from masthead.newsletters.models import Newsletter
from masthead.newsletters.tests.smtp import SMTPServer


@pytest.fixture
def newsletter(db) -> Newsletter:  # noqa: ANN001
    return Newsletter.objects.create(
        name="Morning Briefing",
        slug="morning",
        description="The day's news by 7am.",
        cadence="daily",
    )


@pytest.fixture
def second_newsletter(db) -> Newsletter:  # noqa: ANN001
    return Newsletter.objects.create(name="Weekend Reads", slug="weekend", cadence="weekly")


@pytest.fixture
def offers_list(db) -> Newsletter:  # noqa: ANN001
    return Newsletter.objects.create(name="Offers", slug="offers", kind=Newsletter.Kind.OFFERS)


def make_member(email: str, *, verified: bool = True):  # noqa: ANN201
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password="pw-Alice-123"
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def alice(db):  # noqa: ANN001, ANN201
    """A member with a verified primary email."""
    return make_member("alice@example.org")


@pytest.fixture
def smtp_server(settings) -> Iterator[SMTPServer]:  # noqa: ANN001
    """aiosmtpd on 127.0.0.1 with Django's SMTP backend pointed at it."""
    with SMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        settings.MASTHEAD_NEWSLETTER_RATE = 0
        yield server
