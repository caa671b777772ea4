"""Comments on stories.

A comment is never hard-deleted: an author's deletion, a moderator's rejection and
an imported spam or deleted comment all keep the row (so replies keep their place
and the decision log can point at it) and change ``status``. Only ``published``
comments are shown to readers; the others show as a placeholder when they have
visible replies.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


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
    depth = models.PositiveSmallIntegerField(
        default=0, help_text="0 for a top-level comment, parent's + 1 for a reply."
    )
    idempotency_key = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="Nonce of the form that posted it (double-submit guard).",
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["story", "status", "created_at"]),
            models.Index(fields=["author", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="comment_unique_author_nonce",
            )
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} by {self.author_name or 'anonymous'} on story {self.story_id}"


class Reaction(models.Model):
    """One member's like (+1) or dislike (-1) of a comment; at most one per member per comment.

    ``Comment.like_count``/``dislike_count`` are kept in step by
    :func:`masthead.comments.actions.react` with ``F()`` updates.
    """

    LIKE = 1
    DISLIKE = -1

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reactions"
    )
    value = models.SmallIntegerField(choices=[(LIKE, "Like"), (DISLIKE, "Dislike")])
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="reaction_one_per_member"),
            models.CheckConstraint(
                condition=models.Q(value__in=[1, -1]), name="reaction_value_pm1"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.user_id} {'likes' if self.value > 0 else 'dislikes'} comment {self.comment_id}"
        )


class ReportReason(models.TextChoices):
    """Why a reader reports a comment (mirrors the house rules shown by the form)."""

    ABUSE = "abuse", "Abusive, insulting or hateful"
    PERSONAL = "personal", "A personal attack or someone's personal details"
    SPAM = "spam", "Spam or advertising"
    NOT_ENGLISH = "language", "Not in English or not in sentences"
    OFF_TOPIC = "off_topic", "Off topic"
    OTHER = "other", "Something else"


class ReportQuerySet(models.QuerySet):
    """Named filters for the moderation queue."""

    def open(self) -> ReportQuerySet:
        """Reports no moderator has resolved yet."""
        return self.filter(resolved_at__isnull=True)


class Report(models.Model):
    """A reader's report of a comment; one per reporter per comment.

    Open reports (``resolved_at`` null) put the comment in the moderation queue;
    the queue resolves them (``resolved_at``/``resolved_by``) when it decides.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reports"
    )
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    note = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="report_one_per_reporter")
        ]

    def __str__(self) -> str:
        return f"Report of comment {self.comment_id} ({self.reason})"


@register_setting(icon="comment")
class CommentSettings(BaseSiteSetting):
    """Per-site switches editors control in the Wagtail admin (Settings → Comments).

    Time-based rules (edit window, auto-close after N days, quiet hours, length
    limit, reply depth) are deployment settings: ``MASTHEAD_COMMENTS_*`` in
    ``settings/base.py``.
    """

    comments_enabled = models.BooleanField(
        default=True,
        help_text="Untick to close commenting on every story of this site (threads stay visible).",
    )
    closed_sections = models.ManyToManyField(
        "articles.SectionPage",
        blank=True,
        related_name="+",
        help_text="Sections whose stories do not take new comments.",
    )

    panels = [
        FieldPanel("comments_enabled"),
        FieldPanel("closed_sections", widget=forms.CheckboxSelectMultiple),
    ]

    class Meta:
        verbose_name = "Comments"
