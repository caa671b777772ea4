"""``{% reply_count_link %}`` for the header, ``{% reply_notifications %}`` for "My comments"."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

from masthead.notifications import services
from masthead.notifications.models import ReplyMailPreference

register = template.Library()


@register.simple_tag(takes_context=True)
def reply_count_link(context: template.Context) -> str:
    """A link to the member's replies with the unseen count, or nothing when there are none.

    Rendered inside the header's account links, which the member-page cache keeps per
    member (their snapshot) and never in a page shared between readers.
    """
    user = context.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    count = services.unseen_count(user.pk)
    if not count:
        return ""
    return format_html(
        '<a class="reply-count" href="{}" data-reply-count="{}">{} new repl{}</a>',
        reverse("comments:mine") + "#replies",
        count,
        count,
        "y" if count == 1 else "ies",
    )


@register.inclusion_tag("notifications/replies.html", takes_context=True)
def reply_notifications(context: template.Context) -> dict[str, Any]:
    """The "Replies to you" list with mark-seen and the reply-email setting."""
    user = context.get("user")
    request = context.get("request")
    if user is None or not getattr(user, "is_authenticated", False):
        return {"show": False}
    items = services.recent(user.pk)
    pref = ReplyMailPreference.objects.filter(user=user).first()
    return {
        "show": True,
        "items": items,
        "unseen": sum(1 for n in items if n.seen_at is None),
        "email_replies": bool(pref and pref.email_replies),
        "hours": settings.MASTHEAD_REPLY_EMAIL_HOURS,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
