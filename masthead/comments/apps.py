from django.apps import AppConfig
from django.core import checks


class CommentsConfig(AppConfig):
    """Reader comments on stories: threads, replies, reactions, reports."""

    name = "masthead.comments"
    label = "comments"
    verbose_name = "Comments"

    def ready(self) -> None:
        checks.register(check_settings)
        from masthead.comments import signal_handlers  # noqa: F401


def check_settings(app_configs: object = None, **kwargs: object) -> list[checks.CheckMessage]:
    """Fail start-up on a malformed ``MASTHEAD_COMMENTS_QUIET_HOURS`` or a non-positive limit."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from masthead.comments.services import parse_quiet_hours

    errors: list[checks.CheckMessage] = []
    try:
        parse_quiet_hours(settings.MASTHEAD_COMMENTS_QUIET_HOURS)
    except ImproperlyConfigured as exc:
        errors.append(checks.Error(str(exc), id="comments.E001"))
    for name in ("MASTHEAD_COMMENTS_MAX_LENGTH", "MASTHEAD_COMMENTS_MAX_DEPTH"):
        if getattr(settings, name) < 1:
            errors.append(checks.Error(f"{name} must be at least 1", id="comments.E002"))
    return errors
