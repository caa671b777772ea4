"""Create a profile for every new user (also users made by staff or commands); drop a
changed user from the cache of signed-in users; hand a proven address to its prover."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed, password_reset, user_signed_up
from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from masthead.accounts import ownership
from masthead.accounts.models import Profile


@receiver(
    post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="masthead_profile_on_user_create"
)
def create_profile(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        Profile.objects.get_or_create(user=instance)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="masthead_user_cache_save")
@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="masthead_user_cache_delete")
def forget_cached_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A saved or deleted user leaves the cache of signed-in users
    (:mod:`masthead.accounts.backends`)."""
    from masthead.accounts.backends import forget_user

    forget_user(instance.pk)


@receiver(user_signed_up, dispatch_uid="masthead_remember_signup")
def remember_signup(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """The session that signed an account up may later prove its address and keep the
    password (:mod:`masthead.accounts.ownership`)."""
    ownership.remember_signup(request, user)


@receiver(email_confirmed, dispatch_uid="masthead_secure_proven_account")
def secure_proven_account(
    sender: Any, request: Any = None, email_address: Any = None, **kwargs: Any
) -> None:
    """A proven address belongs to its prover: see
    :func:`masthead.accounts.ownership.secure_proven_account`."""
    if email_address is not None:
        ownership.secure_proven_account(request, email_address)


@receiver(password_reset, dispatch_uid="masthead_reset_proves_address")
def reset_proves_address(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """The emailed reset link proves the address it went to: see
    :func:`masthead.accounts.ownership.prove_by_password_reset`."""
    from masthead.accounts.reset_proof import take_address

    if user is None:
        return
    email = take_address(request, user.pk)
    if email:
        ownership.prove_by_password_reset(email, user)
