from django.apps import AppConfig


class SearchConfig(AppConfig):
    """Site search over stories (Wagtail search, database backend by default)."""

    name = "masthead.search"
    label = "mastheadsearch"
