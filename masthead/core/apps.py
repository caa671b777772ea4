from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting helpers: settings readers, date formatting, site context."""

    name = "masthead.core"
    label = "mastheadcore"
    verbose_name = "Masthead core"
