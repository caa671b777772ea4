"""Claiming legacy comments: verified e-mail only, case-insensitive, idempotent, via signals."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.contrib.auth import get_user_model
from django.test import Client

from masthead.comments.models import Comment
from masthead.migration.claiming import claim_legacy_comments
from masthead.migration.models import ImportedComment, LegacyAuthor

from .conftest import FILES

pytestmark = pytest.mark.django_db

# forward_refs.xml: p2 is by " Reader@Example.ORG " (normalised reader@example.org);
# p1's address is invalid, so its author is keyed by name.


@pytest.fixture
def imported(story_at, run_import):
    story_at("/news/story-1")
    run_import(FILES / "forward_refs.xml", "--source", "fw")
    return {r.old_id: r.comment for r in ImportedComment.objects.select_related("comment")}


def _user(email: str, *, verified: bool):
    user = get_user_model().objects.create_user(
        username=email.split("@")[0], email=email, password="x-long-password-1"
    )
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user, address


def test_unverified_address_claims_nothing(imported):
    user, address = _user("READER@example.org", verified=False)
    assert claim_legacy_comments(user.pk, address.email) == 0
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert not Comment.objects.filter(author=user).exists()
    assert LegacyAuthor.objects.get(email="reader@example.org").claimed_by is None


def test_confirmation_claims_case_insensitively(imported):
    user, address = _user("READER@example.org", verified=False)
    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    mine = Comment.objects.filter(author=user)  # what "My comments" lists
    assert list(mine) == [imported["p2"]]
    author = LegacyAuthor.objects.get(email="reader@example.org")
    assert author.claimed_by == user and author.claimed_at is not None
    # the deleted p1 (no valid e-mail) keeps its old display name and no account
    p1 = Comment.objects.get(pk=imported["p1"].pk)
    assert p1.author is None and p1.author_name == "A"
    # idempotent
    assert claim_legacy_comments(user.pk, "reader@EXAMPLE.org") == 0
    assert Comment.objects.filter(author=user).count() == 1


def test_other_users_verified_address_does_not_claim(imported):
    owner, _ = _user("someone@else.org", verified=True)
    # an attacker adds the victim's address unverified to their own account
    EmailAddress.objects.create(user=owner, email="reader@example.org", verified=False)
    assert claim_legacy_comments(owner.pk, "reader@example.org") == 0
    assert not Comment.objects.filter(author=owner).exists()


def test_login_with_already_verified_address_claims(imported):
    user, _ = _user("reader@example.org", verified=True)
    client = Client()
    client.force_login(user)  # sends user_logged_in
    assert list(Comment.objects.filter(author=user)) == [imported["p2"]]


def test_import_after_verification_assigns_author_at_once(story_at, run_import):
    story_at("/news/story-1")
    user, _ = _user("Reader@example.org", verified=True)
    out = run_import(FILES / "forward_refs.xml", "--source", "fw")
    assert Comment.objects.filter(author=user).count() == 1
    assert LegacyAuthor.objects.get(email="reader@example.org").claimed_by == user
    assert "authors matched to accounts" in out


def test_signup_and_email_confirmation_flow_claims(imported, client):
    """The real allauth flow: sign up, open the link, press confirm -> comments are mine."""
    from django.core import mail

    response = client.post(
        "/accounts/signup/",
        {
            "email": "Reader@Example.org",
            "password1": "a-Long-passw0rd!x",
            "password2": "a-Long-passw0rd!x",
        },
    )
    assert response.status_code in (200, 302)
    user = get_user_model().objects.get(email__iexact="reader@example.org")
    assert not Comment.objects.filter(author=user).exists()  # not verified yet
    body = mail.outbox[-1].body
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", body).group(0)
    path = urlsplit(link).path
    assert client.get(path).status_code == 200
    client.post(path)
    assert list(Comment.objects.filter(author=user)) == [imported["p2"]]
