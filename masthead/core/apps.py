from typing import Any

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
        connect_fragment_signals()


# Page fields that Wagtail's save_revision() writes without changing the live page.
DRAFT_FIELDS = frozenset(
    {
        "draft_title",
        "latest_revision",
        "latest_revision_created_at",
        "has_unpublished_changes",
        "locked",
        "locked_at",
        "locked_by",
        "wagtail_admin_comments",
    }
)


def holds_defaults(instance: Any) -> bool:
    """True when every concrete field of ``instance`` other than its primary key and
    relations holds that field's default (a field without a default never does)."""
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.is_relation:
            continue
        if not field.has_default() or getattr(instance, field.attname) != field.get_default():
            return False
    return True


def connect_fragment_signals() -> None:
    """Keep the stamps of cached story parts (:mod:`masthead.core.fragments`) in step."""
    from django.db import transaction
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.models import Page, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from masthead.articles.models import Author, StoryPage
    from masthead.comments.models import CommentSettings
    from masthead.core import fragments
    from masthead.core.page_cache import bump_content_version
    from masthead.metering.models import MeterSettings

    def page_changed(sender: type, instance: Page, **kwargs: object) -> None:
        fields = kwargs.get("update_fields")
        if fields and set(fields) <= DRAFT_FIELDS:
            return  # a draft was saved: what readers see has not changed
        fragments.forget_page(instance.pk)
        # Whole pages too, once more after the commit: a page rendered from the old row
        # during the transaction must not stay under the new version.
        transaction.on_commit(bump_content_version)
        if not isinstance(instance, StoryPage):
            fragments.bump_shared_epoch()  # a section's title or place shows on its stories

    def comment_saved(sender: type, instance: object, **_: object) -> None:
        fragments.comments_changed([getattr(instance, "story_id", None)])

    # weak=False: the receivers are closures that would otherwise be collected at once.
    post_save.connect(
        page_changed, sender=StoryPage, weak=False, dispatch_uid="masthead-frag-story-save"
    )
    for signal in (page_published, page_unpublished):
        signal.connect(page_changed, weak=False, dispatch_uid=f"masthead-frag-{signal!r}")
    post_delete.connect(
        page_changed, sender=Page, weak=False, dispatch_uid="masthead-frag-page-delete"
    )
    post_page_move.connect(fragments.bump_shared_epoch, dispatch_uid="masthead-frag-move")

    def settings_saved(sender: type, instance: Any, created: bool = False, **_: object) -> None:
        # A settings row created on first use holds the defaults every page was already
        # rendered with: nothing shown changes (cached pages stay valid).
        if created and holds_defaults(instance):
            return
        fragments.bump_shared_epoch()

    for model in (CommentSettings, MeterSettings):
        post_save.connect(
            settings_saved, sender=model, weak=False, dispatch_uid=f"masthead-frag-{model}-save"
        )
        post_delete.connect(
            fragments.bump_shared_epoch, sender=model, dispatch_uid=f"masthead-frag-{model}-del"
        )
    for model in (
        Author,
        Site,
        "wagtailimages.Image",
        "taggit.Tag",
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                fragments.bump_shared_epoch,
                sender=model,
                dispatch_uid=f"masthead-frag-{model}-{signal!r}",
            )
    from masthead.core.routing import restrictions_changed, sites_changed

    for signal in (post_save, post_delete):
        signal.connect(sites_changed, sender=Site, dispatch_uid=f"masthead-route-site-{signal!r}")
        signal.connect(
            restrictions_changed,
            sender="wagtailcore.PageViewRestriction",
            dispatch_uid=f"masthead-route-restriction-{signal!r}",
        )
    post_page_move.connect(restrictions_changed, dispatch_uid="masthead-route-move")
    m2m_changed.connect(
        fragments.bump_shared_epoch,
        sender=CommentSettings.closed_sections.through,
        dispatch_uid="masthead-frag-closed-sections",
    )
    for signal in (post_save, post_delete):
        signal.connect(
            comment_saved,
            sender="comments.Comment",
            weak=False,
            dispatch_uid=f"masthead-frag-comment-{signal!r}",
        )
