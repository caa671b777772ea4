"""Who owns an email address: the reader who proves it, never whoever typed it first.

Two rules keep an unverified address from becoming a way into someone else's account:

* **An unproven claim never blocks the owner.** When a reader signs up with an address
  that other accounts hold only unverified, those claims are released
  (:func:`release_unproven_claims`): an account that has no verified address at all is
  replaced (deleted, it could never sign in), any other account just loses the
  unverified address. The new sign-up then sends its confirmation email as usual.
* **A password reset proves the address its link went to.** Completing a reset through
  the emailed link marks that one address verified (:func:`prove_by_password_reset`),
  unless another account has it verified. Other accounts' unverified claims on it are
  released as for any proof. When it is the account's first proven address, the new
  password stays (the address's owner just chose it) but every session ends and the
  display name is cleared, as below.
* **Proving an address hands over a clean account.** When an address is verified (by
  the emailed link or by a sign-in code) on an account that had no verified address
  until now, and the proof does not come from the browser session that signed the
  account up, whoever chose the account's password is not known to own the address:
  the password is discarded, every session ends and the display name is cleared
  (:func:`secure_proven_account`). The owner is told to set a password. The same
  address held unverified by any other account is released.

The signing-up session is recognised by :data:`SIGNUP_SESSION_KEY`, written when
allauth sends ``user_signed_up``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest

log = logging.getLogger(__name__)

#: Session key holding the id of the account this browser session signed up.
SIGNUP_SESSION_KEY = "masthead_signed_up_user"

DISCARDED_NOTICE = (
    "Your address is confirmed. For your safety the password chosen when this account "
    "was created was not kept: set a new one under Your account → Change password."
)


def remember_signup(request: HttpRequest | None, user: Any) -> None:
    """Note in ``request``'s session that it signed ``user`` up."""
    session = getattr(request, "session", None)
    if session is not None and user is not None:
        session[SIGNUP_SESSION_KEY] = user.pk


def _signed_up_here(request: HttpRequest | None, user_id: int) -> bool:
    session = getattr(request, "session", None)
    return session is not None and session.get(SIGNUP_SESSION_KEY) == user_id


def _has_verified_address(user_id: int, *, other_than: int | None = None) -> bool:
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(user_id=user_id, verified=True)
    if other_than is not None:
        verified = verified.exclude(pk=other_than)
    return verified.exists()


def _established(user: Any) -> bool:
    """Staff, and accounts that have ever signed in, are never replaced: a squatter's
    account cannot sign in (verification is mandatory), so it has neither."""
    return bool(user.is_staff or user.is_superuser or user.last_login is not None)


def unproven_holders(email: str) -> list[Any] | None:
    """The accounts holding ``email`` while nobody has verified it, or ``None`` when the
    address is taken: some account has it verified, or an established account
    (:func:`_established`) has it as its user email."""
    from allauth.account.models import EmailAddress

    rows = list(EmailAddress.objects.filter(email__iexact=email).select_related("user"))
    if any(row.verified for row in rows):
        return None
    users = {row.user_id: row.user for row in rows}
    for user in get_user_model().objects.filter(email__iexact=email):
        if user.pk not in users and _established(user):
            return None
        users.setdefault(user.pk, user)
    return list(users.values())


def release_unproven_claims(email: str, *, keep_user_id: int | None = None) -> int:
    """Take ``email`` away from every account (other than ``keep_user_id``) that holds it
    unverified; returns how many accounts were changed.

    An account without any verified address that never signed in and is not staff is
    deleted through :func:`masthead.accounts.services.delete_account` (it could never
    sign in, so it holds nothing of a reader's); any other account only loses the
    address, and its ``User.email`` falls back to its primary verified address.
    """
    from allauth.account.models import EmailAddress

    from masthead.accounts.services import delete_account

    changed = 0
    with transaction.atomic():
        holders = {
            row.user_id: row.user
            for row in EmailAddress.objects.filter(email__iexact=email, verified=False)
            .exclude(user_id=keep_user_id)
            .select_related("user")
        }
        for user in get_user_model().objects.filter(email__iexact=email).exclude(pk=keep_user_id):
            holders.setdefault(user.pk, user)
        for user in holders.values():
            if not _has_verified_address(user.pk) and not _established(user):
                log.info("replacing account %s, which never proved %s", user.pk, email)
                delete_account(user)
            else:
                EmailAddress.objects.filter(user=user, email__iexact=email, verified=False).delete()
                if user.email.lower() == email.lower():
                    primary = (
                        EmailAddress.objects.filter(user=user, verified=True)
                        .order_by("-primary", "pk")
                        .first()
                    )
                    user.email = primary.email if primary else ""
                    user.save(update_fields=["email"])
            changed += 1
    return changed


def discard_credentials(user: Any, *, keep_password: bool = False) -> None:
    """Make ``user``'s password unusable, end all of its sessions and clear its display
    name: nothing chosen by whoever created the account survives. ``keep_password``
    keeps a password the address's owner has just chosen (a password reset)."""
    from allauth.usersessions.models import UserSession

    from masthead.accounts.services import get_profile

    if not keep_password:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    for session in UserSession.objects.filter(user=user):
        session.end()
    profile = get_profile(user)
    if profile.display_name:
        profile.display_name = ""
        profile.name_key = ""
        profile.save(update_fields=["display_name", "name_key"])


def secure_proven_account(request: HttpRequest | None, email_address: Any) -> bool:
    """Called when ``email_address`` (an allauth ``EmailAddress``) has just been verified.

    Releases other accounts' unverified claims on the address and, when this is the
    account's first proven address and the proof did not come from the session that
    signed the account up, discards its credentials (:func:`discard_credentials`).
    Returns True when the credentials were discarded.
    """
    if not email_address.verified:
        return False
    release_unproven_claims(email_address.email, keep_user_id=email_address.user_id)
    user = email_address.user
    if _has_verified_address(user.pk, other_than=email_address.pk):
        return False  # an established account adding an address
    if _signed_up_here(request, user.pk):
        return False  # the same browser chose the password and proved the address
    discard_credentials(user)
    if request is not None and hasattr(request, "_messages"):
        messages.info(request, DISCARDED_NOTICE)
    return True


def prove_by_password_reset(email: str, user: Any) -> bool:
    """``user`` has just set a new password through a reset link mailed to ``email``:
    mark that address verified on ``user`` (module docs). Returns True when it did.

    Nothing happens when the account does not hold the address, when it is already
    verified there, or when another account has it verified.
    """
    from allauth.account.models import EmailAddress

    with transaction.atomic():
        row = EmailAddress.objects.filter(user=user, email__iexact=email).first()
        if row is None and user.email.lower() == email.lower():
            row = EmailAddress(user=user, email=user.email, primary=True, verified=False)
        if row is None or row.verified:
            return False
        if (
            EmailAddress.objects.filter(email__iexact=email, verified=True)
            .exclude(user=user)
            .exists()
        ):
            return False
        first_proof = not _has_verified_address(user.pk)
        release_unproven_claims(row.email, keep_user_id=user.pk)
        row.verified = True
        if first_proof and not EmailAddress.objects.filter(user=user, primary=True).exists():
            row.primary = True
        row.save()
        if first_proof:
            discard_credentials(user, keep_password=True)
    log.info("password reset proved %s for account %s", email, user.pk)
    return True
