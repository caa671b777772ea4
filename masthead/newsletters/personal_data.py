"""Newsletters' part of "export my data" and "delete my account" (see masthead.accounts.signals).

Export: every subscriber record of the member (by user link or by one of their verified
addresses), its subscriptions, the offers consent and the consent log entries.

Erase: every subscription is ended and the offers consent withdrawn (each change logged
with source ``account deleted``), then the subscriber records and their delivery rows
are deleted. The consent log itself is kept: it is the newsroom's record of when and how
consent was given and withdrawn (GDPR Art. 7(1) requires being able to demonstrate
consent), and it holds only the address, the action, the time, the source and a hashed IP.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.dispatch import receiver

from masthead.accounts.signals import collect_personal_data, erase_personal_data
from masthead.newsletters import services
from masthead.newsletters.models import ConsentEvent, Subscriber, Subscription

SOURCE_ACCOUNT_DELETED = "account deleted"


def _subscribers(user: Any) -> list[Subscriber]:
    from allauth.account.models import EmailAddress

    emails = [
        e.lower()
        for e in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    ]
    return list(Subscriber.objects.filter(Q(user=user) | Q(email__in=emails)).distinct())


@receiver(collect_personal_data, dispatch_uid="newsletters-export")
def export_newsletters(sender: object, user: Any, **kwargs: Any) -> dict[str, Any]:
    """Return ``{"newsletters": {...}}`` for the export (JSON-serialisable)."""
    subs = _subscribers(user)
    return {
        "newsletters": {
            "addresses": [
                {
                    "email": s.email,
                    "confirmed_at": s.confirmed_at.isoformat() if s.confirmed_at else None,
                    "offers_consent": services.offers_granted(s),
                    "subscriptions": [
                        {
                            "newsletter": sub.newsletter.name,
                            "status": sub.status,
                            "source": sub.source,
                            "confirmed_at": sub.confirmed_at.isoformat()
                            if sub.confirmed_at
                            else None,
                            "unsubscribed_at": sub.unsubscribed_at.isoformat()
                            if sub.unsubscribed_at
                            else None,
                        }
                        for sub in Subscription.objects.filter(subscriber=s).select_related(
                            "newsletter"
                        )
                    ],
                }
                for s in subs
            ],
            "consent_log": [
                {
                    "email": e.email,
                    "action": e.action,
                    "newsletter": e.newsletter_name,
                    "source": e.source,
                    "at": e.created_at.isoformat(),
                }
                for e in ConsentEvent.objects.filter(
                    Q(user=user) | Q(email__in=[s.email for s in subs])
                )
            ],
        }
    }


@receiver(erase_personal_data, dispatch_uid="newsletters-erase")
def erase_newsletters(sender: object, user: Any, **kwargs: Any) -> None:
    """End every subscription, withdraw offers, delete the subscriber records (log kept)."""
    for subscriber in _subscribers(user):
        for sub in Subscription.objects.filter(subscriber=subscriber).select_related("newsletter"):
            services.unsubscribe(subscriber, sub.newsletter, SOURCE_ACCOUNT_DELETED)
        if services.offers_granted(subscriber):
            services.set_offers(subscriber, False, SOURCE_ACCOUNT_DELETED)
        subscriber.delete()
