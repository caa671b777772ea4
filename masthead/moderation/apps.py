"""Django app for comment moderation: member status, word lists, thresholds, decision log.

The pure-Python guideline engine lives in ``masthead.moderation.guidelines`` and has no
Django imports; this app fills its ``CheckContext`` from the database and gives
moderators a queue in the Wagtail admin.
"""

from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """Comment moderation: queue, member status, word lists, thresholds, decision log."""

    name = "masthead.moderation"
    label = "moderation"
    verbose_name = "Moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Connect the cache-invalidation and settings-logging signal handlers."""
        from masthead.moderation import signals  # noqa: F401
