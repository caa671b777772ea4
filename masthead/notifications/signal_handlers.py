"""Connects replies to notifications, and reply notifications to "export my data"."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from masthead.accounts.signals import collect_personal_data
from masthead.comments.models import Comment
from masthead.comments.signals import comment_status_changed
from masthead.notifications import services
from masthead.notifications.models import ReplyMailPreference, ReplyNotification


@receiver(post_save, sender=Comment, dispatch_uid="masthead_notifications_reply_saved")
def reply_saved(sender: Any, instance: Comment, raw: bool = False, **kwargs: Any) -> None:
    """A reply posted or edited (its status may have changed either way)."""
    if raw or instance.parent_id is None:
        return
    services.reply_changed(instance)


@receiver(comment_status_changed, dispatch_uid="masthead_notifications_reply_decided")
def reply_decided(sender: Any, comment: Comment, **kwargs: Any) -> None:
    """A moderator approved or rejected a reply, or its author deleted it."""
    if comment.parent_id is not None:
        services.reply_changed(comment)


@receiver(collect_personal_data, dispatch_uid="masthead_notifications_export")
def export_notifications(sender: Any, user: Any, **kwargs: Any) -> dict[str, Any]:
    """The member's reply notifications and reply-email choice, for their data export."""
    pref = ReplyMailPreference.objects.filter(user=user).first()
    return {
        "reply_notifications": [
            {
                "reply_id": n.reply_id,
                "created_at": n.created_at.isoformat(),
                "seen_at": n.seen_at.isoformat() if n.seen_at else None,
                "emailed_at": n.emailed_at.isoformat() if n.emailed_at else None,
            }
            for n in ReplyNotification.objects.filter(recipient=user).order_by("created_at")
        ],
        "reply_email": bool(pref and pref.email_replies),
    }
