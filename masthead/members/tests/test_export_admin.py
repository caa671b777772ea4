"""Member CSV export (Ghost's columns, formula-safe cells, round trip) and the admin page
(staff only, CSRF-protected)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from masthead.accounts.models import Profile
from masthead.members.csvio import COLUMNS, safe_cell
from masthead.members.models import MemberRecord
from masthead.members.services import export_csv, import_csv
from masthead.metering.models import Subscription as Paid
from masthead.newsletters.models import ConsentEvent, Subscriber, Subscription

pytestmark = pytest.mark.django_db


def exported() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(export_csv()))))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_escaped(start):
    assert safe_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"
    assert safe_cell("Plain name") == "Plain name"


def test_export_has_ghost_columns_and_joins_what_we_know(letters, reader, staff):
    Profile.objects.update_or_create(user=reader, defaults={"display_name": "Reader Rae"})
    Paid.objects.create(user=reader, plan="digital", provider="staff")
    sub = Subscriber.objects.create(email="reader@example.org", user=reader)
    Subscription.objects.create(subscriber=sub, newsletter=letters["weekly"], status="confirmed")
    import_csv(
        (
            b"email,name,note,labels,created_at\n"
            b'=evil@example.org,"=HYPERLINK(""http://x"")",+note,"@lab,-2",2020-01-01T00:00:00Z\n'
        ),
        "ghost",
    )
    rows = exported()
    assert list(rows[0]) == COLUMNS
    by_email = {r["email"]: r for r in rows}
    rae = by_email["reader@example.org"]
    assert rae["name"] == "Reader Rae" and rae["complimentary_plan"] == "true"
    assert rae["subscribed_to_emails"] == "true" and rae["newsletters"] == "weekly"
    assert rae["offers_consent"] == "false"
    evil = by_email["'=evil@example.org"]
    assert evil["name"] == '\'=HYPERLINK("http://x")'
    assert evil["note"] == "'+note" and evil["labels"] == "'@lab,-2"
    assert evil["created_at"] == "2020-01-01T00:00:00Z"
    assert "editor@example.org" not in by_email  # staff accounts are not members


def test_export_then_import_round_trips(letters):
    original = (
        "email,name,note,subscribed_to_emails,labels,created_at,newsletters,offers_consent,"
        "offers_consent_at,offers_consent_source\n"
        'a@example.org,-Ann,@note,true,"x,y",2021-03-04T05:06:07Z,morning,true,'
        "2021-03-04T05:06:07Z,form\n"
    )
    assert import_csv(original.encode(), "ghost").done is not None
    first = "".join(export_csv())
    MemberRecord.objects.all().delete()
    again = import_csv(first.encode(), "roundtrip").done
    assert again is not None and again.consent_events == 0  # nothing new to consent to
    assert "".join(export_csv()) == first
    assert MemberRecord.objects.get().name == "-Ann"


def test_admin_page_is_staff_only(client, staff, reader, letters):
    url = reverse("members_admin")
    assert client.get(url).status_code == 302  # to the admin sign-in
    client.force_login(reader)
    assert client.get(url).status_code in (302, 403)
    assert client.post(reverse("members_admin_export")).status_code in (302, 403)
    client.force_login(staff)
    page = client.get(url)
    assert page.status_code == 200 and b"Download members.csv" in page.content


def test_admin_export_and_import_need_post_with_csrf(staff, letters):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    page = client.get(reverse("members_admin"))
    token = client.cookies["csrftoken"].value
    assert client.get(reverse("members_admin_export")).status_code == 405
    assert client.post(reverse("members_admin_export")).status_code == 403  # no token
    response = client.post(reverse("members_admin_export"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 200 and page.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="members-')
    assert b"".join(response.streaming_content).decode().startswith("email,name,note")
    bad = io.BytesIO(b"email,subscribed_to_emails\nnope,true\nok@example.org,perhaps\n")
    bad.name = "ghost.csv"
    response = client.post(
        reverse("members_admin_import"), {"file": bad, "csrfmiddlewaretoken": token}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "2 bad rows; nothing was imported." in html
    assert "Line 2:" in html and "Line 3:" in html
    assert not MemberRecord.objects.exists()
    good = io.BytesIO(b"email,subscribed_to_emails\nok@example.org,true\n")
    good.name = "ghost.csv"
    response = client.post(
        reverse("members_admin_import"),
        {"file": good, "source": "ghost", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 200 and "Imported: 1 row." in response.content.decode()
    assert ConsentEvent.objects.filter(email="ok@example.org", source="import:ghost").count() == 2
    response = client.post(reverse("members_admin_import"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 400 and "Choose a CSV file" in response.content.decode()
