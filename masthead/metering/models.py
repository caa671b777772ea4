"""Meter records, subscriptions and the meter's site settings.

A *reader key* names whose meter a row belongs to: ``"u:<user id>"`` for a member,
``"a:<32 hex>"`` for an anonymous reader (the id lives in a signed cookie). Periods
are the first day of a calendar month in the site's time zone (``SITE_TIME_ZONE``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting


def default_anonymous_limit() -> int:
    """Default free metered stories a month for anonymous readers (``MASTHEAD_METER_ANONYMOUS``)."""
    return int(getattr(settings, "MASTHEAD_METER_ANONYMOUS", 3))


def default_member_limit() -> int:
    """Default free metered stories a month for signed-in members (``MASTHEAD_METER_MEMBER``)."""
    return int(getattr(settings, "MASTHEAD_METER_MEMBER", 10))


class MeterPeriod(models.Model):
    """One row per reader per month: the row locked (``SELECT … FOR UPDATE``) while counting.

    Its only job is to serialise concurrent meter decisions of one reader, so the
    count of :class:`MeterView` rows read under the lock is exact on PostgreSQL.
    """

    reader_key = models.CharField(max_length=40)
    period = models.DateField(help_text="First day of the local calendar month.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reader_key", "period"], name="meter_period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reader_key} {self.period:%Y-%m}"


class MeterView(models.Model):
    """A metered story a reader has opened in full in a month (counted once).

    ``story_id`` is a plain integer, not a foreign key: deleting a story must not
    give the reader a free story back in the same month.
    """

    reader_key = models.CharField(max_length=40)
    period = models.DateField()
    story_id = models.BigIntegerField()
    viewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reader_key", "period", "story_id"], name="meter_view_once_per_period"
            )
        ]
        indexes = [models.Index(fields=["reader_key", "period"], name="meter_view_reader_period")]

    def __str__(self) -> str:
        return f"{self.reader_key} {self.period:%Y-%m} story {self.story_id}"


class SubscriptionStatus(models.TextChoices):
    """Lifecycle of a subscription; only ``active`` (and not past its end) entitles."""

    ACTIVE = "active", "Active"
    CANCELLED = "cancelled", "Cancelled"
    REVOKED = "revoked", "Revoked by staff"


class Subscription(models.Model):
    """A reader's subscription: granted/revoked by staff now, by a payment provider later.

    Entitlement is decided only in :func:`masthead.metering.services.decide`
    (through :func:`~masthead.metering.services.has_active_subscription`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.CharField(
        max_length=60, default="digital", help_text="e.g. digital, print+digital"
    )
    status = models.CharField(
        max_length=20, choices=SubscriptionStatus.choices, default=SubscriptionStatus.ACTIVE
    )
    current_period_end = models.DateTimeField(
        null=True, blank=True, help_text="Entitlement ends at this time; empty means open-ended."
    )
    provider = models.CharField(max_length=40, blank=True, default="staff")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("user"),
        FieldPanel("plan"),
        FieldPanel("status"),
        FieldPanel("current_period_end"),
    ]

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status"], name="subscription_user_status")]

    def __str__(self) -> str:
        return f"{self.user} – {self.plan} ({self.status})"

    @property
    def is_active(self) -> bool:
        """True when ``status`` is active and ``current_period_end`` is empty or in the future."""
        return self.status == SubscriptionStatus.ACTIVE and (
            self.current_period_end is None or self.current_period_end > timezone.now()
        )


@register_setting(icon="lock")
class MeterSettings(BaseSiteSetting):
    """How many metered stories a month each kind of reader gets for free (per site)."""

    anonymous_limit = models.PositiveSmallIntegerField(
        default=default_anonymous_limit,
        help_text="Free metered stories a month for anonymous readers.",
    )
    member_limit = models.PositiveSmallIntegerField(
        default=default_member_limit,
        help_text="Free metered stories a month for signed-in members.",
    )

    panels = [FieldPanel("anonymous_limit"), FieldPanel("member_limit")]

    class Meta:
        verbose_name = "Meter"
