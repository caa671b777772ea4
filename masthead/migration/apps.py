"""Django app for the comment migration (issue 6): models, importer, claiming."""

from __future__ import annotations

from django.apps import AppConfig


class MigrationConfig(AppConfig):
    """Imports comments from Disqus/WXR/CSV exports and hands them to their authors."""

    name = "masthead.migration"
    label = "migration"
    verbose_name = "Comment migration"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect the claiming signal handlers (allauth ``email_confirmed``, ``user_logged_in``)."""
        from . import signal_handlers

        signal_handlers.connect()
