"""Member export: one row per email address known as a member, in :data:`~masthead.members.csvio.COLUMNS`.

An address is a member only when it is proven: the verified address of a site account
(allauth), a newsletter subscriber who confirmed it (double opt-in, or the verified
address of their account), or an imported member record (the import logged where it
came from and the consent it brought). An address someone typed in at sign-up and never
confirmed is not exported, nor anything of an unconfirmed subscriber; a staff or
superuser account's address never is, whatever else holds it. Each column comes from
where it lives:

* ``name``: the account's display name, else its full name, else the imported name;
* ``note``, ``labels``: the imported record;
* ``subscribed_to_emails`` / ``newsletters``: confirmed subscriptions (slugs);
* ``complimentary_plan``: an active staff-granted subscription, or the imported flag;
* ``created_at``: the earliest of sign-up, subscription and the imported join time;
* ``offers_consent`` / ``_at`` / ``_source``: the current offers consent.

Cells are made safe against spreadsheet formulas by :func:`~masthead.members.csvio.write_rows`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from masthead.members.models import MemberRecord
from masthead.members.staff import staff_emails
from masthead.metering.models import Subscription as Paid
from masthead.metering.models import SubscriptionStatus
from masthead.newsletters.models import OffersConsent, Subscriber, Subscription, normalise_email


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _row(email: str) -> dict[str, Any]:
    return {
        "email": email,
        "name": "",
        "note": "",
        "labels": "",
        "complimentary_plan": False,
        "created_at": None,
        "newsletters": [],
        "offers_consent": False,
        "offers_consent_at": None,
        "offers_consent_source": "",
    }


def _earliest(row: dict[str, Any], when: datetime | None) -> None:
    if when is not None and (row["created_at"] is None or when < row["created_at"]):
        row["created_at"] = when


def member_rows() -> Iterator[dict[str, Any]]:
    """Every member as a dict keyed by the CSV columns (values as text), ordered by email."""
    rows: dict[str, dict[str, Any]] = {}

    def get(email: str) -> dict[str, Any]:
        key = normalise_email(email)
        return rows.setdefault(key, _row(key))

    for rec in MemberRecord.objects.values_list(
        "email", "name", "note", "labels", "complimentary_plan", "created_at"
    ).iterator(chunk_size=5000):
        row = get(rec[0])
        row.update(name=rec[1], note=rec[2], labels=rec[3], complimentary_plan=rec[4])
        _earliest(row, rec[5])
    now = timezone.now()
    comped = set(
        Paid.objects.filter(status=SubscriptionStatus.ACTIVE, provider="staff")
        .filter(Q(current_period_end__isnull=True) | Q(current_period_end__gt=now))
        .values_list("user_id", flat=True)
    )
    verified = {
        normalise_email(email)
        for email in EmailAddress.objects.filter(verified=True)
        .values_list("email", flat=True)
        .iterator(chunk_size=5000)
    }
    users = (
        get_user_model()
        .objects.filter(is_staff=False, is_superuser=False)
        .exclude(email="")
        .values_list(
            "pk", "email", "first_name", "last_name", "date_joined", "profile__display_name"
        )
    )
    for pk, email, first, last, joined, display in users.iterator(chunk_size=5000):
        if normalise_email(email) not in verified:
            continue  # signed up with an address never confirmed
        row = get(email)
        row["name"] = display or f"{first} {last}".strip() or row["name"]
        row["complimentary_plan"] = row["complimentary_plan"] or pk in comped
        _earliest(row, joined)
    ids: dict[int, dict[str, Any]] = {}
    for pk, email, created, confirmed in Subscriber.objects.values_list(
        "pk", "email", "created_at", "confirmed_at"
    ).iterator(chunk_size=5000):
        if confirmed is None and normalise_email(email) not in verified:
            continue  # double opt-in never completed
        ids[pk] = get(email)
        _earliest(ids[pk], created)
    for sub, slug, confirmed in (
        Subscription.objects.filter(status=Subscription.Status.CONFIRMED)
        .values_list("subscriber_id", "newsletter__slug", "confirmed_at")
        .order_by("newsletter__sort_order", "newsletter__slug")
        .iterator(chunk_size=5000)
    ):
        if sub in ids:
            ids[sub]["newsletters"].append(slug)
            _earliest(ids[sub], confirmed)
    for sub, granted, changed, source in OffersConsent.objects.values_list(
        "subscriber_id", "granted", "changed_at", "source"
    ).iterator(chunk_size=5000):
        if granted and sub in ids:
            ids[sub].update(
                offers_consent=True, offers_consent_at=changed, offers_consent_source=source
            )
    staff = staff_emails()
    for email in sorted(rows):
        if email in staff:
            continue
        row = rows[email]
        yield {
            **row,
            "subscribed_to_emails": "true" if row["newsletters"] else "false",
            "complimentary_plan": "true" if row["complimentary_plan"] else "false",
            "newsletters": ",".join(row["newsletters"]),
            "offers_consent": "true" if row["offers_consent"] else "false",
            "created_at": _iso(row["created_at"]),
            "offers_consent_at": _iso(row["offers_consent_at"]),
        }
