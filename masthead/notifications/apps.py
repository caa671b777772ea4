from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Reply notifications: on the site (header count, "My comments") and by batched email."""

    name = "masthead.notifications"
    label = "notifications"
    verbose_name = "Reply notifications"

    def ready(self) -> None:
        from masthead.notifications import signal_handlers  # noqa: F401
