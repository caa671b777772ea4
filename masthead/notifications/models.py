"""Reply notifications and each member's choice about reply email.

* :class:`ReplyNotification` — one row per published reply to a member's comment (the
  reply is unique, so nobody is told twice). ``seen_at`` is set when the member marks
  it seen on the site; ``email_batch`` is the claim a mail run puts on the rows it
  sends (a conditional update, so two runs never send one row twice) and
  ``emailed_at`` when that mail went out.
* :class:`ReplyMailPreference` — opt-in to reply email (off until the member turns it
  on) and when the last reply email went, for the at-most-one-per-N-hours batching.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReplyNotification(models.Model):
    """Someone else's published reply to ``recipient``'s comment."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reply_notifications"
    )
    reply = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="reply_notification"
    )
    created_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(null=True, blank=True)
    email_batch = models.UUIDField(null=True, blank=True, db_index=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "seen_at"], name="replynotif_recipient_seen")]

    def __str__(self) -> str:
        return f"Reply {self.reply_id} for user {self.recipient_id}"


class ReplyMailPreference(models.Model):
    """Whether a member gets reply email, and when the last one was sent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reply_mail"
    )
    email_replies = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Reply email for user {self.user_id}: {'on' if self.email_replies else 'off'}"
