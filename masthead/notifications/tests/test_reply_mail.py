"""Reply email: opt-in, batched (at most one per window), claimed rows sent once, never
for held or rejected replies, RFC 8058 one-click unsubscribe with a signed token."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from masthead.comments import actions
from masthead.moderation.guidelines.base import Decision
from masthead.notifications import services
from masthead.notifications.mail import make_unsubscribe_token, send_reply_digest
from masthead.notifications.models import ReplyMailPreference, ReplyNotification
from masthead.notifications.tasks import send_reply_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(alice, story):
    return actions.post_comment(alice, story, "A comment worth answering.").comment


def reply(author, story, parent, text, capture):  # noqa: ANN001, ANN201
    with capture(execute=True):
        return actions.post_comment(author, story, text, parent=parent).comment


def test_no_email_without_opt_in(alice, bob, story, thread, django_capture_on_commit_callbacks):
    reply(bob, story, thread, "A reply nobody mails.", django_capture_on_commit_callbacks)
    send_reply_mail.enqueue(alice.pk)
    assert mail.outbox == []
    assert services.unseen_count(alice.pk) == 1  # still shown on the site


def test_opted_in_member_gets_one_email_per_window(
    alice, bob, carl, story, thread, django_capture_on_commit_callbacks
):
    services.set_email_replies(alice, True)
    first = reply(
        bob, story, thread, "First reply, mailed at once.", django_capture_on_commit_callbacks
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert "Bob replied to your comment" in message.subject
    assert "First reply, mailed at once." in message.body
    assert f"#comment-{first.pk}" in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{settings.SITE_URL}/notifications/replies/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ReplyNotification.objects.get(reply=first).emailed_at is not None
    # two more replies inside the window: no mail now...
    reply(carl, story, thread, "Second reply, waits.", django_capture_on_commit_callbacks)
    reply(bob, story, thread, "Third reply, waits too.", django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    result = send_reply_digest(alice.pk)
    assert result.sent == 0 and result.retry_at is not None
    # ...one mail with both once the window has passed, then nothing more
    later = timezone.now() + timedelta(hours=settings.MASTHEAD_REPLY_EMAIL_HOURS, minutes=1)
    assert send_reply_digest(alice.pk, now=later).sent == 2
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("2 people replied to your comments | ")
    assert "2 people replied to your comments on" in mail.outbox[1].body
    assert "Second reply, waits." in mail.outbox[1].body
    assert "First reply" not in mail.outbox[1].body
    much_later = later + timedelta(hours=settings.MASTHEAD_REPLY_EMAIL_HOURS + 1)
    assert send_reply_digest(alice.pk, now=much_later).sent == 0
    assert len(mail.outbox) == 2


def test_held_reply_is_mailed_only_once_approved(
    alice, bob, carl, story, thread, engine, django_capture_on_commit_callbacks
):
    services.set_email_replies(alice, True)
    engine.set(Decision.HOLD)
    held = reply(bob, story, thread, "Held by the queue.", django_capture_on_commit_callbacks)
    engine.set(Decision.REJECT)
    reply(bob, story, thread, "Refused by the rules.", django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert send_reply_digest(alice.pk).sent == 0
    with django_capture_on_commit_callbacks(execute=True):
        actions.approve_comment(held, carl)
    assert len(mail.outbox) == 1 and "Held by the queue." in mail.outbox[0].body
    assert "Refused by the rules." not in mail.outbox[0].body


def test_rows_claimed_by_another_run_are_not_sent_again(alice, bob, story, thread, engine):
    services.set_email_replies(alice, True)
    first = actions.post_comment(bob, story, "Claimed elsewhere.", parent=thread).comment
    actions.post_comment(bob, story, "Ours to send.", parent=thread)
    # another worker already put its batch on the first row
    ReplyNotification.objects.filter(reply=first).update(email_batch="0" * 32)
    assert send_reply_digest(alice.pk).sent == 1
    assert (
        "Ours to send." in mail.outbox[0].body and "Claimed elsewhere." not in mail.outbox[0].body
    )


def test_a_failed_send_gives_the_rows_back(alice, bob, story, thread):
    services.set_email_replies(alice, True)
    actions.post_comment(bob, story, "Sent on the second try.", parent=thread)
    with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("down")):
        with pytest.raises(OSError):
            send_reply_digest(alice.pk)
    note = ReplyNotification.objects.get()
    assert note.email_batch is None and note.emailed_at is None
    assert ReplyMailPreference.objects.get(user=alice).last_sent_at is None
    assert send_reply_digest(alice.pk).sent == 1 and len(mail.outbox) == 1


def test_unverified_address_gets_no_mail(alice, bob, story, thread):
    services.set_email_replies(alice, True)
    alice.emailaddress_set.update(verified=False)
    actions.post_comment(bob, story, "No proven address.", parent=thread)
    assert send_reply_digest(alice.pk).sent == 0 and mail.outbox == []
    assert ReplyNotification.objects.get().email_batch is None


def test_email_setting_is_opt_in_and_csrf_protected(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get("/comments/mine/").content.decode()
    assert 'name="email_replies" value="on">' in page  # unchecked by default
    assert (
        client.post(reverse("notifications:reply-email"), {"email_replies": "on"}).status_code
        == 403
    )
    assert not services.wants_email(alice.pk)
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("notifications:reply-email"),
        {"email_replies": "on", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and services.wants_email(alice.pk)
    assert (
        "checked"
        in client.get("/comments/mine/").content.decode().split('name="email_replies"')[1][:40]
    )
    client.post(reverse("notifications:reply-email"), {"csrfmiddlewaretoken": token})
    assert not services.wants_email(alice.pk)


def test_one_click_unsubscribe(alice, bob, story, thread):
    services.set_email_replies(alice, True)
    url = reverse("notifications:reply-unsubscribe", args=[make_unsubscribe_token(alice.pk)])
    mailer = Client(enforce_csrf_checks=True)  # no cookies, no CSRF token, as a mail client posts
    page = mailer.get(url)
    assert page.status_code == 200 and services.wants_email(alice.pk)  # GET changes nothing
    assert mailer.post(url, {}).status_code == 400 and services.wants_email(alice.pk)
    response = mailer.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and not services.wants_email(alice.pk)
    assert mailer.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200  # idempotent
    forged = reverse(
        "notifications:reply-unsubscribe", args=[make_unsubscribe_token(alice.pk) + "x"]
    )
    services.set_email_replies(alice, True)
    assert mailer.post(forged, {"List-Unsubscribe": "One-Click"}).status_code == 400
    assert services.wants_email(alice.pk)
    actions.post_comment(bob, story, "After unsubscribing.", parent=thread)
    mailer.post(url, {"List-Unsubscribe": "One-Click"})
    assert send_reply_digest(alice.pk).sent == 0 and mail.outbox == []


def test_replies_waiting_for_the_window_queue_a_deferred_task(alice, bob, story, thread, settings):
    """With a backend that can defer (the database worker's), the task queues itself for
    the end of the window instead of dropping the waiting replies."""
    services.set_email_replies(alice, True)
    actions.post_comment(bob, story, "Mailed now.", parent=thread)
    assert send_reply_digest(alice.pk).sent == 1
    actions.post_comment(bob, story, "Waits for the window.", parent=thread)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = send_reply_mail.get_backend()
    assert backend.supports_defer
    send_reply_mail.call(alice.pk)
    (queued,) = backend.results
    assert queued.args == [alice.pk]
    last = ReplyMailPreference.objects.get(user=alice).last_sent_at
    expected = last + timedelta(hours=settings.MASTHEAD_REPLY_EMAIL_HOURS)
    assert queued.task.run_after == expected


def test_digest_counts_people_not_replies(
    alice, bob, carl, story, thread, django_capture_on_commit_callbacks
):
    """One reader answering three times is one person; two readers are two people."""
    site = settings.MASTHEAD_SITE_NAME
    services.set_email_replies(alice, True)
    reply(bob, story, thread, "Opening reply, mailed at once.", django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == f"Bob replied to your comment | {site}"
    assert mail.outbox[0].body.startswith(f"Bob replied to your comment on {site}.")
    reply(bob, story, thread, "Bob again.", django_capture_on_commit_callbacks)
    reply(bob, story, thread, "Bob a third time.", django_capture_on_commit_callbacks)
    later = timezone.now() + timedelta(hours=settings.MASTHEAD_REPLY_EMAIL_HOURS, minutes=1)
    assert send_reply_digest(alice.pk, now=later).sent == 2
    one_person = mail.outbox[1]
    assert one_person.subject == f"Bob replied 2 times to your comments | {site}"
    assert f"Bob replied 2 times to your comments on {site}." in one_person.body
    assert "people" not in one_person.subject + one_person.body.split("\n")[0]
    reply(bob, story, thread, "Bob once more.", django_capture_on_commit_callbacks)
    reply(carl, story, thread, "Carl joins in.", django_capture_on_commit_callbacks)
    reply(bob, story, thread, "Bob answers Carl.", django_capture_on_commit_callbacks)
    much_later = later + timedelta(hours=settings.MASTHEAD_REPLY_EMAIL_HOURS, minutes=1)
    assert send_reply_digest(alice.pk, now=much_later).sent == 3
    two_people = mail.outbox[2]
    assert two_people.subject == f"2 people replied to your comments | {site}"
    assert f"2 people replied to your comments on {site} (3 replies)." in two_people.body
