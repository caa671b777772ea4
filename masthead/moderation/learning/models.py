"""Data of the site's own guidelines model: labelled decisions, model versions, training runs.

* :class:`LabelledDecision` -- the decision store: one moderator (or imported) outcome as
  text + label. Written only by :func:`masthead.moderation.learning.store.record_decision`.
  Erasing a member deletes the rows of their texts (``member``) and their comments.
* :class:`GuidelineModelVersion` -- one trained site model: the file under
  ``MASTHEAD_DATA_DIR/guidelines_models/`` (verified by ``sha256`` before loading), the
  figures measured on held-out decisions (``metrics``) and the per-category thresholds.
  At most one row is ``is_active``; none active means the shipped base model decides.
* :class:`TrainingRun` -- one training (queued, running, done, failed, skipped); ``lock``
  is unique while a run is queued or running, so only one training runs at a time.

These models are registered by ``masthead.moderation.models`` (which imports them).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class GuidelineLabel(models.TextChoices):
    """What a moderator decided a comment is (the labels the site model learns)."""

    ACCEPTABLE = "acceptable", "Acceptable"
    ABUSIVE = "abusive", "Abusive"
    PERSONAL = "personal", "Personal (attack or personal details)"
    NOT_ENGLISH = "not_english", "Not in English"
    NOT_SENTENCES = "not_sentences", "Not in sentences"
    SPAM = "spam", "Spam"


class DecisionSource(models.TextChoices):
    """Where a labelled decision came from."""

    QUEUE = "queue", "Moderation queue"
    BULK = "bulk", "Bulk action in the queue"
    REPORT = "report", "Resolving readers' reports"
    IMPORT = "import", "Imported comment archive (old platform's state)"
    FILE = "file", "import_decisions file"
    REPLAY = "replay", "Replayed labelled set (evaluation)"


class LabelledDecision(models.Model):
    """One labelled decision: ``text`` was judged ``label`` by ``decided_by`` at ``decided_at``.

    ``member`` is whose text it is (None for anonymous or imported, unclaimed authors);
    ``comment`` the comment decided (None for file imports). Rows are deleted when their
    member's personal data is erased, so they leave all later training.
    """

    text = models.TextField()
    label = models.CharField(max_length=16, choices=GuidelineLabel.choices, db_index=True)
    source = models.CharField(max_length=8, choices=DecisionSource.choices)
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="labelled_decisions",
    )
    comment = models.ForeignKey(
        "comments.Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="labelled_decisions",
    )
    base_scores = models.JSONField(
        null=True,
        blank=True,
        help_text="The base engine's abuse scores of the text (features; filled at training).",
    )

    class Meta:
        ordering = ["decided_at", "id"]
        verbose_name = "labelled decision"

    def __str__(self) -> str:
        return f"{self.get_label_display()} ({self.source}, {self.decided_at:%Y-%m-%d})"


class GuidelineModelVersion(models.Model):
    """One trained version of the site's guidelines model (see module doc).

    ``metrics`` shape (figures on the held-out, newest decisions)::

        {"macro_f1": float, "labels": [str, ...],
         "per_category": {label: {"precision", "recall", "f1", "support"}},
         "pr_curve": {label: [[recall, precision, threshold], ...]},   # <= 50 points
         "confusion": {"labels": [str, ...], "matrix": [[int, ...], ...]},  # rows = truth
         "compared_with": {"name": str, "macro_f1": float, "per_category": {...}}}

    ``thresholds``: ``{label: {"hold": float, "reject": float | None}}`` on the model's
    probability of that label (see ``learning.decide``).
    """

    name = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    n_decisions = models.PositiveIntegerField(default=0, help_text="Decisions trained on.")
    n_holdout = models.PositiveIntegerField(default=0, help_text="Decisions held out to test.")
    labels = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    thresholds = models.JSONField(default=dict)
    better_than_active = models.BooleanField(default=False)
    is_active = models.BooleanField(default=False)
    promoted_at = models.DateTimeField(null=True, blank=True)
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The version that was active before this one was promoted (for rollback).",
    )
    training_seconds = models.FloatField(default=0.0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "guidelines model version"
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="guidelines_one_active_model",
            )
        ]

    def __str__(self) -> str:
        return self.name


class TrainingStatus(models.TextChoices):
    """Where a training run stands."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Skipped (too few decisions or one class)"
    FAILED = "failed", "Failed"


class TrainingRun(models.Model):
    """One training of the site model; ``lock`` is "training" while queued or running
    (unique), None after, so a second concurrent run cannot be created."""

    status = models.CharField(
        max_length=8, choices=TrainingStatus.choices, default=TrainingStatus.QUEUED
    )
    lock = models.CharField(max_length=8, null=True, blank=True, unique=True, default="training")
    trigger = models.CharField(max_length=16, default="command")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_decision_id = models.BigIntegerField(
        default=0, help_text="Newest decision id the run saw (new decisions count from here)."
    )
    message = models.TextField(blank=True)
    version = models.ForeignKey(
        GuidelineModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Training {self.pk} ({self.status})"
