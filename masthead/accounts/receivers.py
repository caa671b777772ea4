"""Create a profile for every new user (also users made by staff or commands); drop a
changed user from the cache of signed-in users."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

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
