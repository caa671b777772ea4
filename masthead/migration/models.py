"""Bookkeeping for imported comments: runs, legacy authors, id mapping, holding area.

* :class:`ImportRun` -- one ``import_comments`` run (source, format, file, report).
* :class:`LegacyAuthor` -- an old commenter, keyed by normalised e-mail when there is
  one (one row per address across all sources), else by source + user name/display name.
  ``claimed_by`` is set when a reader verifies that address (see :mod:`.claiming`).
* :class:`ImportedComment` -- ``(source, old_id)`` -> the :class:`~masthead.comments.models.Comment`
  it became; makes re-runs idempotent and resolves parents after the stream.
* :class:`HeldThread` / :class:`HeldComment` -- threads that matched no story and their
  comments, kept verbatim (parsed fields as JSON) until a later run matches them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportRun(models.Model):
    """One run of the importer; ``report`` holds the counters printed at the end."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=100, db_index=True)
    format = models.CharField(max_length=10)
    file_name = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.format} {self.file_name} ({self.status})"


class LegacyAuthor(models.Model):
    """An author from the old platform.

    ``key`` is ``"email:<normalised email>"`` (source-independent, so the same
    address in two exports is one legacy identity) or
    ``"<source>|user:<username>"`` / ``"<source>|name:<display name>"``.
    ``email`` is stored lower-cased (:func:`masthead.migration.parsers.normalise_email`),
    which makes the unique constraint case-insensitive.
    """

    key = models.CharField(max_length=400, unique=True)
    source = models.CharField(max_length=100)
    email = models.CharField(max_length=254, null=True, blank=True)
    display_name = models.CharField(max_length=150, blank=True)
    url = models.CharField(max_length=500, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="legacy_authors",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=Q(email__isnull=False), name="legacy_author_email_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.email or self.key


class ImportedComment(models.Model):
    """Links an old comment ``(source, old_id)`` to the Comment it became.

    ``old_parent_id`` is kept so parents can be linked after the stream (a reply can
    come before its parent); ``orphan`` is set when the parent is not in the export.
    """

    source = models.CharField(max_length=100)
    old_id = models.CharField(max_length=255)
    old_thread_id = models.CharField(max_length=255)
    old_parent_id = models.CharField(max_length=255, null=True, blank=True)
    comment = models.OneToOneField(
        "comments.Comment", on_delete=models.CASCADE, related_name="import_record"
    )
    legacy_author = models.ForeignKey(
        LegacyAuthor, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL)
    orphan = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "old_id"], name="imported_comment_uniq")
        ]
        indexes = [
            models.Index(
                fields=["source", "old_parent_id"],
                condition=Q(old_parent_id__isnull=False),
                name="imported_comment_parent_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.old_id} -> comment {self.comment_id}"


class HeldThread(models.Model):
    """A thread that matched no story; its comments wait in :class:`HeldComment`.

    ``matched_story`` is set (and the comments moved) by a later run that matches it
    through a mapping file or a newly published story.
    """

    source = models.CharField(max_length=100)
    old_thread_id = models.CharField(max_length=255)
    url = models.TextField(blank=True)
    url_key = models.TextField(blank=True, help_text="normalise_story_url(url)")
    title = models.TextField(blank=True)
    identifiers = models.JSONField(default=list, blank=True)
    matched_story = models.ForeignKey(
        "articles.StoryPage", null=True, blank=True, on_delete=models.SET_NULL
    )
    matched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "old_thread_id"], name="held_thread_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.old_thread_id} {self.url or self.title}"


class HeldComment(models.Model):
    """A parsed comment of a held thread, every field kept (``data``; dates ISO 8601)."""

    source = models.CharField(max_length=100)
    old_id = models.CharField(max_length=255)
    old_thread_id = models.CharField(max_length=255)
    data = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "old_id"], name="held_comment_uniq")
        ]
        indexes = [models.Index(fields=["source", "old_thread_id"], name="held_comment_thread_idx")]

    def __str__(self) -> str:
        return f"held {self.source}:{self.old_id}"
