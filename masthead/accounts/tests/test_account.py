"""Account page, export my data, delete my account, no enumeration."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.dispatch import receiver
from django.test import Client

from masthead.accounts.models import Profile
from masthead.accounts.signals import collect_personal_data, erase_personal_data
from masthead.metering.models import MeterView, Subscription
from masthead.readinglist.models import SavedStory
from masthead.readinglist.services import save_story
from masthead.testing.personas import PASSWORD


def test_display_name(alice, signed_in):
    client = signed_in(alice)
    assert client.get("/account/").status_code == 200
    response = client.post("/account/", {"display_name": "  Alice   of\tthe Ledger "})
    assert response.status_code == 302
    assert Profile.objects.get(user=alice).display_name == "Alice of the Ledger"
    response = client.post("/account/", {"display_name": "x" * 61})
    assert response.status_code == 400 and "at most 60" in response.content.decode()
    assert Client().get("/account/").status_code == 302


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Reader 2", "how the site shows readers without a name"),
        ("reader #17", "how the site shows readers without a name"),
        ("Reader 3.", "how the site shows readers without a name"),
        ("Reader３", "how the site shows readers without a name"),  # full-width digit
        ("A reader", "how the site shows readers without a name"),  # deleted accounts
        ("alice@example.com", "not an email address"),
        ("The Masthead Ledger", "reserved for the newsroom"),
        ("  the masthead LEDGER ", "reserved for the newsroom"),
        ("Masthead Ledger", "reserved for the newsroom"),
        ("The Masthead Ledger.", "reserved for the newsroom"),
        ("The Masthead Ledger newsroom", "reserved for the newsroom"),
        ("The Mastheаd Ledger", "one alphabet"),  # Cyrillic а
        ("Editоr", "one alphabet"),  # Cyrillic о
        ("Аlice Reader", "one alphabet"),  # Cyrillic А
        ("Ｅｄｉｔｏｒ", "reserved for the newsroom"),  # full-width letters
        ("Editor ✓", "reserved for the newsroom"),
        ("✓ ✓", "at least one letter or digit"),
    ],
)
def test_a_display_name_cannot_pose_as_someone_else(alice, signed_in, name, why, settings):
    """Found by a newcomer helper: these names appeared as the author of comments."""
    settings.MASTHEAD_SITE_NAME = "The Masthead Ledger"
    response = signed_in(alice).post("/account/", {"display_name": name})
    assert response.status_code == 400
    assert why in response.content.decode()
    assert Profile.objects.get(user=alice).display_name == ""


@pytest.mark.parametrize(
    "name", ["Алиса Смирнова", "प्रिया शर्मा", "山田はなこ", "Zoë O'Brien-Núñez"]
)
def test_names_in_any_one_alphabet_are_welcome(alice, signed_in, name):
    assert signed_in(alice).post("/account/", {"display_name": name}).status_code == 302
    assert Profile.objects.get(user=alice).display_name == name


def test_a_display_name_another_member_uses_is_refused(alice, bob, signed_in):
    from masthead.accounts.services import set_display_name

    assert (
        signed_in(alice).post("/account/", {"display_name": "Harbour Watcher"}).status_code == 302
    )
    response = signed_in(bob).post("/account/", {"display_name": "harbour watcher"})
    assert response.status_code == 400
    assert "Another reader already uses that name" in response.content.decode()
    with pytest.raises(ValueError, match="already uses"):
        set_display_name(bob, "HARBOUR WATCHER")
    # Lookalikes of a name in use are refused too (found by a newcomer helper).
    for lookalike in (
        "Наrbour Watcher",
        "Harbour Watcher.",
        "Harbour  Watcher ✓",
        "ＨarbourWatcher",
    ):
        response = signed_in(bob).post("/account/", {"display_name": lookalike})
        assert response.status_code == 400, lookalike
    # Keeping one's own name (in another case) is fine, and so is a name of one's own.
    assert (
        signed_in(alice).post("/account/", {"display_name": "harbour watcher"}).status_code == 302
    )
    assert signed_in(bob).post("/account/", {"display_name": "Badminton Bob"}).status_code == 302


def test_export_my_data(alice, signed_in, make_story):
    client = signed_in(alice)
    story = make_story()
    client.get(story.url)
    save_story(alice, story)
    Subscription.objects.create(user=alice, plan="digital", status="cancelled")

    @receiver(collect_personal_data, dispatch_uid="test-export")
    def extra(sender, user, **kwargs):
        return {"extra_section": [{"text": f"by {user.email}"}]}

    try:
        assert client.get("/account/export/").status_code == 405
        # A session alone (force_login: no recent authentication) does not export.
        response = client.post("/account/export/")
        assert response.status_code == 302
        assert response["Location"] == "/accounts/reauthenticate/?next=%2Faccount%2Fexport%2F"
        # allauth replays the export once the password is given again.
        response = client.post(response["Location"], {"password": PASSWORD})
    finally:
        collect_personal_data.disconnect(dispatch_uid="test-export")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "alice@example.org"
    assert data["email_addresses"] == [
        {"email": "alice@example.org", "verified": True, "primary": True}
    ]
    assert data["saved_stories"][0]["story_id"] == story.pk
    assert data["meter_views"][0]["story_id"] == story.pk
    assert data["subscriptions"][0]["status"] == "cancelled"
    assert data["extra_section"] == [{"text": "by alice@example.org"}]
    assert data["comments"] == []  # the comments app's own section


def test_delete_requires_reauthentication_then_erases(alice, make_story):
    client = Client()
    client.post("/accounts/login/", {"login": alice.email, "password": PASSWORD})
    story = make_story()
    client.get(story.url)
    save_story(alice, story)
    erased = []

    @receiver(erase_personal_data, dispatch_uid="test-erase")
    def deidentify(sender, user, **kwargs):
        erased.append(user.email)

    # A fresh login counts as recent authentication; age it to force re-authentication.
    session = client.session
    for key in list(session.keys()):
        if "authentication" in key or key.startswith("account_"):
            del session[key]
    session.save()
    try:
        response = client.get("/account/delete/")
        assert response.status_code == 302 and "reauthenticate" in response["Location"]
        response = client.post(response["Location"], {"password": PASSWORD})
        assert response.status_code == 302
        response = client.post("/account/delete/", {"confirm": "nope"})
        assert response.status_code == 400
        response = client.post("/account/delete/", {"confirm": "delete"})
        assert response.status_code == 302
    finally:
        erase_personal_data.disconnect(dispatch_uid="test-erase")
    assert erased == ["alice@example.org"]
    assert not get_user_model().objects.filter(pk=alice.pk).exists()
    assert not EmailAddress.objects.filter(email="alice@example.org").exists()
    assert not MeterView.objects.filter(reader_key=f"u:{alice.pk}").exists()
    assert not SavedStory.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("email", ["alice@example.org", "nobody@example.org"])
def test_password_reset_does_not_reveal_registration(alice, email):
    response = Client().post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"


def test_login_failure_message_is_the_same_for_unknown_and_known(alice):
    a = (
        Client()
        .post("/accounts/login/", {"login": alice.email, "password": "wrong-password-1"})
        .content.decode()
    )
    b = (
        Client()
        .post("/accounts/login/", {"login": "nobody@example.org", "password": "wrong-password-1"})
        .content
    )
    assert "not correct" in a and "not correct" in b.decode()


def test_confirmation_link_only_confirms_on_post(db):
    client = Client()
    client.post(
        "/accounts/signup/",
        {"email": "erin@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    link = next(
        line for line in mail.outbox[-1].body.splitlines() if "/accounts/confirm-email/" in line
    ).strip()
    path = link[link.index("/accounts/") :]
    scanner = Client().get(path)  # a mail scanner prefetching the link
    assert scanner.status_code == 200 and "<form" in scanner.content.decode()
    assert not EmailAddress.objects.get(email="erin@example.org").verified
    Client().post(path)
    assert EmailAddress.objects.get(email="erin@example.org").verified


def test_account_emails_come_from_the_paper_not_the_host(db, settings):
    """Found by a newcomer helper: allauth's emails said "Hello from 127.0.0.1:8151!"."""
    settings.MASTHEAD_SITE_NAME = "The Harbour Gazette"
    Client().post(
        "/accounts/signup/",
        {"email": "fern@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    message = mail.outbox[-1]
    assert "Welcome to The Harbour Gazette." in message.body
    assert message.body.rstrip().splitlines()[-2] == "The Harbour Gazette"  # signed by the paper
    settings.ACCOUNT_EMAIL_SUBJECT_PREFIX = None  # allauth's default would prefix the host
    Client().post("/accounts/password/reset/", {"email": "fern@example.org"})
    # named once, in the subject's own words (no "[paper] " prefix, never the host)
    assert mail.outbox[-1].subject == "Reset your password for The Harbour Gazette"


def test_a_session_cookie_django_never_makes_is_no_session(alice, signed_in, make_story):
    """A 3,000-character (or odd) cookie is an anonymous reader: no cache lookup with
    it, so no key warning carries it into the log."""
    import warnings

    from django.core.cache import CacheKeyWarning

    story = make_story()
    for value in ("A" * 3000, "../../etc/passwd", "x" * 7, "ABCDEFGHIJKLMNOP"):
        client = Client()
        client.cookies["sessionid"] = value
        with warnings.catch_warnings():
            warnings.simplefilter("error", CacheKeyWarning)
            response = client.get(story.url)
        assert response.status_code == 200
        assert "Sign in" in response.content.decode()
    # A real session still works.
    assert "alice" in signed_in(alice).get("/account/").content.decode().lower()


def test_a_failed_csrf_check_gets_the_sites_page_with_what_to_do(alice, make_story):
    story = make_story()
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post("/saved/add/", {"story_id": story.pk})
    assert response.status_code == 403
    text = response.content.decode()
    assert "Your form was not sent" in text and "reload the page" in text
    assert "DEBUG" not in text
    assert "no-store" in response["Cache-Control"]


def test_login_is_rate_limited(alice):
    client = Client()
    statuses = [
        client.post(
            "/accounts/login/", {"login": alice.email, "password": f"wrong-{i}"}
        ).status_code
        for i in range(8)
    ]
    assert (
        429 in statuses
        or "Too many"
        in client.post(
            "/accounts/login/", {"login": alice.email, "password": "wrong"}
        ).content.decode()
    )


def test_signup_refuses_an_over_long_email(client, db):
    from django.contrib.auth import get_user_model

    email = "eve" + "x" * 300 + "@example.com"
    response = client.post(
        "/accounts/signup/", {"email": email, "password1": "a long enough pass 123"}
    )
    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert not get_user_model().objects.exists()
