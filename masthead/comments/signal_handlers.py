"""Comments take part in "export my data" and "delete my account" (accounts signals).

Found by the reader-journey test (issue 8): the export left out the reader's comments
and deleting an account left the display name on every comment. Comments stay after
deletion (the discussion keeps its shape) but lose their author and name, as the
delete page promises: "Comments you published stay, without your name or email"
(GDPR Art. 17 erasure of personal data; Art. 20 portability for the export).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from masthead.accounts.signals import collect_personal_data, erase_personal_data
from masthead.comments.models import Comment, Reaction, Report
from masthead.core.page_cache import content_changed


@receiver(collect_personal_data, dispatch_uid="masthead_comments_export")
def export_comments(sender: Any, user: Any, **kwargs: Any) -> dict[str, list[dict[str, Any]]]:
    """``{"comments": [...], "comment_reactions": [...], "comment_reports": [...]}`` of ``user``."""
    comments = [
        {
            "id": c.pk,
            "story_id": c.story_id,
            "story": c.story.title,
            "parent_id": c.parent_id,
            "author_name": c.author_name,
            "body": c.body,
            "status": c.status,
            "created_at": c.created_at.isoformat(),
            "edited_at": c.edited_at.isoformat() if c.edited_at else None,
        }
        for c in Comment.objects.filter(author=user).select_related("story").order_by("created_at")
    ]
    reactions = [
        {"comment_id": r.comment_id, "value": r.value, "created_at": r.created_at.isoformat()}
        for r in Reaction.objects.filter(user=user).order_by("created_at")
    ]
    reports = [
        {
            "comment_id": r.comment_id,
            "reason": r.reason,
            "note": r.note,
            "created_at": r.created_at.isoformat(),
        }
        for r in Report.objects.filter(reporter=user).order_by("created_at")
    ]
    return {"comments": comments, "comment_reactions": reactions, "comment_reports": reports}


@receiver(erase_personal_data, dispatch_uid="masthead_comments_erase")
def deidentify_comments(sender: Any, user: Any, **kwargs: Any) -> None:
    """Keep ``user``'s comments but drop the author link and the display name.

    Reactions and reports go with the account (``on_delete=CASCADE``); a comment's
    text stays, shown as by "A reader".
    """
    if Comment.objects.filter(author=user).update(author=None, author_name=""):
        content_changed([user.pk])  # the name must leave cached pages now
