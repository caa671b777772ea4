"""The reader's own name and the site's own voice: messages and emails name the reader by
display name or email (never the internal user name), speak as the paper, and every
absolute link starts with SITE_URL whatever Host header the request carried."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from masthead.accounts.display import site_absolute, user_display
from masthead.testing.personas import PASSWORD

HOSTILE = "evil.example"
SITE_URL = "https://news.example.org"


@pytest.fixture
def hostile_host(settings):  # noqa: ANN001, ANN201
    """A Host header Django accepts (a second name in ALLOWED_HOSTS, or a proxy that
    passes any) but that is not the site's address."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOSTILE]
    settings.SITE_URL = SITE_URL
    settings.MASTHEAD_SITE_NAME = "The Harbour Gazette"
    return {"HTTP_HOST": HOSTILE}


@pytest.fixture
def reader2(db):  # noqa: ANN001, ANN201
    """A member whose internal user name ("reader2") is not what the site calls them."""
    user = get_user_model().objects.create_user(
        username="reader2", email="nadia@example.org", password=PASSWORD
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def links(message) -> list[str]:  # noqa: ANN001
    return re.findall(r"https?://[^\s<>\"]+", message.body)


def assert_on_site(message) -> None:  # noqa: ANN001
    found = links(message)
    assert found, message.body
    for url in found:
        assert url.startswith(SITE_URL + "/"), url
    assert HOSTILE not in message.body
    assert "127.0.0.1" not in message.body and "example.com" not in message.body
    assert "The Harbour Gazette" in message.body


def test_signed_in_message_names_the_reader_not_the_user_name(reader2):
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "nadia@example.org", "password": PASSWORD}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["Signed in as nadia@example.org."]
    reader2.profile.display_name = "Nadia K"
    reader2.profile.save()
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "nadia@example.org", "password": PASSWORD}, follow=True
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["Signed in as Nadia K."]


def test_user_display_never_falls_back_to_the_user_name(reader2):
    assert user_display(reader2) == "nadia@example.org"
    reader2.email = ""
    assert user_display(reader2) == "Reader"


def test_signup_confirmation_speaks_as_the_paper_with_site_url_links(hostile_host, db):
    Client().post(
        "/accounts/signup/",
        {"email": "fern@example.org", "password1": PASSWORD},
        **hostile_host,
    )
    message = mail.outbox[-1]
    assert_on_site(message)
    assert "Welcome to The Harbour Gazette" in message.body
    assert "/accounts/confirm-email/" in links(message)[0]


def add_address(client: Client, user, address: str, **extra):  # noqa: ANN001, ANN201
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/reauthenticate/", {"password": PASSWORD}, **extra)
    return client.post("/accounts/email/", {"email": address, "action_add": ""}, **extra)


def test_adding_an_address_names_the_receiving_account_masked(hostile_host, reader2):
    """The inbox is told which account it would join (display name, masked primary
    address) and that imported comments follow, but never the full address or user
    name, and is told to ignore the mail if it was not them."""
    reader2.profile.display_name = "Nadia K"
    reader2.profile.save()
    add_address(Client(), reader2, "victim@example.org", **hostile_host)
    message = mail.outbox[-1]
    assert message.to == ["victim@example.org"]
    assert_on_site(message)
    assert "reader2" not in message.body
    assert "nadia@example.org" not in message.body
    assert "Nadia K, the account with the address n•••a@example.org" in message.body
    assert "imported for this address" in message.body
    assert "move to that account" in message.body
    assert "If it was not you, ignore this email" in message.body
    assert not message.body.startswith("Hello Nadia")  # the inbox is not greeted as her


def test_confirm_page_names_the_receiving_account(hostile_host, reader2):
    client = Client()
    add_address(client, reader2, "victim@example.org", **hostile_host)
    link = next(url for url in links(mail.outbox[-1]) if "/confirm-email/" in url)
    page = Client().get(link[len(SITE_URL) :], **hostile_host).content.decode()
    assert "the account with the address <strong>n•••a@example.org</strong>" in page
    assert "nadia@example.org" not in page
    assert "comments imported for this address" in page
    assert "no comments move" in page


def test_password_reset_link_uses_site_url(hostile_host, reader2):
    Client().post("/accounts/password/reset/", {"email": reader2.email}, **hostile_host)
    message = mail.outbox[-1]
    assert_on_site(message)
    assert "/accounts/password/reset/key/" in links(message)[0]
    assert "reader2" not in message.body


def test_already_registered_and_unknown_account_mails_use_site_url(hostile_host, reader2):
    Client().post(
        "/accounts/signup/", {"email": reader2.email, "password1": "another one 4242"},
        **hostile_host,
    )  # fmt: skip
    assert_on_site(mail.outbox[-1])
    assert "already have one" in mail.outbox[-1].body
    Client().post("/accounts/password/reset/", {"email": "nobody@example.org"}, **hostile_host)
    assert_on_site(mail.outbox[-1])


def test_login_code_mail_speaks_as_the_paper(hostile_host, reader2):
    Client().post("/accounts/login/code/", {"email": reader2.email}, **hostile_host)
    message = mail.outbox[-1]
    assert "The Harbour Gazette" in message.body and HOSTILE not in message.body
    assert "reader2" not in message.body
    assert re.search(r"^\s*[A-Z0-9-]{6,}\s*$", message.body, re.M)


def test_feed_links_use_site_url(hostile_host, make_story):
    story = make_story()
    for path in ("/feeds/latest.rss", "/feeds/latest.atom", "/feeds/world.rss"):
        body = Client().get(path, **hostile_host).content.decode()
        assert HOSTILE not in body, path
        assert f"{SITE_URL}/" in body and f"{SITE_URL}{story.url}" in body, path
    rss = Client().get("/feeds/latest.rss", **hostile_host).content.decode()
    assert f"<link>{SITE_URL}/</link>" in rss
    atom = Client().get("/feeds/latest.atom", **hostile_host).content.decode()
    assert f'href="{SITE_URL}/feeds/latest.atom"' in atom


def test_site_absolute_keeps_path_and_query(settings):
    settings.SITE_URL = "https://news.example.org/paper"
    assert site_absolute("http://evil.example:81/a/b/?x=1#f") == (
        "https://news.example.org/paper/a/b/?x=1#f"
    )
    assert site_absolute("/accounts/") == "https://news.example.org/paper/accounts/"


ANONYMOUS_PAGES = [
    ("/accounts/signup/", "Create your account"),
    ("/accounts/login/", "Sign in to The Harbour Gazette"),
    ("/accounts/login/code/", "Sign in with an emailed code"),
    ("/accounts/confirm-email/", "Check your inbox"),
    ("/accounts/confirm-email/no-such-key/", "Confirm your email address"),
    ("/accounts/password/reset/", "Forgot your password?"),
    ("/accounts/password/reset/done/", "Check your inbox"),
    ("/accounts/password/reset/key/done/", "Your password is changed"),
]
MEMBER_PAGES = [
    ("/accounts/reauthenticate/", "Confirm it is you"),
    ("/accounts/logout/", "Sign out of The Harbour Gazette?"),
]


@pytest.mark.parametrize(("path", "heading"), ANONYMOUS_PAGES + MEMBER_PAGES)
def test_account_pages_are_the_sites_own(path, heading, settings, reader2):
    settings.MASTHEAD_SITE_NAME = "The Harbour Gazette"
    client = Client()
    if (path, heading) in MEMBER_PAGES:
        client.force_login(reader2)
    body = client.get(path).content.decode()
    assert f"<h1>{heading}</h1>" in body
    assert re.search(r"<title>[^<]*\| The Harbour Gazette</title>", body)
    assert 'class="site-header' in body or "<header" in body  # the site's own base page
    for allauth_voice in ("Sign Up", "Signup", "Confirm Access", "Verify Your Email Address"):
        assert allauth_voice not in body
