"""Newsletter domain logic: subscriptions, double opt-in, offers consent, consent log.

Every consent change goes through this module and writes a :class:`ConsentEvent`
in the same transaction, so the log and the state never disagree. Views, admin,
tasks and commands call these functions; nothing else saves these models.

Sources recorded in the log are the short strings in :data:`SOURCES`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from masthead.newsletters.models import (
    ConsentEvent,
    Delivery,
    Newsletter,
    NewsletterIssue,
    OffersConsent,
    Subscriber,
    Subscription,
    SuppressedAddress,
    normalise_email,
)

SOURCE_NEWSLETTERS_PAGE = "newsletters page"
SOURCE_ACCOUNT_PAGE = "account page"
SOURCE_DOUBLE_OPT_IN = "double opt-in link"
SOURCE_ONE_CLICK = "one-click header"
SOURCE_UNSUBSCRIBE_PAGE = "unsubscribe page"
SOURCE_MANAGE_PAGE = "manage preferences link"
SOURCE_BOUNCE = "permanent SMTP failure"
SOURCE_ADMIN = "admin"
SOURCE_ACCOUNT_DELETED = "account deleted"
SOURCES = {
    SOURCE_NEWSLETTERS_PAGE,
    SOURCE_ACCOUNT_PAGE,
    SOURCE_DOUBLE_OPT_IN,
    SOURCE_ONE_CLICK,
    SOURCE_UNSUBSCRIBE_PAGE,
    SOURCE_MANAGE_PAGE,
    SOURCE_BOUNCE,
    SOURCE_ADMIN,
    SOURCE_ACCOUNT_DELETED,
}


class NotVerified(Exception):
    """The member has no verified primary email address (allauth), so cannot subscribe."""


class InvalidEmail(ValueError):
    """The typed address is not a valid email address."""


def hash_ip(ip: str | None) -> str:
    """Return a keyed hash of ``ip`` (HMAC-SHA256 with SECRET_KEY, 32 hex chars), or ''."""
    if not ip:
        return ""
    return salted_hmac("masthead.newsletters.ip", ip, algorithm="sha256").hexdigest()[:32]


def log_event(
    subscriber: Subscriber,
    action: str,
    source: str,
    *,
    newsletter: Newsletter | None = None,
    ip: str | None = None,
) -> ConsentEvent:
    """Append one :class:`ConsentEvent` (never updates an existing one)."""
    return ConsentEvent.objects.create(
        subscriber=subscriber,
        email=subscriber.email,
        user_id=subscriber.user_id,
        action=action,
        newsletter=newsletter,
        newsletter_name=newsletter.name if newsletter else "",
        source=source,
        ip_hash=hash_ip(ip),
    )


# --- Members (verified account email) -------------------------------------------------------
def verified_email(user: AbstractBaseUser) -> str | None:
    """Return the user's verified primary address (allauth ``EmailAddress``), or ``None``."""
    from allauth.account.models import EmailAddress

    address = (
        EmailAddress.objects.filter(user=user, verified=True, primary=True)
        .values_list("email", flat=True)
        .first()
    )
    return normalise_email(address) if address else None


def subscriber_for_user(user: AbstractBaseUser, *, create: bool = True) -> Subscriber | None:
    """Return the :class:`Subscriber` for a member's verified address (confirmed, linked).

    :raises NotVerified: when the member has no verified primary address and ``create``.
    """
    email = verified_email(user)
    if email is None:
        if create:
            raise NotVerified("Verify your email address before subscribing to newsletters.")
        return None
    sub = Subscriber.objects.filter(email=email).first()
    if sub is None:
        if not create:
            return None
        try:
            with transaction.atomic():
                sub = Subscriber.objects.create(email=email, user=user, confirmed_at=timezone.now())
        except IntegrityError:
            sub = Subscriber.objects.get(email=email)
    changed = []
    if sub.user_id != user.pk:
        sub.user = user
        changed.append("user")
    if sub.confirmed_at is None:  # allauth verified the address: that is the confirmation
        sub.confirmed_at = timezone.now()
        changed.append("confirmed_at")
    if changed:
        sub.save(update_fields=changed)
    return sub


@transaction.atomic
def subscribe_confirmed(
    subscriber: Subscriber, newsletter: Newsletter, source: str, *, ip: str | None = None
) -> bool:
    """Subscribe a confirmed address to ``newsletter``; return True if anything changed.

    Idempotent: a second call for a confirmed subscription changes and logs nothing.

    :raises ValueError: for an offers list (use :func:`set_offers`) or an unconfirmed address.
    """
    if newsletter.is_offers:
        raise ValueError("Offers are a separate consent; use set_offers().")
    if subscriber.confirmed_at is None:
        raise ValueError("The address is not confirmed yet.")
    sub, _ = Subscription.objects.select_for_update().get_or_create(
        subscriber=subscriber, newsletter=newsletter, defaults={"source": source}
    )
    if sub.status == Subscription.Status.CONFIRMED:
        return False
    sub.status = Subscription.Status.CONFIRMED
    sub.confirmed_at = timezone.now()
    sub.unsubscribed_at = None
    sub.source = source
    sub.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "source"])
    log_event(subscriber, ConsentEvent.Action.SUBSCRIBED, source, newsletter=newsletter, ip=ip)
    return True


@transaction.atomic
def unsubscribe(
    subscriber: Subscriber, newsletter: Newsletter, source: str, *, ip: str | None = None
) -> bool:
    """Stop ``newsletter`` for ``subscriber``; return True if anything changed (idempotent).

    For an offers list this withdraws the offers consent. Takes effect for mail not yet
    handed to SMTP, including an issue being sent right now (the sender re-checks each
    recipient just before each message).
    """
    if newsletter.is_offers:
        return set_offers(subscriber, False, source, ip=ip, newsletter=newsletter)
    updated = (
        Subscription.objects.filter(subscriber=subscriber, newsletter=newsletter)
        .exclude(status=Subscription.Status.UNSUBSCRIBED)
        .update(
            status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now(), source=source
        )
    )
    if updated:
        log_event(
            subscriber, ConsentEvent.Action.UNSUBSCRIBED, source, newsletter=newsletter, ip=ip
        )
    return bool(updated)


def offers_granted(subscriber: Subscriber | None) -> bool:
    """True when ``subscriber`` currently consents to offers (absent consent = off)."""
    if subscriber is None:
        return False
    return OffersConsent.objects.filter(subscriber=subscriber, granted=True).exists()


@transaction.atomic
def set_offers(
    subscriber: Subscriber,
    granted: bool,
    source: str,
    *,
    ip: str | None = None,
    newsletter: Newsletter | None = None,
) -> bool:
    """Turn the offers consent on or off; return True if it changed (idempotent).

    Turning it on needs a confirmed address.

    :raises ValueError: when granting for an unconfirmed address.
    """
    if granted and subscriber.confirmed_at is None:
        raise ValueError("The address is not confirmed yet.")
    consent, _ = OffersConsent.objects.select_for_update().get_or_create(subscriber=subscriber)
    if consent.granted == granted:
        return False
    consent.granted = granted
    consent.changed_at = timezone.now()
    consent.source = source
    consent.save()
    action = ConsentEvent.Action.OFFERS_ON if granted else ConsentEvent.Action.OFFERS_OFF
    log_event(subscriber, action, source, newsletter=newsletter, ip=ip)
    return True


# --- Anonymous double opt-in -----------------------------------------------------------------
@dataclass(frozen=True)
class SignupResult:
    """What :func:`request_signup` did: ``mail_sent`` is False when throttled or nothing to do."""

    subscriber: Subscriber
    mail_sent: bool


def request_signup(
    email: str,
    newsletters: Iterable[Newsletter],
    *,
    offers: bool,
    source: str = SOURCE_NEWSLETTERS_PAGE,
    ip: str | None = None,
) -> SignupResult:
    """Record a sign-up by typed address and send one confirmation mail (double opt-in).

    Creates pending subscriptions (existing confirmed ones are left alone) and
    enqueues the confirmation mail unless one went to this address less than
    ``MASTHEAD_NEWSLETTER_CONFIRM_INTERVAL`` seconds ago (default 600), so repeated
    sign-ups do not flood a mailbox. Nothing else is ever sent to an unconfirmed address.

    :raises InvalidEmail: when ``email`` is not a valid address.
    """
    from masthead.newsletters import tasks

    address = normalise_email(email)
    try:
        validate_email(address)
    except ValidationError as exc:
        raise InvalidEmail("Enter a valid email address.") from exc
    lists = [n for n in newsletters if n.active and not n.is_offers]
    now = timezone.now()
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(email=address)
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        for newsletter in lists:
            sub, created = Subscription.objects.get_or_create(
                subscriber=subscriber, newsletter=newsletter, defaults={"source": source}
            )
            if created or sub.status != Subscription.Status.CONFIRMED:
                log_event(
                    subscriber,
                    ConsentEvent.Action.SUBSCRIBE_REQUESTED,
                    source,
                    newsletter=newsletter,
                    ip=ip,
                )
        interval = timedelta(seconds=settings.MASTHEAD_NEWSLETTER_CONFIRM_INTERVAL)
        recent = (
            subscriber.last_confirmation_sent_at
            and now - subscriber.last_confirmation_sent_at < interval
        )
        send = bool(lists or offers) and not recent
        if send:
            subscriber.last_confirmation_sent_at = now
            subscriber.save(update_fields=["last_confirmation_sent_at"])
    if send:  # after commit: the task must see the rows
        tasks.send_confirmation_email.enqueue(subscriber.pk, [n.pk for n in lists], bool(offers))
    return SignupResult(subscriber=subscriber, mail_sent=send)


@dataclass(frozen=True)
class ConfirmResult:
    """Outcome of :func:`confirm_signup`: the subscriber and the lists now confirmed."""

    subscriber: Subscriber
    newsletters: list[Newsletter]
    offers: bool


@transaction.atomic
def confirm_signup(
    subscriber_id: int, newsletter_ids: list[int], offers: bool, *, ip: str | None = None
) -> ConfirmResult:
    """Apply a double opt-in confirmation (idempotent: a second click changes nothing).

    :raises Subscriber.DoesNotExist: when the subscriber was deleted since the mail went out.
    """
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber_id)
    now = timezone.now()
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = now
        subscriber.save(update_fields=["confirmed_at"])
    confirmed = []
    for newsletter in Newsletter.objects.filter(pk__in=newsletter_ids, active=True):
        sub, _ = Subscription.objects.select_for_update().get_or_create(
            subscriber=subscriber, newsletter=newsletter, defaults={"source": SOURCE_DOUBLE_OPT_IN}
        )
        confirmed.append(newsletter)
        if sub.status == Subscription.Status.CONFIRMED:
            continue
        sub.status = Subscription.Status.CONFIRMED
        sub.confirmed_at = now
        sub.unsubscribed_at = None
        sub.source = SOURCE_DOUBLE_OPT_IN
        sub.save(update_fields=["status", "confirmed_at", "unsubscribed_at", "source"])
        log_event(
            subscriber,
            ConsentEvent.Action.CONFIRMED,
            SOURCE_DOUBLE_OPT_IN,
            newsletter=newsletter,
            ip=ip,
        )
    if offers:
        set_offers(subscriber, True, SOURCE_DOUBLE_OPT_IN, ip=ip)
    return ConfirmResult(subscriber=subscriber, newsletters=confirmed, offers=offers)


# --- Recipients: chosen in ONE place ------------------------------------------------------------
def recipients_for(newsletter: Newsletter) -> models.QuerySet[Subscriber]:
    """Return the subscribers who may receive ``newsletter`` right now.

    Rules: the address is confirmed; it is not suppressed after a permanent failure;
    for an editorial list the subscription is confirmed; for an offers list the
    offers consent is on. Used both to freeze an issue's recipients and to re-check
    each recipient just before their message is sent.
    """
    qs = Subscriber.objects.filter(confirmed_at__isnull=False).exclude(
        email__in=SuppressedAddress.objects.values("email")
    )
    if newsletter.is_offers:
        return qs.filter(offers_consent__granted=True)
    return qs.filter(
        subscriptions__newsletter=newsletter, subscriptions__status=Subscription.Status.CONFIRMED
    )


def still_eligible(subscriber_id: int, newsletter: Newsletter) -> bool:
    """True when ``subscriber_id`` is still a recipient of ``newsletter`` (one query)."""
    return recipients_for(newsletter).filter(pk=subscriber_id).exists()


@transaction.atomic
def suppress(email: str, reason: str) -> bool:
    """Record a permanent failure for ``email`` so later issues skip it; True if new."""
    address = normalise_email(email)
    _, created = SuppressedAddress.objects.get_or_create(
        email=address, defaults={"reason": reason[:2000]}
    )
    if created:
        subscriber = Subscriber.objects.filter(email=address).first()
        if subscriber:
            log_event(subscriber, ConsentEvent.Action.SUPPRESSED, SOURCE_BOUNCE)
    return created


def delivery_counts(issue: NewsletterIssue) -> dict[str, int]:
    """Return ``{status: count}`` of an issue's deliveries (every status present, 0 if none)."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    for row in issue.deliveries.values("status").annotate(n=models.Count("pk")):
        counts[row["status"]] = row["n"]
    return counts
