"""Newsletters take part in "export my data" and "delete my account" (accounts signals).

Found by the reader-journey test (issue 8): the export did not show a member's
newsletter subscriptions or offers consent, and a deleted account's address kept
receiving newsletters (``Subscriber.user`` is only set to NULL). Export is GDPR
Art. 20; on deletion every subscription is ended and offers are turned off through
the normal services, so the consent log (kept as the record of consent, Art. 7(1))
shows why mail stopped.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from masthead.accounts.signals import collect_personal_data, erase_personal_data
from masthead.newsletters import services
from masthead.newsletters.models import ConsentEvent, Subscriber, Subscription


def _subscribers(user: Any) -> list[Subscriber]:
    """Subscribers linked to ``user`` or holding one of its VERIFIED email addresses.

    Unverified addresses are left out: a member must not be able to export, or end by
    deleting their account, the subscriptions of an address they never proved they own.
    """
    from allauth.account.models import EmailAddress

    emails = {
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }
    return list(Subscriber.objects.filter(user=user) | Subscriber.objects.filter(email__in=emails))


@receiver(collect_personal_data, dispatch_uid="masthead_newsletters_export")
def export_newsletters(sender: Any, user: Any, **kwargs: Any) -> dict[str, list[dict[str, Any]]]:
    """``{"newsletter_subscriptions": [...], "offers_consent": [...], "newsletter_consent_log": [...]}``."""
    subscribers = _subscribers(user)
    subscriptions = [
        {
            "email": s.subscriber.email,
            "newsletter": s.newsletter.name,
            "status": s.status,
            "created_at": s.created_at.isoformat(),
            "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
            "unsubscribed_at": s.unsubscribed_at.isoformat() if s.unsubscribed_at else None,
            "source": s.source,
        }
        for s in Subscription.objects.filter(subscriber__in=subscribers).select_related(
            "subscriber", "newsletter"
        )
    ]
    offers = [{"email": sub.email, "granted": services.offers_granted(sub)} for sub in subscribers]
    log = [
        {
            "email": e.email,
            "action": e.action,
            "newsletter": e.newsletter_name,
            "source": e.source,
            "created_at": e.created_at.isoformat(),
        }
        for e in ConsentEvent.objects.filter(email__in=[s.email for s in subscribers]).order_by(
            "created_at"
        )
    ]
    return {
        "newsletter_subscriptions": subscriptions,
        "offers_consent": offers,
        "newsletter_consent_log": log,
    }


@receiver(erase_personal_data, dispatch_uid="masthead_newsletters_erase")
def stop_newsletters(sender: Any, user: Any, **kwargs: Any) -> None:
    """End every subscription and the offers consent of ``user``'s addresses."""
    for subscriber in _subscribers(user):
        for sub in (
            Subscription.objects.filter(subscriber=subscriber)
            .exclude(status=Subscription.Status.UNSUBSCRIBED)
            .select_related("newsletter")
        ):
            services.unsubscribe(subscriber, sub.newsletter, services.SOURCE_ACCOUNT_DELETED)
        services.set_offers(subscriber, False, services.SOURCE_ACCOUNT_DELETED)
