from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting helpers: settings readers, date formatting, site context."""

    name = "masthead.core"
    label = "mastheadcore"
    verbose_name = "Masthead core"

    def ready(self) -> None:
        from django.db.models.signals import post_delete
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from masthead.core.page_cache import bump_content_version

        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(bump_content_version, dispatch_uid=f"masthead-bump-{signal!r}")
        post_delete.connect(bump_content_version, sender=Page, dispatch_uid="masthead-bump-delete")
        # Comment threads and counts appear on shared pages: a new, edited, approved or
        # removed comment must show on the next request.
        from django.db.models.signals import post_save

        post_save.connect(
            bump_content_version, sender="comments.Comment", dispatch_uid="masthead-bump-comment"
        )

        from masthead.core.member_pages import connect_signals

        connect_signals()
