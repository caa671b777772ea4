"""Create a profile for every new user (also users made by staff or commands)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
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
