"""Moderation data: member status, banned/suspect word lists, thresholds, decision log.

* :class:`MemberStatus` -- one row per member who has ever been restricted or warned.
* :class:`ModerationWord` -- the editable banned and suspect word/phrase lists.
* :class:`ModerationSettings` -- thresholds, a Wagtail site setting (Settings → Moderation).
* :class:`ModerationDecision` -- the append-only decision log (who, when, what, why). Rows
  are never updated or deleted; a deleted comment or user leaves the row in place (the
  foreign key becomes NULL and the text snapshot stays).

Every change goes through :mod:`masthead.moderation.services`, which writes the log.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from masthead.moderation.guidelines.base import CheckContext
from masthead.moderation.guidelines.normalise import fold

# One source for threshold defaults: the engine's own (what the evaluation measures).
_ENGINE_DEFAULTS = CheckContext()


class MemberState(models.TextChoices):
    """What a member may do (issue 4, "member status")."""

    NORMAL = "normal", "Normal"
    PREMODERATED = "premoderated", "Pre-moderated (every comment is held for review)"
    SUSPENDED = "suspended", "Suspended until a date"
    BANNED = "banned", "Banned"


class MemberStatus(models.Model):
    """A member's moderation standing. A member with no row is ``normal``.

    ``suspended_until`` is an aware datetime and only matters while ``state`` is
    ``suspended``; once it has passed the member may post again (see :meth:`is_suspended`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_status"
    )
    state = models.CharField(max_length=16, choices=MemberState.choices, default=MemberState.NORMAL)
    suspended_until = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    warnings = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "member status"
        verbose_name_plural = "member statuses"

    def __str__(self) -> str:
        return f"{self.user} ({self.get_state_display()})"

    def is_suspended(self, now: datetime | None = None) -> bool:
        """True while the member is suspended and ``now`` is before ``suspended_until``."""
        now = now or timezone.now()
        return (
            self.state == MemberState.SUSPENDED
            and self.suspended_until is not None
            and now < self.suspended_until
        )


class WordKind(models.TextChoices):
    """Banned words REJECT a comment (BANNED_WORD); suspect words HOLD it (SUSPECT_WORD)."""

    BANNED = "banned", "Banned (comment is rejected)"
    SUSPECT = "suspect", "Suspect (comment is held for review)"


_SPACES = re.compile(r"\s+")


def normalise_word(word: str) -> str:
    """Return the list form of ``word``: case-folded, accents stripped (the engine's
    :func:`~masthead.moderation.guidelines.normalise.fold`), inner whitespace collapsed,
    ends trimmed. ``"  Bad   WORD "`` → ``"bad word"``."""
    return _SPACES.sub(" ", fold(word)).strip()


class ModerationWord(models.Model):
    """One banned or suspect word or phrase. Unique per (kind, normalised form)."""

    word = models.CharField(max_length=100, help_text="A word or short phrase, as typed.")
    normalised = models.CharField(max_length=100, editable=False)
    kind = models.CharField(max_length=8, choices=WordKind.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "normalised"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "normalised"], name="moderation_word_unique_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.word} ({self.kind})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Keep ``normalised`` in step with ``word``."""
        self.normalised = normalise_word(self.word)
        super().save(*args, **kwargs)


def _score_validators() -> list[Any]:
    return [MinValueValidator(0.0), MaxValueValidator(1.0)]


@register_setting(icon="warning")
class ModerationSettings(BaseSiteSetting):
    """Thresholds for the guideline checks, per site (Settings → Moderation settings).

    Defaults follow the issue ("default 1 per 3 s") and the engine's ``CheckContext``
    defaults. A member counts as *new* while they have fewer than
    ``new_member_comments`` published comments **or** their account is younger than
    ``new_member_days`` days (0 switches either test off).
    """

    abuse_reject_score = models.FloatField(
        default=_ENGINE_DEFAULTS.abuse_reject_score,
        validators=_score_validators(),
        help_text="Abuse score (0-1) at which a comment is rejected.",
    )
    abuse_hold_score = models.FloatField(
        default=_ENGINE_DEFAULTS.abuse_hold_score,
        validators=_score_validators(),
        help_text="Abuse score (0-1) at which a comment is held.",
    )
    max_links = models.PositiveIntegerField(
        default=2, help_text="More links than this hold a comment."
    )
    language_confidence = models.FloatField(
        default=0.80,
        validators=_score_validators(),
        help_text="Minimum language-detection confidence (0-1) to reject a comment as not English.",
    )
    max_length = models.PositiveIntegerField(
        default=5000, validators=[MinValueValidator(1)], help_text="Longest comment, in characters."
    )
    min_seconds_between_comments = models.FloatField(
        default=3.0,
        validators=[MinValueValidator(0.0)],
        help_text="At most one comment per this many seconds.",
    )
    new_member_daily_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=20,
        help_text="Comments a new member may post per day (blank: no cap).",
    )
    premoderate_new_members = models.BooleanField(
        default=False, help_text="Hold new members' comments for review."
    )
    new_member_comments = models.PositiveIntegerField(
        default=3,
        help_text="A member is new until this many of their comments are published (0: off).",
    )
    new_member_days = models.PositiveIntegerField(
        default=0,
        help_text="A member is new while their account is younger than this many days (0: off).",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("abuse_reject_score"),
                FieldPanel("abuse_hold_score"),
                FieldPanel("language_confidence"),
                FieldPanel("max_links"),
                FieldPanel("max_length"),
            ],
            heading="Guideline checks",
        ),
        MultiFieldPanel(
            [
                FieldPanel("min_seconds_between_comments"),
                FieldPanel("new_member_daily_limit"),
                FieldPanel("premoderate_new_members"),
                FieldPanel("new_member_comments"),
                FieldPanel("new_member_days"),
            ],
            heading="Members",
        ),
    ]

    def clean(self) -> None:
        """The hold score must be below the reject score, or nothing could ever be held."""
        from django.core.exceptions import ValidationError

        super().clean()
        hold, reject = self.abuse_hold_score, self.abuse_reject_score
        if hold is not None and reject is not None and hold >= reject:
            raise ValidationError(
                {"abuse_hold_score": "The hold score must be below the reject score."}
            )

    #: Fields shown and edited on the moderation queue's thresholds page and logged.
    THRESHOLD_FIELDS = (
        "abuse_reject_score",
        "abuse_hold_score",
        "language_confidence",
        "max_links",
        "max_length",
        "min_seconds_between_comments",
        "new_member_daily_limit",
        "premoderate_new_members",
        "new_member_comments",
        "new_member_days",
    )

    class Meta:
        verbose_name = "moderation settings"

    def snapshot(self) -> dict[str, Any]:
        """The threshold values as a JSON-able dict."""
        return {name: getattr(self, name) for name in self.THRESHOLD_FIELDS}


class DecisionAction(models.TextChoices):
    """What a logged decision did."""

    APPROVE = "approve", "Approved comment"
    REJECT = "reject", "Rejected comment"
    WARN = "warn", "Warned member"
    SUSPEND = "suspend", "Suspended member"
    BAN = "ban", "Banned member"
    PREMOD = "premod", "Set member to pre-moderation"
    UNBAN = "unban", "Lifted member's restrictions"
    WORD_ADDED = "word-added", "Added word"
    WORD_REMOVED = "word-removed", "Removed word"
    THRESHOLD_CHANGED = "threshold-changed", "Changed thresholds"
    MODEL_PROMOTED = "model-promoted", "Promoted a guidelines model"
    MODEL_ROLLED_BACK = "model-rollback", "Rolled back the guidelines model"
    MODEL_THRESHOLDS = "model-thresholds", "Changed guidelines model thresholds"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a :class:`ModerationDecision`."""


class DecisionQuerySet(models.QuerySet):
    """Refuses bulk delete and update: the decision log is append-only."""

    def delete(self) -> Any:
        """Always raises :class:`AppendOnlyError`."""
        raise AppendOnlyError(
            "The moderation decision log is append-only; entries cannot be deleted."
        )

    def update(self, **kwargs: Any) -> Any:
        """Always raises :class:`AppendOnlyError`."""
        raise AppendOnlyError(
            "The moderation decision log is append-only; entries cannot be changed."
        )

    delete.queryset_only = True  # type: ignore[attr-defined]


class ModerationDecision(models.Model):
    """One moderator (or system) decision. Append-only; never deleted.

    Foreign keys use ``SET_NULL`` so deleting a comment, story or user keeps the entry;
    ``actor_name``, ``user_name`` and ``comment_text`` keep what they pointed at.
    ``verdict`` is the engine's ``Verdict.to_dict()`` at the time of the decision;
    ``details`` holds action-specific data (``{"until": iso}``, ``{"word", "kind"}``,
    ``{"before", "after"}``). ``model_version`` names the guidelines model whose verdict
    the entry records (the site model's version name, or "base").
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=255, blank=True)
    action = models.CharField(max_length=20, choices=DecisionAction.choices, db_index=True)
    comment = models.ForeignKey(
        "comments.Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_decisions",
    )
    comment_text = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_decisions",
    )
    user_name = models.CharField(max_length=255, blank=True)
    reason = models.TextField(blank=True)
    verdict = models.JSONField(default=dict, blank=True)
    details = models.JSONField(default=dict, blank=True)
    model_version = models.CharField(
        max_length=32,
        blank=True,
        help_text='Guidelines model that decided the comment ("base" = the shipped model).',
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        default_permissions = ("view",)
        permissions = [("moderate_comments", "Can moderate comments and members")]

    def __str__(self) -> str:
        who = self.actor_name or "system"
        return f"{self.created_at:%Y-%m-%d %H:%M} {who}: {self.get_action_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert once; raises :class:`AppendOnlyError` when the row already exists."""
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(
                "The moderation decision log is append-only; entries cannot be changed."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        """Always raises :class:`AppendOnlyError`."""
        raise AppendOnlyError(
            "The moderation decision log is append-only; entries cannot be deleted."
        )


# The site's own guidelines model (decision store, versions, training runs) lives in the
# learning package; importing it here registers its models with this app.
from masthead.moderation.learning.models import (  # noqa: E402,F401
    GuidelineLabel,
    GuidelineModelVersion,
    LabelledDecision,
    TrainingRun,
)
