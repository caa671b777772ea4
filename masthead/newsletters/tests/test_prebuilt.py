"""The pre-built message path (``prebuilt.py``) against Django's own message for the same data."""

from __future__ import annotations

import email
import email.policy
import re
from urllib.parse import unquote

import pytest
from django.core import mail, signing
from django.utils import timezone

from masthead.newsletters import services
from masthead.newsletters.emails import IssueRenderer, message_id_for
from masthead.newsletters.models import (
    Delivery,
    IssueStory,
    Newsletter,
    NewsletterIssue,
    Subscriber,
)
from masthead.newsletters.sending import run_issue, schedule_issue
from masthead.newsletters.tokens import read_manage_token, read_unsubscribe_token

pytestmark = pytest.mark.django_db

STATIC_HEADERS = ("MIME-Version", "Subject", "From", "List-Id", "List-Unsubscribe-Post")


@pytest.fixture
def issue(newsletter: Newsletter, make_story) -> NewsletterIssue:  # noqa: ANN001
    newsletter.name = "Révue du Matin"
    newsletter.from_name = "Rédaction Ledger"
    newsletter.save()
    story = make_story("Story & <friends>", access_level="free", standfirst="Ça va — ✓")
    issue = NewsletterIssue.objects.create(
        newsletter=newsletter, subject="Les nouvelles — ১ June ✓", intro="Bonjour.\n\nSecond."
    )
    IssueStory.objects.create(issue=issue, story=story, sort_order=0)
    return issue


@pytest.fixture
def frozen_clock(monkeypatch):  # noqa: ANN001, ANN201
    """One clock for both paths, so their tokens, Date and bytes can be compared."""
    monkeypatch.setattr(signing.time, "time", lambda: 1_800_000_000.0)


def parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def raw_field(raw: bytes, name: str) -> bytes:
    """The raw bytes of one header field, continuation lines included."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    match = re.search(
        rb"^" + name.encode() + rb":.*?(?=\r\n(?! |\t))", head + b"\r\n", re.M | re.S | re.I
    )
    assert match, name
    return match.group()


def both(renderer: IssueRenderer, to: str, sid: int, delivery_id: int) -> tuple[bytes, bytes]:
    """(Django's bytes, pre-built bytes) for one recipient."""
    message_id = message_id_for(renderer.issue.pk, delivery_id, renderer.domain)
    old = renderer.message(to=to, subscriber_id=sid, message_id=message_id)
    new = renderer.template().render(to=to, subscriber_id=sid, message_id=message_id)
    assert new is not None
    return old.message().as_bytes(linesep="\r\n"), new


def test_prebuilt_message_equals_djangos_in_headers_and_body(issue, frozen_clock):
    renderer = IssueRenderer(issue)
    old, new = both(renderer, "reader@example.org", 41, 7)
    o, n = parse(old), parse(new)
    assert not n.defects and all(not p.defects for p in n.walk())
    # Same fields in the same order with the same values (the frozen clock makes even
    # Django's per-message Date equal); the boundary is Django's random one per message.
    assert list(o.keys()) == list(n.keys())
    for name in o.keys():
        if name != "Content-Type":
            assert " ".join(str(n[name]).split()) == " ".join(str(o[name]).split()), name
    assert "15 Jan 2027" in n["Date"]  # built at render time, from the (frozen) clock
    # Subject/From (RFC 2047-encoded), MIME-Version, RFC 8058 header: byte for byte.
    for name in STATIC_HEADERS:
        assert raw_field(new, name) == raw_field(old, name), name
    assert new.split(b"\r\n\r\n", 1)[0].isascii()
    # The bodies are byte-identical once Django's random boundary is swapped for ours.
    boundary_old, boundary_new = o.get_boundary(), n.get_boundary()
    assert raw_field(new, "Content-Type") == raw_field(old, "Content-Type").replace(
        boundary_old.encode(), boundary_new.encode()
    )
    body_old = old.split(b"\r\n\r\n", 1)[1].replace(boundary_old.encode(), boundary_new.encode())
    assert new.split(b"\r\n\r\n", 1)[1] == body_old
    assert [p.get_content_type() for p in n.walk()] == [p.get_content_type() for p in o.walk()]
    assert n.get_body(("plain",)).get_content() == o.get_body(("plain",)).get_content()
    assert n.get_body(("html",)).get_content() == o.get_body(("html",)).get_content()
    assert "Story &amp; &lt;friends&gt;" in n.get_body(("html",)).get_content()


def test_links_and_headers_are_per_recipient_and_signed(issue, newsletter, settings):
    settings.SITE_URL = "https://news.example"
    renderer = IssueRenderer(issue)
    template = renderer.template()
    tokens = {}
    for sid, to in ((5, "five@example.org"), (6, "six@example.org")):
        message_id = message_id_for(issue.pk, sid * 10, renderer.domain)
        msg = parse(template.render(to=to, subscriber_id=sid, message_id=message_id))
        assert msg["To"] == to and msg["Message-ID"] == message_id
        # RFC 8058: an HTTPS URI in List-Unsubscribe plus List-Unsubscribe-Post; RFC 2919 List-Id.
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["List-Id"] == f"<{newsletter.list_id}>"
        lu = " ".join(str(msg["List-Unsubscribe"]).split())
        https, mailto_token = re.fullmatch(
            r"<(https://news\.example/newsletters/unsubscribe/[^>]+/)>, "
            r"<mailto:unsubscribe@masthead\.example\?subject=unsubscribe%20([^>]+)>",
            lu,
        ).groups()
        token = https.rstrip("/").rsplit("/", 1)[1]
        assert unquote(mailto_token) == token
        assert read_unsubscribe_token(token) == (sid, newsletter.pk)
        for part in ("plain", "html"):
            body = msg.get_body((part,)).get_content()
            assert https in body  # the visible link is the header's link
            manage = re.search(r"https://news\.example/newsletters/manage/([^/\s\"]+)/", body)
            assert read_manage_token(manage.group(1)) == sid
        tokens[sid] = token
    assert tokens[5] != tokens[6]


def test_forged_template_token_is_rejected(issue, newsletter):
    renderer = IssueRenderer(issue)
    raw = renderer.template().render(to="a@example.org", subscriber_id=9, message_id="<x@y.z>")
    token = re.search(rb"/unsubscribe/([^/>]+)/>", raw).group(1).decode()
    with pytest.raises(Exception, match="not valid"):
        read_unsubscribe_token(token.replace(":", ":x", 1))


@pytest.mark.parametrize("to", ["josé@example.org", "a@bü.example", "a b@example.org"])
def test_unusual_addresses_fall_back_to_django(issue, to):
    assert (
        IssueRenderer(issue).template().render(to=to, subscriber_id=1, message_id="<a@b>") is None
    )


def test_a_link_that_makes_a_line_too_long_falls_back(issue):
    renderer = IssueRenderer(issue)
    template = renderer.template()
    prefix, suffix = renderer._unsub_parts
    renderer._unsub_parts = (prefix + "x" * 1000, suffix)  # links() reads these per call
    assert template.render(to="a@example.org", subscriber_id=1, message_id="<a@b>") is None


def test_long_line_issue_has_no_template_and_django_sends_quoted_printable(
    smtp_server, issue, newsletter
):
    issue.intro = "Long: " + "x" * 1200
    issue.save()
    assert IssueRenderer(issue).template() is None
    sub = Subscriber.objects.create(email="long@example.org", confirmed_at=timezone.now())
    services.subscribe_confirmed(sub, newsletter, "admin")
    schedule_issue(issue)
    (received,) = smtp_server.handler.messages
    msg = parse(received.raw)
    assert msg.get_body(("plain",))["Content-Transfer-Encoding"] == "quoted-printable"
    assert "x" * 1200 in msg.get_body(("plain",)).get_content()
    assert Delivery.objects.get().status == "sent"


def test_smtp_backend_sends_prebuilt_bytes(smtp_server, issue, newsletter, monkeypatch):
    """With Django's SMTP backend no message goes through EmailMultiAlternatives."""

    def no_django_message(*args: object, **kwargs: object) -> None:
        raise AssertionError("the pre-built path should have been used")

    monkeypatch.setattr(IssueRenderer, "message", no_django_message)
    for i in range(3):
        sub = Subscriber.objects.create(email=f"p{i}@example.org", confirmed_at=timezone.now())
        services.subscribe_confirmed(sub, newsletter, "admin")
    schedule_issue(issue)
    assert smtp_server.handler.count() == 3
    ids = {parse(m.raw)["Message-ID"] for m in smtp_server.handler.messages}
    assert ids == set(Delivery.objects.values_list("message_id", flat=True))
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_other_backends_get_djangos_message(issue, newsletter):
    """locmem (like anymail or a signing backend) sees EmailMultiAlternatives objects."""
    sub = Subscriber.objects.create(email="loc@example.org", confirmed_at=timezone.now())
    services.subscribe_confirmed(sub, newsletter, "admin")
    NewsletterIssue.objects.filter(pk=issue.pk).update(status="scheduled", scheduled_at=None)
    assert run_issue(issue.pk).sent == 1
    (msg,) = mail.outbox
    assert msg.to == ["loc@example.org"] and msg.alternatives
