"""Editors compose, preview, test-send and send an issue from the Wagtail admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from masthead.newsletters import services
from masthead.newsletters.models import Delivery, IssueStory, NewsletterIssue, Subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw-Ed-123")
    client.force_login(user)
    return user


def test_compose_preview_test_send_and_send_now(client, editor, newsletter, make_story):
    story = make_story("Chosen story", access_level="subscribers", paragraphs=["SECRET body text."])
    issue = NewsletterIssue.objects.create(newsletter=newsletter, subject="Monday", intro="Hello.")
    IssueStory.objects.create(issue=issue, story=story)
    reader = Subscriber.objects.create(email="reader@example.org", confirmed_at=timezone.now())
    services.subscribe_confirmed(reader, newsletter, "admin")

    assert client.get("/admin/newsletters/issues/").status_code == 200
    page = client.get(f"/admin/newsletters/issue/{issue.pk}/send/")
    assert page.status_code == 200 and "1 current recipient" in page.content.decode()
    preview = client.get(f"/admin/newsletters/issue/{issue.pk}/preview/").content.decode()
    assert "Chosen story" in preview and "SECRET" not in preview and "<style" not in preview

    client.post(f"/admin/newsletters/issue/{issue.pk}/test/", {"email": "editor@example.org"})
    assert [m.to for m in mail.outbox] == [["editor@example.org"]]
    assert mail.outbox[0].subject == "[TEST] Monday"
    assert not Delivery.objects.exists()

    resp = client.post(f"/admin/newsletters/issue/{issue.pk}/test/", {"email": "nope"})
    assert resp.status_code == 302 and len(mail.outbox) == 1

    client.post(f"/admin/newsletters/issue/{issue.pk}/schedule/")
    issue.refresh_from_db()
    assert issue.status == "sent"
    assert Delivery.objects.get().status == "sent"
    assert [m.to for m in mail.outbox[1:]] == [["reader@example.org"]]


def test_schedule_later_and_bad_time(client, editor, newsletter):
    issue = NewsletterIssue.objects.create(newsletter=newsletter, subject="Later", intro="Hi")
    client.post(f"/admin/newsletters/issue/{issue.pk}/schedule/", {"when": "tomorrow-ish"})
    issue.refresh_from_db()
    assert issue.status == "draft"
    client.post(f"/admin/newsletters/issue/{issue.pk}/schedule/", {"when": "2099-01-31 07:00"})
    issue.refresh_from_db()
    assert issue.status == "scheduled" and issue.scheduled_at.year == 2099
    assert not mail.outbox


def test_consent_log_is_read_only_in_admin(client, editor, alice, newsletter):
    sub = services.subscriber_for_user(alice)
    services.subscribe_confirmed(sub, newsletter, "account page")
    listing = client.get("/admin/newsletters/consent-log/")
    assert listing.status_code == 200 and "alice@example.org" in listing.content.decode()
    assert client.get("/admin/newsletters/consent-log/new/").status_code in (302, 403)
