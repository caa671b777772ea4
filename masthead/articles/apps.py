from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """Stories, sections, tags, bylines; feeds, sitemaps and structured data."""

    name = "masthead.articles"
    label = "articles"
    verbose_name = "Stories"

    def ready(self) -> None:
        from masthead.articles import signal_handlers  # noqa: F401
