"""Batched reply email: at most one message per member every ``MASTHEAD_REPLY_EMAIL_HOURS``.

:func:`send_reply_digest` runs in the task worker (:mod:`masthead.notifications.tasks`):

1. only for a member who opted in, to their primary *verified* address;
2. it claims the member's send slot with a conditional update of ``last_sent_at``
   (only when the last mail is older than the window), so two workers never both send;
3. it claims the notifications to include with a conditional update that puts its
   own batch id on rows that have none (published replies, not yet seen or emailed),
   so no reply is ever mailed twice;
4. it sends through Django's email backend with RFC 8058 one-click unsubscribe
   headers (``List-Unsubscribe`` with a signed token, ``List-Unsubscribe-Post``);
5. a failed send gives the rows and the slot back, so the next run retries them.

Within the window it sends nothing and says when the window ends (the task defers
itself to then).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from masthead.comments.models import CommentStatus
from masthead.notifications.models import ReplyMailPreference, ReplyNotification

UNSUBSCRIBE_SALT = "masthead.notifications.reply-unsubscribe"


class BadToken(Exception):
    """A reply-mail unsubscribe token that is forged, altered or expired."""


def make_unsubscribe_token(user_id: int) -> str:
    """A signed token that turns reply email off for one member."""
    return signing.dumps({"u": user_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> int:
    """The member id in ``token``. :raises BadToken: forged, altered or expired."""
    try:
        data = signing.loads(
            token, salt=UNSUBSCRIBE_SALT, max_age=settings.MASTHEAD_NEWSLETTER_UNSUBSCRIBE_MAX_AGE
        )
    except signing.SignatureExpired as exc:
        raise BadToken("This link has expired.") from exc
    except signing.BadSignature as exc:
        raise BadToken("This link is not valid.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise BadToken("This link is not valid.")
    return data["u"]


def unsubscribe_url(user_id: int) -> str:
    """The absolute one-click unsubscribe URL for a member's reply email."""
    path = reverse("notifications:reply-unsubscribe", args=[make_unsubscribe_token(user_id)])
    return settings.SITE_URL + path


def window() -> timedelta:
    """The shortest time between two reply emails to one member."""
    return timedelta(hours=settings.MASTHEAD_REPLY_EMAIL_HOURS)


@dataclass(frozen=True)
class DigestResult:
    """``sent``: replies mailed (0: nothing sent); ``retry_at``: when to try again, if
    replies are waiting for the window to pass."""

    sent: int = 0
    retry_at: datetime | None = None


def _waiting(user_id: int):  # noqa: ANN202 - a queryset
    return ReplyNotification.objects.filter(
        recipient_id=user_id,
        email_batch__isnull=True,
        seen_at__isnull=True,
        reply__status=CommentStatus.PUBLISHED,
    )


def send_reply_digest(user_id: int, now: datetime | None = None) -> DigestResult:
    """Send the member's waiting replies in one email if the window allows (module docs)."""
    now = now or timezone.now()
    pref = ReplyMailPreference.objects.filter(user_id=user_id, email_replies=True).first()
    if pref is None or not _waiting(user_id).exists():
        return DigestResult()
    if pref.last_sent_at is not None and pref.last_sent_at + window() > now:
        return DigestResult(retry_at=pref.last_sent_at + window())
    address = (
        EmailAddress.objects.filter(user_id=user_id, verified=True, primary=True)
        .values_list("email", flat=True)
        .first()
    )
    if address is None:
        return DigestResult()  # never to an unproven address
    previous = pref.last_sent_at
    slot = ReplyMailPreference.objects.filter(pk=pref.pk, email_replies=True).filter(
        Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - window())
    )
    if not slot.update(last_sent_at=now):
        return DigestResult()  # another run has just sent
    batch = uuid.uuid4()
    ids = list(_waiting(user_id).values_list("pk", flat=True))
    claimed = ReplyNotification.objects.filter(pk__in=ids, email_batch__isnull=True).update(
        email_batch=batch
    )
    rows = list(
        ReplyNotification.objects.filter(email_batch=batch)
        .select_related("reply", "reply__story", "reply__parent")
        .order_by("created_at", "pk")
    )
    if not claimed or not rows:
        ReplyMailPreference.objects.filter(pk=pref.pk, last_sent_at=now).update(
            last_sent_at=previous
        )
        return DigestResult()
    try:
        reply_message(user_id, address, rows).send(fail_silently=False)
    except Exception:
        ReplyNotification.objects.filter(email_batch=batch).update(email_batch=None)
        ReplyMailPreference.objects.filter(pk=pref.pk, last_sent_at=now).update(
            last_sent_at=previous
        )
        raise
    ReplyNotification.objects.filter(email_batch=batch).update(emailed_at=timezone.now())
    return DigestResult(sent=len(rows))


def reply_message(
    user_id: int, address: str, rows: list[ReplyNotification]
) -> EmailMultiAlternatives:
    """The reply email for ``rows`` (plain text: who replied, on which story, a link)."""
    user = get_user_model().objects.get(pk=user_id)
    unsubscribe = unsubscribe_url(user_id)
    items = [
        {
            "name": n.reply.author_name or "A reader",
            "story": n.reply.story.title,
            "url": settings.SITE_URL + (n.reply.story.url or "/") + f"#comment-{n.reply_id}",
            "excerpt": " ".join(n.reply.body.split())[:280],
            "yours": " ".join(n.reply.parent.body.split())[:120] if n.reply.parent else "",
        }
        for n in rows
    ]
    # Count people, not replies: one reader answering twice is one person.
    repliers = {
        (n.reply.author_id,) if n.reply.author_id else ("name", n.reply.author_name.strip().lower())
        for n in rows
    }
    context = {
        "user": user,
        "items": items,
        "count": len(items),
        "people": len(repliers),
        "site_name": settings.MASTHEAD_SITE_NAME,
        "mine_url": settings.SITE_URL + reverse("comments:mine") + "#replies",
        "unsubscribe_url": unsubscribe,
        "hours": settings.MASTHEAD_REPLY_EMAIL_HOURS,
    }
    subject = " ".join(render_to_string("emails/reply_digest-subject.html", context).split())
    text = render_to_string("emails/reply_digest-body-text.html", context)
    return EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
