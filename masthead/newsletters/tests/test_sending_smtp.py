"""Sending through a real SMTP server on loopback (aiosmtpd): headers, parts, unsubscribe."""

from __future__ import annotations

import re
from email.utils import parseaddr

import pytest
from django.test import Client
from django.utils import timezone

from masthead.newsletters import services
from masthead.newsletters.models import (
    ConsentEvent,
    Delivery,
    IssueStory,
    Newsletter,
    NewsletterIssue,
    Subscriber,
    Subscription,
    SuppressedAddress,
)
from masthead.newsletters.sending import run_issue, schedule_issue

pytestmark = pytest.mark.django_db

GATED = "Gated paragraph that only subscribers may read."


def confirmed(email: str, newsletter: Newsletter) -> Subscriber:
    sub = Subscriber.objects.create(email=email, confirmed_at=timezone.now())
    services.subscribe_confirmed(sub, newsletter, "admin")
    return sub


@pytest.fixture
def issue(newsletter, make_story):
    newsletter.name = "Révue du Matin"
    newsletter.from_name = "Rédaction Ledger"
    newsletter.save()
    free = make_story("Free story headline", access_level="free", standfirst="A free standfirst.")
    paid = make_story(
        "Paid story headline",
        access_level="subscribers",
        standfirst="A paid standfirst.",
        paragraphs=[GATED, GATED],
    )
    issue = NewsletterIssue.objects.create(
        newsletter=newsletter,
        subject="Les nouvelles — ১ June ✓",
        intro="Good morning.\n\nSecond para.",
    )
    IssueStory.objects.create(issue=issue, story=free, sort_order=0)
    IssueStory.objects.create(issue=issue, story=paid, sort_order=1)
    return issue


def send(issue: NewsletterIssue) -> None:
    schedule_issue(issue)  # ImmediateBackend in tests runs send_issue at once
    issue.refresh_from_db()


def test_issue_arrives_with_bulk_headers_both_parts_and_encoding(
    smtp_server, issue, newsletter, settings
):
    subs = [confirmed(f"reader{i}@example.org", newsletter) for i in range(3)]
    Subscriber.objects.create(email="pending@example.org")  # unconfirmed: must get nothing
    send(issue)
    assert issue.status == "sent"
    got = smtp_server.handler.messages
    assert sorted(m.rcpt_tos[0] for m in got) == sorted(s.email for s in subs)
    ids = set()
    for received in got:
        msg = received.parsed()
        assert msg["Subject"] == "Les nouvelles — ১ June ✓"
        raw_headers = received.raw.split(b"\r\n\r\n", 1)[0]
        assert raw_headers.isascii()  # non-ASCII headers are RFC 2047-encoded
        name, addr = parseaddr(str(msg["From"]))
        assert name == "Rédaction Ledger" and addr == "newsletters@masthead.example"
        assert addr != parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        lu = " ".join(str(msg["List-Unsubscribe"]).split())
        assert re.fullmatch(
            r"<http[^>]+/newsletters/unsubscribe/[^>]+/>, "
            r"<mailto:unsubscribe@masthead\.example\?subject=[^>]+>",
            lu,
        )
        assert str(msg["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        assert str(msg["List-Id"]) == "<morning.lists.masthead.example>"
        ids.add(str(msg["Message-ID"]))
        text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",)).get_content()
        assert msg.get_content_type() == "multipart/alternative"
        for body in (text, html):
            assert "Free story headline" in body and "A paid standfirst." in body
            assert GATED not in body
            assert "/newsletters/unsubscribe/" in body and "/newsletters/manage/" in body
        assert "<style" not in html and 'style="' in html  # CSS inlined
        assert "Good morning." in text and "Second para." in text
    assert len(ids) == 3  # unique Message-IDs
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert set(Delivery.objects.values_list("message_id", flat=True)) == ids


def test_list_id_is_distinct_per_newsletter(smtp_server, issue, newsletter, second_newsletter):
    confirmed("a@example.org", newsletter)
    sub = Subscriber.objects.get(email="a@example.org")
    services.subscribe_confirmed(sub, second_newsletter, "admin")
    other = NewsletterIssue.objects.create(
        newsletter=second_newsletter, subject="Weekend", intro="Hi"
    )
    send(issue)
    send(other)
    list_ids = {str(m.parsed()["List-Id"]) for m in smtp_server.handler.messages}
    assert len(list_ids) == 2


def _unsubscribe_path(received, settings) -> str:
    lu = str(received.parsed()["List-Unsubscribe"])
    return re.search(r"<(http[^>]+)>", lu).group(1).replace(settings.SITE_URL, "")


def test_one_click_post_unsubscribes_and_get_does_not(smtp_server, issue, newsletter, settings):
    confirmed("one@example.org", newsletter)
    send(issue)
    path = _unsubscribe_path(smtp_server.handler.messages[0], settings)
    anon = Client(enforce_csrf_checks=True)  # like a mail provider: no cookies, no CSRF token

    page = anon.get(path)  # a scanner prefetch
    assert page.status_code == 200 and 'value="One-Click"' in page.content.decode()
    assert Subscription.objects.get().status == "confirmed"

    resp = anon.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert resp.status_code == 200 and "Location" not in resp
    assert Subscription.objects.get().status == "unsubscribed"
    assert ConsentEvent.objects.filter(action="unsubscribed").get().source == "one-click header"
    # Idempotent, and multipart works too.
    resp = anon.post(path, {"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 200
    assert ConsentEvent.objects.filter(action="unsubscribed").count() == 1


def test_forged_or_incomplete_unsubscribe_changes_nothing(smtp_server, issue, newsletter, settings):
    confirmed("two@example.org", newsletter)
    send(issue)
    path = _unsubscribe_path(smtp_server.handler.messages[0], settings)
    forged = path[:-4] + ("x" if path[-4] != "x" else "y") + path[-3:]
    resp = Client().post(forged, {"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 400 and "not valid" in resp.content.decode()
    resp = Client().post(path, {"something": "else"})
    assert resp.status_code == 400
    assert Subscription.objects.get().status == "confirmed"


def test_expired_unsubscribe_token_says_so(smtp_server, issue, newsletter, settings):
    confirmed("three@example.org", newsletter)
    send(issue)
    path = _unsubscribe_path(smtp_server.handler.messages[0], settings)
    settings.MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAX_AGE = -1
    resp = Client().post(path, {"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 400 and "expired" in resp.content.decode()
    assert Subscription.objects.get().status == "confirmed"


def test_unsubscribe_during_send_stops_mail(smtp_server, issue, newsletter, settings):
    subs = [confirmed(f"r{i}@example.org", newsletter) for i in range(4)]
    NewsletterIssue.objects.filter(pk=issue.pk).update(status="sending")
    from masthead.newsletters.sending import freeze_recipients

    issue.refresh_from_db()
    freeze_recipients(issue)
    services.unsubscribe(subs[2], newsletter, "one-click header")  # after recipients were chosen
    run_issue(issue.pk)
    assert sorted(m.rcpt_tos[0] for m in smtp_server.handler.messages) == [
        "r0@example.org",
        "r1@example.org",
        "r3@example.org",
    ]
    assert Delivery.objects.get(subscriber=subs[2]).status == "skipped"


def test_permanent_failure_suppresses_address_and_temporary_is_retried(
    smtp_server, issue, newsletter, settings
):
    confirmed("gone@example.org", newsletter)
    confirmed("busy@example.org", newsletter)
    confirmed("ok@example.org", newsletter)
    smtp_server.handler.reject = {
        "gone@example.org": "550 5.1.1 No such user",
        "busy@example.org": "451 4.3.0 Try again later",
    }
    send(issue)
    gone = Delivery.objects.get(subscriber__email="gone@example.org")
    busy = Delivery.objects.get(subscriber__email="busy@example.org")
    assert gone.status == "failed" and "550" in gone.last_error
    assert SuppressedAddress.objects.filter(email="gone@example.org").exists()
    assert busy.status == "queued" and busy.attempts == 1 and "451" in busy.last_error
    assert busy.next_attempt_at > timezone.now()
    assert Delivery.objects.get(subscriber__email="ok@example.org").status == "sent"
    issue.refresh_from_db()
    assert issue.status == "sending"

    # The server recovers; once the retry time comes the row is sent.
    smtp_server.handler.reject = {}
    Delivery.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
    result = run_issue(issue.pk)
    assert result.finished and result.sent == 1
    busy.refresh_from_db()
    assert busy.status == "sent" and busy.attempts == 2

    # A later issue skips the suppressed address.
    later = NewsletterIssue.objects.create(newsletter=newsletter, subject="Later", intro="Hi")
    before = smtp_server.handler.count()
    send(later)
    new = [m.rcpt_tos[0] for m in smtp_server.handler.messages[before:]]
    assert "gone@example.org" not in new and sorted(new) == ["busy@example.org", "ok@example.org"]


def test_offers_need_consent(smtp_server, offers_list, newsletter):
    yes = confirmed("yes@example.org", newsletter)
    confirmed("no@example.org", newsletter)
    services.set_offers(yes, True, "account page")
    issue = NewsletterIssue.objects.create(
        newsletter=offers_list, subject="Early access", intro="20% off"
    )
    send(issue)
    assert [m.rcpt_tos[0] for m in smtp_server.handler.messages] == ["yes@example.org"]


def test_sending_twice_sends_nothing_more(smtp_server, issue, newsletter):
    confirmed("once@example.org", newsletter)
    send(issue)
    from masthead.newsletters.sending import IssueNotSendable

    with pytest.raises(IssueNotSendable):
        schedule_issue(issue)
    run_issue(issue.pk)
    assert smtp_server.handler.count() == 1
