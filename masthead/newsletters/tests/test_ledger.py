"""The sent-ledger: end-of-data waits for the previous row's commit; a failed record stops sending.

On PostgreSQL (``make test-postgres``) these run with the overlapped ledger (a second
connection commits while the next message goes out); on SQLite with the inline one.
Both must give the same outcome.
"""

from __future__ import annotations

import smtplib
import socket
import threading

import pytest
from django.db import connection
from django.utils import timezone

from masthead.newsletters import sending, services
from masthead.newsletters.models import Delivery, NewsletterIssue, Subscriber
from masthead.newsletters.sending import run_issue, sendmail_gated
from masthead.newsletters.tests.smtp import SMTPServer

RAW = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: x\r\n\r\n.leading dot\r\nbody\r\n"


def test_gate_runs_before_end_of_data_and_a_failing_gate_sends_nothing():
    with SMTPServer() as server, smtplib.SMTP("127.0.0.1", server.port) as smtp:
        seen = []
        sendmail_gated(
            smtp, "a@example.org", "b@example.org", RAW, lambda: seen.append(server.handler.count())
        )
        assert seen == [0] and server.handler.count() == 1  # gate ran before the 250
        # End-of-data is a separate small write: Nagle must not hold it for the ACK.
        assert smtp.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert server.handler.messages[0].raw.endswith(b".leading dot\r\nbody\r\n")

        def broken() -> None:
            raise RuntimeError("database went away")

        with pytest.raises(sending._MarkFailed):
            sendmail_gated(smtp, "a@example.org", "c@example.org", RAW, broken)
    assert server.handler.count() == 1  # the second message was never taken


def test_gated_send_reports_refusals_like_sendmail():
    with SMTPServer() as server, smtplib.SMTP("127.0.0.1", server.port) as smtp:
        server.handler.reject = {"gone@example.org": "550 5.1.1 No such user"}
        with pytest.raises(smtplib.SMTPRecipientsRefused) as err:
            sendmail_gated(smtp, "a@example.org", "gone@example.org", RAW, lambda: None)
        assert err.value.recipients["gone@example.org"][0] == 550
        sendmail_gated(smtp, "a@example.org", "ok@example.org", RAW, lambda: None)  # RSET worked
    assert [m.rcpt_tos for m in server.handler.messages] == [["ok@example.org"]]


def _issue_with(newsletter, n: int) -> NewsletterIssue:  # noqa: ANN001
    for i in range(n):
        sub = Subscriber.objects.create(email=f"l{i:03d}@example.org", confirmed_at=timezone.now())
        services.subscribe_confirmed(sub, newsletter, "admin")
    return NewsletterIssue.objects.create(
        newsletter=newsletter,
        subject="Ledger",
        intro="Hi",
        status="scheduled",
        scheduled_at=timezone.now(),
    )


@pytest.mark.django_db(transaction=True)  # so the ledger's own connection sees the rows
def test_every_accepted_message_is_recorded(smtp_server, newsletter, monkeypatch):
    threads = set()
    real = sending._mark_sent

    def spy(*args: object) -> None:
        threads.add(threading.current_thread().name)
        real(*args)

    monkeypatch.setattr(sending, "_mark_sent", spy)
    issue = _issue_with(newsletter, 40)
    result = run_issue(issue.pk, batch_size=15)
    assert result.finished and result.sent == 40
    assert smtp_server.handler.count() == 40
    rows = Delivery.objects.filter(issue=issue)
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    received = {m.parsed()["Message-ID"] for m in smtp_server.handler.messages}
    assert received == set(rows.values_list("message_id", flat=True))
    overlapped = connection.vendor == "postgresql"
    assert all(t.startswith("nl-ledger") for t in threads) == overlapped


@pytest.mark.django_db(transaction=True)
def test_a_failed_record_stops_before_the_next_message_is_taken(
    smtp_server, newsletter, monkeypatch
):
    calls = []
    real = sending._mark_sent

    def flaky(*args: object) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        real(*args)

    monkeypatch.setattr(sending, "_mark_sent", flaky)
    issue = _issue_with(newsletter, 5)
    with pytest.raises(RuntimeError, match="database went away"):
        run_issue(issue.pk)
    # Message 1 recorded; message 2 taken but not recorded (the one-row window);
    # message 3 never completed, in both ledger modes.
    assert smtp_server.handler.count() == 2
    statuses = list(
        Delivery.objects.filter(issue=issue).order_by("pk").values_list("status", flat=True)
    )
    assert statuses == ["sent", "sending", "sending", "sending", "sending"]
