"""Which addresses belong to staff: those are never members, in an import or an export.

A staff or superuser account's address (its login email and every allauth address
of the account) must not come in through a member file (someone could otherwise
rename the editor or subscribe them) nor go out in one.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Q

from masthead.newsletters.models import normalise_email

_STAFF = Q(is_staff=True) | Q(is_superuser=True)


def staff_emails() -> set[str]:
    """Normalised addresses of every staff or superuser account (a few, so one set)."""
    users = get_user_model().objects.filter(_STAFF).values_list("email", flat=True)
    extra = EmailAddress.objects.filter(
        Q(user__is_staff=True) | Q(user__is_superuser=True)
    ).values_list("email", flat=True)
    return {normalise_email(e) for e in [*users, *extra] if e}
