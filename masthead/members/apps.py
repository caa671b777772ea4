from django.apps import AppConfig


class MembersConfig(AppConfig):
    """Members moving in and out by CSV (Ghost's member layout plus newsletters and offers)."""

    name = "masthead.members"
    label = "members"
    verbose_name = "Members CSV"

    def ready(self) -> None:
        from masthead.members import signal_handlers  # noqa: F401
