from django.apps import AppConfig


class CommentsConfig(AppConfig):
    """Reader comments on stories: threads, replies, reactions, reports."""

    name = "masthead.comments"
    label = "comments"
    verbose_name = "Comments"
