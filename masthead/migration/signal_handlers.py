"""Signal receivers: claim legacy comments when a reader's address is verified.

* ``allauth.account.signals.email_confirmed`` -- at sign-up or when an address is
  added and confirmed later;
* ``django.contrib.auth.signals.user_logged_in`` -- catches addresses verified some
  other way (an account migration, an admin ticking "verified"), cheaply: one
  query when there is nothing to claim.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed
from django.contrib.auth.signals import user_logged_in

from .claiming import claim_for_user, claim_legacy_comments


def on_email_confirmed(
    sender: Any, request: Any = None, email_address: Any = None, **kw: Any
) -> None:
    """Claim for the confirmed address (``email_address`` is an allauth ``EmailAddress``)."""
    if email_address is not None and email_address.verified:
        claim_legacy_comments(email_address.user_id, email_address.email)


def on_user_logged_in(sender: Any, request: Any = None, user: Any = None, **kw: Any) -> None:
    """Claim for every verified address of the user who just signed in."""
    if user is not None and user.pk:
        claim_for_user(user)


def connect() -> None:
    """Connect the receivers (called from ``MigrationConfig.ready``)."""
    email_confirmed.connect(on_email_confirmed, dispatch_uid="migration.claim_on_confirm")
    user_logged_in.connect(on_user_logged_in, dispatch_uid="migration.claim_on_login")
