"""Writers for the page tree: the one place that creates or updates stories and sections.

Importers (``import_story_text``, ``load_demo``) call these functions rather than
saving pages themselves, so every path sets the same fields the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from wagtail.models import Page, Revision, Site

from masthead.articles.models import AccessLevel, CommentsMode, HomePage, SectionPage, StoryPage
from masthead.articles.text_import import ParsedStory


class SiteNotReady(RuntimeError):
    """There is no Masthead home page yet (run ``manage.py load_demo`` or migrate first)."""


def get_home() -> HomePage:
    """Return the site's home page.

    :raises SiteNotReady: when no :class:`HomePage` exists.
    """
    home = HomePage.objects.first()
    if home is None:
        raise SiteNotReady("No home page yet: run 'manage.py load_demo' to create the site.")
    return home


def ensure_home(site_name: str) -> HomePage:
    """Return the home page, creating it (and pointing the default Site at it) if needed.

    Wagtail's initial migration creates a placeholder "Welcome" page; it is removed
    so the home page can take the root slot.
    """
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    if root is None:  # a flushed database (transactional tests) has no tree root or locale
        from django.conf import settings
        from wagtail.models import Locale

        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.add_root(instance=Page(title="Root", slug="root"))
    for child in root.get_children():
        if child.specific_class is Page:  # Wagtail's placeholder welcome page
            Site.objects.filter(root_page=child).delete()
            child.delete()
    home = HomePage(title=site_name, slug="home", intro="")
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name=site_name
        )
    else:
        site.root_page = home
        site.site_name = site_name
        site.save()
    sync_site_with_site_url()
    return home


def sync_site_with_site_url() -> None:
    """Point the default Wagtail Site at ``settings.SITE_URL``'s host and port.

    Wagtail builds absolute URLs (``sitemap.xml``, ``Page.full_url``) from the Site
    record, while feeds, JSON-LD and emails use ``SITE_URL``; keeping the two equal keeps
    every absolute link on the same origin.
    """
    from urllib.parse import urlsplit

    from django.conf import settings

    parts = urlsplit(settings.SITE_URL)
    if not parts.hostname:
        return
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or (site.hostname, site.port) == (parts.hostname, port):
        return
    site.hostname, site.port = parts.hostname, port
    site.save()  # a save (not update) clears Wagtail's cached site root paths
    from masthead.core.page_cache import bump_content_version

    bump_content_version()  # cached sitemaps hold the old origin


def ensure_section(slug: str, title: str | None = None, description: str = "") -> SectionPage:
    """Return the section with ``slug`` under the home page, creating it if missing."""
    home = get_home()
    slug = slugify(slug)
    section = SectionPage.objects.child_of(home).filter(slug=slug).first()
    if section is not None:
        return section.specific
    section = SectionPage(
        title=title or slug.replace("-", " ").title(), slug=slug, description=description
    )
    home.add_child(instance=section)
    section.save_revision().publish()
    return section


def paragraphs_to_body(paragraphs: list[str]) -> list[tuple[str, str]]:
    """Return StreamField data for plain-text ``paragraphs`` (each escaped into ``<p>``)."""
    return [("paragraph", f"<p>{escape(p)}</p>") for p in paragraphs]


@dataclass(frozen=True)
class UpsertResult:
    """What :func:`upsert_story` did: the story and whether it was new."""

    story: StoryPage
    created: bool


def _unique_slug(parent: Page, base: str, exclude_pk: int | None = None) -> str:
    base = (slugify(base)[:80] or "story").strip("-")
    slug, n = base, 1
    siblings = parent.get_children()
    while siblings.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def upsert_story(
    section: SectionPage,
    parsed: ParsedStory,
    external_id: str,
    *,
    lead_image=None,  # noqa: ANN001 - wagtail Image | None
    access_level: str | None = None,
    comments_mode: str | None = None,
    with_revision: bool = True,
) -> UpsertResult:
    """Create or update the story imported from ``external_id``, and publish it.

    Re-importing the same source updates the existing story in place instead of
    creating a duplicate; when ``section`` differs from the story's section the story
    moves there. ``access_level=None`` means metered for a new story and "keep what the
    editor set" for an existing one. ``comments_mode`` (a :class:`CommentsMode`) is set
    on a new story, and on an existing one whose editors left the site default.

    Either way the story ends as a normal Wagtail page whose live revision holds what
    readers see, so scheduling, reverting or unpublishing it in the admin works.
    ``with_revision=True`` goes through Wagtail's ``save_revision().publish()`` (log
    entries, ``page_published`` signal); ``with_revision=False`` is for bulk loads
    (thousands of stories, inside :func:`bulk_story_load`): the page row is saved and
    its live revision written directly (:func:`attach_live_revision`): measured at 18% of
    the bulk load's time, where a full publish per story would also save each page twice.
    """
    story = StoryPage.objects.filter(external_id=external_id).first() if external_id else None
    created = story is None
    if created:
        story = StoryPage(external_id=external_id, slug=_unique_slug(section, parsed.headline))
    story.title = parsed.headline
    story.standfirst = parsed.standfirst
    story.dateline = parsed.dateline
    story.published_at = parsed.published_at
    story.updated_at = parsed.updated_at
    story.lead_image_caption = parsed.caption
    story.lead_image_alt = parsed.caption
    story.body = paragraphs_to_body(parsed.paragraphs)
    if access_level is not None:
        story.access_level = access_level
    elif created:
        story.access_level = AccessLevel.METERED
    if comments_mode is not None and (created or story.comments_mode == CommentsMode.DEFAULT):
        story.comments_mode = comments_mode
    if lead_image is not None and (created or story.lead_image_id is None):
        story.lead_image = lead_image
    if created:
        story.first_published_at = parsed.published_at
        story.last_published_at = parsed.published_at
        story.live = True
        section.add_child(instance=story)
    elif story.get_parent().pk != section.pk:
        story.move(section, pos="last-child")
        story.refresh_from_db()
        story.title, story.standfirst = parsed.headline, parsed.standfirst  # refresh dropped edits
        story.dateline, story.published_at, story.updated_at = (
            parsed.dateline,
            parsed.published_at,
            parsed.updated_at,
        )
        story.lead_image_caption = story.lead_image_alt = parsed.caption
        story.body = paragraphs_to_body(parsed.paragraphs)
        if access_level is not None:
            story.access_level = access_level
    if with_revision:
        story.save_revision().publish()
    else:
        if not created:
            story.save()
        attach_live_revision(story)
    story.refresh_from_db()
    return UpsertResult(story=story, created=created)


def attach_live_revision(page: Page) -> Revision:
    """Write a revision of ``page`` as it is saved now and make it the live one.

    The same record ``save_revision().publish()`` leaves (the revision's content is
    Wagtail's own ``serializable_data()``; ``live_revision``, ``latest_revision`` and
    ``has_unpublished_changes`` on the page), without the publish action's log entry,
    signals and second page save. For pages that are already saved and live.
    """
    page = page.specific
    created_at = page.last_published_at or page.first_published_at or timezone.now()
    revision = Revision.objects.create(
        content_object=page,
        base_content_type=page.get_base_content_type(),
        content=page.serializable_data(),
        object_str=str(page),
        created_at=created_at,
    )
    Page.objects.filter(pk=page.pk).update(
        live_revision=revision,
        latest_revision=revision,
        latest_revision_created_at=created_at,
        draft_title=page.title,
        has_unpublished_changes=False,
    )
    page.live_revision = page.latest_revision = revision
    page.has_unpublished_changes = False
    return revision


@contextmanager
def bulk_story_load() -> Iterator[list[int]]:
    """Load many stories without a background task per page; index them once at the end.

    Inside the block, saving a :class:`StoryPage` enqueues neither Wagtail's search-index
    task nor its reference-index task (two tasks a page would mean 8,000 queued tasks for
    the demo corpus). Callers append the ids of stories they wrote to the yielded list;
    on exit those stories are added to the search index in bulk (Wagtail search
    ``add_bulk``), and the signal handlers are connected again.
    """
    from django.db.models.signals import post_save
    from modelsearch.signal_handlers import post_save_signal_handler
    from wagtail.search.backends import get_search_backend
    from wagtail.signal_handlers import update_reference_index_on_save

    written: list[int] = []
    post_save.disconnect(post_save_signal_handler, sender=StoryPage)
    post_save.disconnect(update_reference_index_on_save, sender=StoryPage)
    try:
        yield written
    finally:
        post_save.connect(post_save_signal_handler, sender=StoryPage)
        post_save.connect(update_reference_index_on_save, sender=StoryPage)
    backend = get_search_backend()
    for start in range(0, len(written), 500):
        backend.add_bulk(
            StoryPage, list(StoryPage.objects.filter(pk__in=written[start : start + 500]))
        )
