"""Newsletter lists, subscribers, consent and deliveries.

Data model (see ``docs/newsletters.md``):

* :class:`Newsletter` — a list editors define (name, cadence, sender, ``List-Id``).
* :class:`Subscriber` — one row per normalised email address, optionally linked to a
  user. ``confirmed_at`` is set once the address is proven (double opt-in link, or a
  member's allauth-verified address); nothing but the confirmation mail is ever sent
  to an unconfirmed address.
* :class:`Subscription` — subscriber × newsletter with status pending/confirmed/unsubscribed.
* :class:`OffersConsent` — the separate "offers and early access" consent (off by default).
* :class:`ConsentEvent` — append-only log of every consent change, with time and source.
* :class:`NewsletterIssue` + :class:`IssueStory` — an issue composed from chosen stories.
* :class:`Delivery` — one row per (issue, subscriber): the send ledger that makes
  sending exactly-once across worker crashes (see ``masthead.newsletters.sending``).
* :class:`SuppressedAddress` — addresses that got a permanent (5xx) SMTP failure.
"""

from __future__ import annotations

from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.models import Orderable


def normalise_email(email: str) -> str:
    """Return ``email`` stripped and lower-cased (one subscriber per mailbox).

    Lower-casing the local part is technically lossy (RFC 5321 §2.4 lets servers treat
    it case-sensitively) but every major provider ignores case, and one row per
    mailbox is what keeps consent and suppression consistent.
    """
    return (email or "").strip().lower()


class Newsletter(models.Model):
    """A mailing list readers can subscribe to."""

    class Cadence(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"
        MONTHLY = "monthly", "Monthly"
        OCCASIONAL = "occasional", "When there is news"

    class Kind(models.TextChoices):
        EDITORIAL = "editorial", "Editorial newsletter"
        OFFERS = "offers", "Offers and early access (sent only with offers consent)"

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=60, unique=True, help_text="Also the first label of the List-Id."
    )
    description = models.TextField(blank=True)
    cadence = models.CharField(max_length=20, choices=Cadence.choices, default=Cadence.WEEKLY)
    kind = models.CharField(
        max_length=20,
        choices=Kind.choices,
        default=Kind.EDITORIAL,
        help_text="Offers lists go only to readers who turned on offers consent.",
    )
    from_name = models.CharField(max_length=120, blank=True, help_text="Defaults to the site name.")
    from_email = models.EmailField(
        blank=True, help_text="Defaults to MASTHEAD_NEWSLETTER_FROM; must differ from account mail."
    )
    list_id_domain = models.CharField(
        max_length=200,
        blank=True,
        help_text="List-Id domain (RFC 2919); defaults to the sender's domain.",
    )
    active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("cadence"),
        FieldPanel("kind"),
        MultiFieldPanel(
            [FieldPanel("from_name"), FieldPanel("from_email"), FieldPanel("list_id_domain")],
            heading="Sender",
        ),
        FieldPanel("active"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_offers(self) -> bool:
        """True for an offers list (recipients need :class:`OffersConsent`)."""
        return self.kind == self.Kind.OFFERS

    @property
    def sender_email(self) -> str:
        """The bare From address (newsletter's own, else ``MASTHEAD_NEWSLETTER_FROM``'s)."""
        from email.utils import parseaddr

        return self.from_email or parseaddr(settings.MASTHEAD_NEWSLETTER_FROM)[1]

    @property
    def from_header(self) -> str:
        """The From header value, e.g. ``The Ledger Morning <morning@news.example>``."""
        from email.utils import parseaddr

        default_name = (
            parseaddr(settings.MASTHEAD_NEWSLETTER_FROM)[0] or settings.MASTHEAD_SITE_NAME
        )
        return formataddr((self.from_name or default_name, self.sender_email))

    @property
    def list_id(self) -> str:
        """``<slug.lists.domain>`` identifier (RFC 2919 §2), distinct per newsletter."""
        domain = self.list_id_domain or self.sender_email.rsplit("@", 1)[-1]
        return f"{self.slug}.lists.{domain}"


class Subscriber(models.Model):
    """One mailbox (normalised email), optionally linked to a site user."""

    email = models.EmailField(max_length=254, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="newsletter_subscribers",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the address was proven (double opt-in or verified account).",
    )
    last_confirmation_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


class Subscription(models.Model):
    """A subscriber's membership of one newsletter."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending confirmation"
        CONFIRMED = "confirmed", "Confirmed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    newsletter = models.ForeignKey(
        Newsletter, on_delete=models.CASCADE, related_name="subscriptions"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "newsletter"], name="subscription_unique"
            ),
        ]
        indexes = [models.Index(fields=["newsletter", "status"])]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.newsletter} ({self.status})"


class OffersConsent(models.Model):
    """The separate consent to offers and early access (absent row = off)."""

    subscriber = models.OneToOneField(
        Subscriber, on_delete=models.CASCADE, related_name="offers_consent"
    )
    granted = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=60, blank=True)

    def __str__(self) -> str:
        return f"{self.subscriber}: offers {'on' if self.granted else 'off'}"


class ConsentEvent(models.Model):
    """One consent change, kept forever (append-only: updates and deletes raise)."""

    class Action(models.TextChoices):
        SUBSCRIBE_REQUESTED = "subscribe_requested", "Sign-up requested (confirmation sent)"
        SUBSCRIBED = "subscribed", "Subscribed"
        CONFIRMED = "confirmed", "Confirmed by double opt-in"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        OFFERS_ON = "offers_on", "Offers consent given"
        OFFERS_OFF = "offers_off", "Offers consent withdrawn"
        SUPPRESSED = "suppressed", "Address suppressed after a permanent failure"

    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="consent_events"
    )
    email = models.EmailField(max_length=254, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    newsletter = models.ForeignKey(
        Newsletter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    newsletter_name = models.CharField(max_length=120, blank=True)
    source = models.CharField(max_length=60)
    ip_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.email} {self.action} ({self.source})"

    def save(self, *args: object, **kwargs: object) -> None:
        """Insert only.

        :raises ValidationError: when called on a row that already exists.
        """
        if self.pk is not None:
            raise ValidationError("Consent events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> None:  # noqa: D102
        raise ValidationError("Consent events are append-only.")


class SuppressedAddress(models.Model):
    """An address that answered a permanent (5xx) SMTP failure; later issues skip it."""

    email = models.EmailField(max_length=254, unique=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "suppressed addresses"

    def __str__(self) -> str:
        return self.email


class NewsletterIssue(ClusterableModel):
    """One edition of a newsletter: intro plus chosen stories (headline, standfirst, link)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    newsletter = models.ForeignKey(Newsletter, on_delete=models.PROTECT, related_name="issues")
    subject = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Plain text; blank lines separate paragraphs.")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    scheduled_at = models.DateTimeField(null=True, blank=True, editable=False)
    recipients_frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("newsletter"),
        FieldPanel("subject"),
        FieldPanel("intro"),
        InlinePanel("issue_stories", heading="Stories", label="Story"),
    ]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.newsletter}: {self.subject}"


class IssueStory(Orderable):
    """A story chosen for an issue (ordered)."""

    issue = ParentalKey(NewsletterIssue, on_delete=models.CASCADE, related_name="issue_stories")
    story = models.ForeignKey("articles.StoryPage", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("story", page_type="articles.StoryPage")]


class Delivery(models.Model):
    """The ledger entry for one issue sent to one subscriber (unique per pair)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed or suppressed before sending)"

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="delivery_once_per_issue"),
        ]
        indexes = [models.Index(fields=["issue", "status"])]

    def __str__(self) -> str:
        return f"{self.issue_id}/{self.subscriber_id}: {self.status}"
