"""What a member file may not do: bring in a staff address, name a column twice, or be
empty; and a semicolon- or tab-separated file is read with its own separator."""

from __future__ import annotations

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from masthead.members.models import MemberRecord
from masthead.members.services import export_csv, import_csv
from masthead.newsletters.models import ConsentEvent, Subscriber, Subscription
from masthead.testing.personas import make_user

pytestmark = pytest.mark.django_db


def run(text: str):  # noqa: ANN201
    return import_csv(text.encode(), "ghost")


# -- staff addresses refused -------------------------------------------------


def test_import_refuses_a_staff_address_by_line_and_stores_nothing(letters):
    make_user("Editor@Masthead.example", is_staff=True)
    outcome = run("email,name\nann@example.org,Ann\neditor@masthead.example,hacked\n")
    assert outcome.done is None
    assert outcome.checked.errors == [
        (
            3,
            "editor@masthead.example belongs to a staff account; staff are not members "
            "and are never imported",
        )
    ]
    assert not MemberRecord.objects.exists() and not ConsentEvent.objects.exists()
    assert "editor@masthead.example" not in "".join(export_csv())


def test_import_refuses_a_superusers_second_address(letters):
    boss = make_user("boss@masthead.example", is_superuser=True)
    EmailAddress.objects.create(user=boss, email="boss@home.example", verified=True)
    outcome = run("email,subscribed_to_emails\nboss@home.example,true\n")
    assert outcome.done is None and outcome.checked.errors[0][0] == 2
    assert not Subscriber.objects.exists()


def test_admin_import_of_a_staff_address_shows_the_line(staff, letters):
    client = Client()
    client.force_login(staff)
    upload = io.BytesIO(b"email,name\neditor@example.org,hacked\n")
    upload.name = "members.csv"
    response = client.post(reverse("members_admin_import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 2: editor@example.org belongs to a staff account" in html
    assert not MemberRecord.objects.exists()


# -- file-level problems -------------------------------------------------------------


def test_a_column_named_twice_is_refused_by_name(letters):
    checked = run("email,name,email\na@example.org,A,b@example.org\n").checked
    assert not checked.ok and checked.rows == []
    assert checked.problem.startswith("The header has the column email more than once")
    assert not MemberRecord.objects.exists()


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_semicolon_or_tab_separated_file_is_read(letters, sep):
    text = sep.join(["email", "name", "subscribed_to_emails", "newsletters"]) + "\n"
    text += sep.join(["ann@example.org", "Ann", "true", '"morning,weekly"']) + "\n"
    outcome = run(text)
    assert outcome.done is not None, outcome.checked.problem
    assert outcome.checked.delimiter == sep
    assert MemberRecord.objects.get().name == "Ann"
    assert set(Subscription.objects.values_list("newsletter__slug", flat=True)) == {
        "morning",
        "weekly",
    }


def test_a_separator_without_an_email_column_is_named(letters):
    problem = run("e-mail;name\nann@example.org;Ann\n").checked.problem
    assert "no email column" in problem and "“;” (semicolon)" in problem
    assert "“e-mail”" in problem
    problem = run("mail,na;me\nx,y\n").checked.problem
    assert "The file seems to use “;” (semicolon) as separator." in problem


@pytest.mark.parametrize("text", ["", "\n\n", "\ufeff", "  \r\n"])
def test_an_empty_file_is_called_empty_not_a_bad_row(letters, text, tmp_path):
    checked = run(text).checked
    assert checked.problem == "The file is empty." and checked.error_count == 0
    path = tmp_path / "empty.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("import_members", str(path))
    assert str(info.value) == "The file is empty. Nothing was imported."


def test_admin_says_the_file_is_empty(staff, letters):
    client = Client()
    client.force_login(staff)
    upload = io.BytesIO(b"")
    upload.name = "members.csv"
    html = client.post(reverse("members_admin_import"), {"file": upload}).content.decode()
    assert "The file is empty." in html and "bad row" not in html
