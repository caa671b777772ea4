from django.apps import AppConfig


class ReadingListConfig(AppConfig):
    """Saved stories: "save to read later"."""

    name = "masthead.readinglist"
    label = "readinglist"
    verbose_name = "Reading list"

    def ready(self) -> None:
        from masthead.readinglist import signal_handlers  # noqa: F401
