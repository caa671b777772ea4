"""Reply notifications on the site: recording, counting, listing, marking seen, opting in.

A reply notifies the author of the comment it answers when the reply is *published*
(now, or later when a moderator approves a held reply), was written by someone else,
and the parent comment has an author. A held or rejected reply never notifies; a
reply taken down after it notified drops out of the count and the list (both read
the reply's current status). Every change here drops the member's cached snapshot
(:func:`masthead.core.member_pages.forget_snapshot`), which holds the header with the
count, so the next page shows the new count and no other member ever sees it.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from masthead.comments.models import Comment, CommentStatus
from masthead.core.member_pages import forget_snapshot
from masthead.notifications.models import ReplyMailPreference, ReplyNotification


def recipient_for(reply: Comment) -> int | None:
    """The user id to notify of ``reply``, or None (not a published reply to someone else)."""
    if reply.parent_id is None or reply.status != CommentStatus.PUBLISHED:
        return None
    parent_author = (
        Comment.objects.filter(pk=reply.parent_id).values_list("author_id", flat=True).first()
    )
    if parent_author is None or parent_author == reply.author_id:
        return None
    return parent_author


def record_reply(reply: Comment) -> ReplyNotification | None:
    """Record the notification for ``reply`` if it should notify (idempotent).

    Returns the new row, or None when there is nothing to record or it was recorded
    before (the reply is unique). When the recipient opted in to reply email, a mail
    task is queued once the transaction commits.
    """
    recipient = recipient_for(reply)
    if recipient is None:
        return None
    note = None
    if not ReplyNotification.objects.filter(reply_id=reply.pk).exists():
        try:
            with transaction.atomic():  # a savepoint: a concurrent insert loses quietly
                note = ReplyNotification.objects.create(recipient_id=recipient, reply_id=reply.pk)
        except IntegrityError:
            note = None
    _renew_header(recipient)
    if note is not None and wants_email(recipient):
        from masthead.notifications.tasks import enqueue_reply_mail

        transaction.on_commit(lambda: enqueue_reply_mail(recipient))
    return note


def _renew_header(user_id: int) -> None:
    """Drop the member's cached header now and again once the transaction commits (a
    page rendered in between must not keep the old count)."""
    forget_snapshot(user_id)
    transaction.on_commit(lambda: forget_snapshot(user_id))


def reply_changed(reply: Comment) -> None:
    """``reply``'s status changed: record it when now published, and renew the
    recipient's header either way (a taken-down reply leaves the count)."""
    if reply.status == CommentStatus.PUBLISHED:
        record_reply(reply)
        return
    recipient = (
        ReplyNotification.objects.filter(reply_id=reply.pk)
        .values_list("recipient_id", flat=True)
        .first()
    )
    if recipient is not None:
        _renew_header(recipient)


def visible(user_id: int) -> QuerySet[ReplyNotification]:
    """The member's notifications whose reply is still published, newest first."""
    return ReplyNotification.objects.filter(
        recipient_id=user_id, reply__status=CommentStatus.PUBLISHED
    )


def unseen_count(user_id: int) -> int:
    """How many published replies the member has not marked seen (the header count)."""
    return visible(user_id).filter(seen_at__isnull=True).count()


def recent(user_id: int, limit: int = 50) -> list[ReplyNotification]:
    """The member's latest notifications with the reply, its story and the parent comment."""
    return list(visible(user_id).select_related("reply", "reply__story", "reply__parent")[:limit])


def mark_seen(user_id: int, ids: list[int] | None = None) -> int:
    """Mark the member's unseen notifications (all, or those in ``ids``) seen; returns how many."""
    qs = ReplyNotification.objects.filter(recipient_id=user_id, seen_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    changed = qs.update(seen_at=timezone.now())
    _renew_header(user_id)
    return changed


def wants_email(user_id: int) -> bool:
    """True when the member opted in to reply email."""
    return ReplyMailPreference.objects.filter(user_id=user_id, email_replies=True).exists()


def set_email_replies(user: Any, on: bool) -> ReplyMailPreference:
    """Turn reply email on or off for ``user`` (the account setting)."""
    pref, _ = ReplyMailPreference.objects.update_or_create(
        user=user, defaults={"email_replies": bool(on), "changed_at": timezone.now()}
    )
    return pref
