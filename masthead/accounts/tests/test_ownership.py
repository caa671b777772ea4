"""No takeover through an unverified address: a squatter who signs up with someone
else's address never keeps a way into the account the owner ends up with."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client

from masthead.accounts.ownership import DISCARDED_NOTICE
from masthead.comments.models import Comment

OWNER = "owner@example.org"
SQUATTER_PASSWORD = "squatter knows this 42"  # noqa: S105 - test data
OWNER_PASSWORD = "owner chose this one 42"  # noqa: S105 - test data

User = get_user_model()


def sign_up(client: Client, email: str, password: str):  # noqa: ANN201
    return client.post("/accounts/signup/", {"email": email, "password1": password})


def link_in(message) -> str:  # noqa: ANN001
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def can_sign_in(email: str, password: str) -> bool:
    client = Client()
    client.post("/accounts/login/", {"login": email, "password": password})
    return "_auth_user_id" in client.session


def import_old_comment(story, email: str, tmp_path: Path) -> None:  # noqa: ANN001
    """One comment from the old platform, written by ``email`` under ``story``."""
    csv = tmp_path / "old.csv"
    csv.write_text(
        "id,thread_id,thread_url,thread_title,parent_id,author_name,author_email,"
        "created_at,body,status\n"
        f"1,t1,https://old.example.com{story.url},{story.title},,Owner,{email},"
        "2021-03-04T05:06:07Z,An old comment the owner wrote years ago.,approved\n"
    )
    call_command(
        "import_comments", "--format", "csv", str(csv), "--source", "old",
        "--old-host", "old.example.com", stdout=open("/dev/null", "w"),  # noqa: SIM115
    )  # fmt: skip


@pytest.fixture
def squatter(db):  # noqa: ANN001, ANN201
    """Someone signed up with the owner's address and never verified it."""
    client = Client()
    sign_up(client, OWNER, SQUATTER_PASSWORD)
    user = User.objects.get(email=OWNER)
    assert not EmailAddress.objects.get(user=user).verified
    user.signup_client = client  # the squatter's browser, half-way through sign-up
    user.link = link_in(mail.outbox[-1])  # "confirm your address", in the owner's inbox
    mail.outbox.clear()
    return user


def test_the_owners_sign_up_replaces_the_unverified_account_and_sends_the_email(
    squatter, make_story, tmp_path
):
    import_old_comment(make_story(), OWNER, tmp_path)
    owner = Client()
    response = sign_up(owner, OWNER, OWNER_PASSWORD)
    assert response.status_code == 302
    # The email really goes out (the squatter's just before did not hold it back).
    assert [m.to for m in mail.outbox] == [[OWNER]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert not User.objects.filter(pk=squatter.pk).exists()  # replaced
    response = owner.post(path_of(link_in(mail.outbox[0])))
    assert response.status_code == 302
    account = User.objects.get(email=OWNER)
    assert owner.session["_auth_user_id"] == str(account.pk)
    assert can_sign_in(OWNER, OWNER_PASSWORD)
    assert not can_sign_in(OWNER, SQUATTER_PASSWORD)
    assert list(Comment.objects.filter(author=account).values_list("body", flat=True)) == [
        "An old comment the owner wrote years ago."
    ]


def test_a_sign_in_code_gives_the_owner_the_account_without_the_squatters_password(
    squatter, make_story, tmp_path
):
    import_old_comment(make_story(), OWNER, tmp_path)
    squatter.profile.display_name = "Chosen By Squatter"
    squatter.profile.save()
    owner = Client()
    owner.post("/accounts/login/code/", {"email": OWNER})
    code = re.search(r"^\s*([A-Z0-9-]{6,})\s*$", mail.outbox[-1].body, re.M).group(1)
    assert owner.post("/accounts/login/code/confirm/", {"code": code}).status_code == 302
    # The owner stays signed in on the next request (the session holds the new hash).
    page = owner.get("/account/")
    assert page.status_code == 200 and DISCARDED_NOTICE in page.content.decode()
    squatter.refresh_from_db()
    assert not squatter.has_usable_password()
    assert squatter.profile.display_name == ""
    assert not can_sign_in(OWNER, SQUATTER_PASSWORD)
    # Only now, proven, are the old comments the account's.
    assert Comment.objects.filter(author=squatter).count() == 1


def test_the_squatters_confirmation_link_clicked_by_the_owner_drops_the_password(squatter):
    owner = Client()
    response = owner.post(path_of(squatter.link), follow=True)
    assert DISCARDED_NOTICE in [str(m) for m in response.context["messages"]]
    assert EmailAddress.objects.get(email=OWNER).verified
    assert not can_sign_in(OWNER, SQUATTER_PASSWORD)
    # The squatter's half-finished sign-in in their own browser gets them nowhere.
    assert squatter.signup_client.get("/account/").status_code == 302
    squatter.signup_client.post("/accounts/login/", {"login": OWNER, "password": SQUATTER_PASSWORD})
    assert squatter.signup_client.get("/account/").status_code == 302


def test_signing_up_and_confirming_in_the_same_browser_keeps_the_password(db):
    client = Client()
    sign_up(client, OWNER, OWNER_PASSWORD)
    client.post(path_of(link_in(mail.outbox[-1])))
    assert "_auth_user_id" in client.session
    assert can_sign_in(OWNER, OWNER_PASSWORD)


def test_an_established_account_only_loses_the_unverified_address(alice, signed_in):
    EmailAddress.objects.create(user=alice, email=OWNER, verified=False)
    owner = Client()
    sign_up(owner, OWNER, OWNER_PASSWORD)
    assert User.objects.filter(pk=alice.pk).exists()
    assert list(EmailAddress.objects.filter(user=alice).values_list("email", flat=True)) == [
        "alice@example.org"
    ]
    owner.post(path_of(link_in(mail.outbox[-1])))
    assert EmailAddress.objects.get(email=OWNER).user.pk != alice.pk


def test_a_verified_address_still_cannot_be_signed_up_again(alice):
    response = sign_up(Client(), "alice@example.org", "someone else's try 42")
    assert response.status_code == 302  # no enumeration: looks the same
    assert User.objects.filter(email__iexact="alice@example.org").count() == 1
    assert can_sign_in("alice@example.org", "correct horse battery staple 9")


def test_staff_or_accounts_that_signed_in_are_never_replaced(db):
    """An editor made by a command has a user email but no allauth address row."""
    editor = User.objects.create_user(
        username="editor", email="editor@example.org", password="x", is_staff=True
    )
    response = sign_up(Client(), "editor@example.org", OWNER_PASSWORD)
    assert response.status_code == 302
    assert User.objects.filter(pk=editor.pk).exists()
    assert User.objects.filter(email__iexact="editor@example.org").count() == 1
    # A signed-in account holding the address unverified loses the address only.
    reader = User.objects.create_user(username="r", email=OWNER, password="x")
    EmailAddress.objects.create(user=reader, email=OWNER, verified=False, primary=True)
    reader.last_login = reader.date_joined
    reader.save()
    sign_up(Client(), OWNER, OWNER_PASSWORD)
    assert User.objects.filter(pk=reader.pk).exists()
    assert not EmailAddress.objects.filter(user=reader).exists()
