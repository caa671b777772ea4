"""Imported member records take part in "export my data" and "delete my account"."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.dispatch import receiver

from masthead.accounts.signals import collect_personal_data, erase_personal_data
from masthead.members.models import MemberRecord
from masthead.newsletters.models import normalise_email


def _records(user: Any) -> Any:  # noqa: ANN401 - a queryset
    emails = {normalise_email(user.email)} | {
        normalise_email(e)
        for e in EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    }
    return MemberRecord.objects.filter(email__in=[e for e in emails if e])


@receiver(collect_personal_data, dispatch_uid="masthead_members_export")
def export_member_record(sender: Any, user: Any, **kwargs: Any) -> dict[str, Any]:
    """What an import brought about the member (name, note, labels, comp flag, join time)."""
    return {
        "imported_member": [
            {
                "email": r.email,
                "name": r.name,
                "note": r.note,
                "labels": r.labels,
                "complimentary_plan": r.complimentary_plan,
                "created_at": r.created_at.isoformat(),
                "source": r.source,
            }
            for r in _records(user)
        ]
    }


@receiver(erase_personal_data, dispatch_uid="masthead_members_erase")
def erase_member_record(sender: Any, user: Any, **kwargs: Any) -> None:
    """Deleting the account deletes the imported record of its addresses too."""
    _records(user).delete()
