"""Comments on stories.

A comment is never hard-deleted: an author's deletion, a moderator's rejection and
an imported spam or deleted comment all keep the row (so replies keep their place
and the decision log can point at it) and change ``status``. Only ``published``
comments are shown to readers; the others show as a placeholder when they have
visible replies.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CommentStatus(models.TextChoices):
    """Where a comment stands in moderation."""

    PUBLISHED = "published", "Published"
    PENDING = "pending", "Awaiting review"
    REJECTED = "rejected", "Rejected"
    DELETED = "deleted", "Deleted by its author"
    SPAM = "spam", "Spam"


class CommentQuerySet(models.QuerySet):
    """Named filters (``Comment.objects.published().for_story(s)``)."""

    def published(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.PUBLISHED)

    def for_story(self, story: object) -> CommentQuerySet:
        return self.filter(story=story)

    def pending(self) -> CommentQuerySet:
        return self.filter(status=CommentStatus.PENDING)


class Comment(models.Model):
    """One comment (or reply) under a story.

    ``author`` is null for imported comments whose old author has not claimed them
    yet and for de-identified comments of deleted accounts; ``author_name`` keeps
    the name shown in either case. ``body`` is plain text (paragraphs separated by
    blank lines); it is escaped and auto-linked only when rendered.
    """

    story = models.ForeignKey(
        "articles.StoryPage", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    author_name = models.CharField(max_length=150, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=12, choices=CommentStatus.choices, default=CommentStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    verdict = models.JSONField(
        default=dict, blank=True, help_text="Guideline check results that decided the status."
    )
    like_count = models.PositiveIntegerField(default=0)
    dislike_count = models.PositiveIntegerField(default=0)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["story", "status", "created_at"])]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author_name or 'anonymous'} on story {self.story_id}"
