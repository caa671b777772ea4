"""Every account email's subject names the paper in sentence case, its wording never
reads "your <paper> account", and times in it carry the site's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import allauth
import pytest
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core.context import request_context
from django.contrib.auth import get_user_model
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from masthead.accounts.display import mask_email
from masthead.testing.personas import PASSWORD

SITE = "The Harbour Gazette"
ALLAUTH_EMAILS = Path(allauth.__file__).parent / "templates" / "account" / "email"
OURS = Path(__file__).resolve().parents[2] / "templates" / "account" / "email"


@pytest.fixture(autouse=True)
def paper(settings):  # noqa: ANN001, ANN201
    settings.MASTHEAD_SITE_NAME = SITE
    settings.TIME_ZONE = "Asia/Kolkata"


@pytest.fixture
def reader(db):  # noqa: ANN001, ANN201
    user = get_user_model().objects.create_user(
        username="reader9", email="mira@example.org", password=PASSWORD
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def sentence_case(subject: str) -> bool:
    """Only the first word and the paper's name start with a capital."""
    words = subject.replace(SITE, "").split()
    return words[0][0].isupper() and not any(w[0].isupper() for w in words[1:])


def subject_prefixes() -> list[str]:
    return sorted(p.name[: -len("_subject.txt")] for p in ALLAUTH_EMAILS.glob("*_subject.txt"))


@pytest.mark.parametrize("prefix", subject_prefixes())
@pytest.mark.parametrize("reauthentication", [False, True])
def test_every_account_subject_names_the_paper_in_sentence_case(prefix, reauthentication):
    """Each subject allauth can send is ours, names the paper and reads in sentence case."""
    assert (OURS / f"{prefix}_subject.txt").exists(), f"allauth's own subject for {prefix}"
    raw = render_to_string(
        f"account/email/{prefix}_subject.txt",
        {"site_name": SITE, "reauthentication": reauthentication},
    )
    subject = get_adapter().format_email_subject(" ".join(raw.split()))
    assert SITE in subject, subject
    assert subject.count(SITE) == 1, subject
    assert sentence_case(subject), subject
    assert not re.search(rf"your {SITE}", subject, re.I), subject


def test_a_subject_without_the_paper_gets_it_appended():
    assert get_adapter().format_email_subject("Something new") == f"Something new | {SITE}"


def test_sent_subjects_name_the_paper(reader):
    Client().post("/accounts/password/reset/", {"email": reader.email})
    assert mail.outbox[-1].subject == f"Reset your password for {SITE}"
    Client().post("/accounts/login/code/", {"email": reader.email})
    assert mail.outbox[-1].subject == f"Your sign-in code for {SITE}"
    Client().post("/accounts/signup/", {"email": reader.email, "password1": "another 4242 one"})
    assert mail.outbox[-1].subject == f"You already have an account with {SITE}"
    Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert mail.outbox[-1].subject == f"No account with {SITE} uses this address"


def test_no_email_template_says_your_paper_account():
    """'your {{ site_name }} account' reads "your The Harbour Gazette account"."""
    roots = [OURS, OURS.parents[1] / "emails"]
    for root in roots:
        for path in root.glob("*"):
            text = path.read_text()
            assert not re.search(r"your \{\{ ?(site_name|current_site)", text, re.I), path


def test_notification_time_is_in_the_site_zone_with_its_abbreviation(reader):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Test/1")
    with request_context(request):
        get_adapter(request).send_notification_mail(
            "account/email/email_changed",
            reader,
            {
                "from_email": "old@example.org",
                "to_email": reader.email,
                "timestamp": datetime(2026, 12, 8, 1, 42, tzinfo=UTC),
            },
        )
    message = mail.outbox[-1]
    assert "Time: December 08, 2026 07:12 am IST" in message.body
    assert message.subject == f"The email address of your account with {SITE} was changed"


@pytest.mark.parametrize(
    ("email", "masked"),
    [
        ("mary@evil.example", "m•••y@evil.example"),
        ("m@evil.example", "m•••@evil.example"),
        ("no-at-sign", "n•••n"),
    ],
)
def test_mask_email(email, masked):
    assert mask_email(email) == masked
