"""The signed-in user kept in the cache (masthead.accounts.backends): no query per
request, and every change that must end or change a session still does at once."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return get_user_model().objects.create_user("rhea", "rhea@example.org", "pw-rhea-123456")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_second_request_needs_no_user_query(member):
    client = signed_in(member)
    client.get("/meter.json")
    with CaptureQueriesContext(connection) as queries:
        client.get("/meter.json")
    assert not [q for q in queries if 'FROM "auth_user"' in q["sql"]]


def test_password_change_ends_other_sessions_at_once(member, django_capture_on_commit_callbacks):
    other = signed_in(member)
    assert other.get("/account/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        member.set_password("a-new-password-987")
        member.save()
    response = other.get("/account/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_deactivated_member_is_signed_out_at_once(member, django_capture_on_commit_callbacks):
    client = signed_in(member)
    assert client.get("/account/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        member.is_active = False
        member.save()
    assert client.get("/account/").status_code == 302


def test_deleted_member_is_anonymous_at_once(member, django_capture_on_commit_callbacks):
    client = signed_in(member)
    assert client.get("/account/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        member.delete()
    assert client.get("/account/").status_code == 302


def test_changed_name_shows_at_once(member, django_capture_on_commit_callbacks):
    client = signed_in(member)
    client.get("/account/")
    with django_capture_on_commit_callbacks(execute=True):
        member.email = "rhea.new@example.org"
        member.save()
    assert "rhea.new@example.org" in client.get("/account/").content.decode()
