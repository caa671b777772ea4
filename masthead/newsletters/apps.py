"""Newsletters: lists, double opt-in, offers consent, consent log and crash-safe sending."""

from __future__ import annotations

from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    """App config for ``masthead.newsletters`` (label ``newsletters``)."""

    name = "masthead.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from masthead.newsletters import (
            checks,  # noqa: F401  (registers system checks)
            personal_data,  # noqa: F401  (export / delete receivers)
        )
