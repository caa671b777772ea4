"""Page tree of a Masthead site: Home → Section → Story, plus bylines and tags.

The tree is enforced with ``parent_page_types``/``subpage_types``: a story always
lives in exactly one section (its parent), which is how URLs (``/world/<slug>/``),
section feeds and section listings are derived without a separate foreign key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.views.decorators.http import require_safe
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page, PageViewRestriction
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from masthead.articles.blocks import StoryBodyBlock
from masthead.articles.dates import dateline_text
from masthead.articles.editorial import revised_at_for_save
from masthead.core.page_cache import mark_shared


class AccessLevel(models.TextChoices):
    """Who may read a story's full body (see ``masthead.metering``).

    ``metered`` is the default and also the meaning of any missing or unknown
    value, so an old import never opens a story to everyone by accident.
    """

    FREE = "free", "Free to everyone"
    METERED = "metered", "Metered (counts towards free stories)"
    SUBSCRIBERS = "subscribers", "Subscribers only"


class CommentsMode(models.TextChoices):
    """How a story's comment window is decided (read by ``masthead.comments.services``)."""

    DEFAULT = "default", "Site default (closes a set number of days after publication)"
    OPEN = "open", "Keep open (until the date below, or indefinitely when it is empty)"
    CLOSED = "closed", "Closed"


def effective_access_level(value: str | None) -> str:
    """Return ``value`` if it is a known access level, else ``"metered"``."""
    return value if value in AccessLevel.values else AccessLevel.METERED


@register_snippet
class Author(models.Model):
    """A person credited in a story's byline (not necessarily a site user)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    role = models.CharField(max_length=200, blank=True, help_text="e.g. Diplomatic Correspondent")
    bio = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("role"), FieldPanel("bio")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StoryTag(TaggedItemBase):
    """Through model for story tags."""

    content_object = ParentalKey(
        "articles.StoryPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class HomePage(RoutablePageMixin, Page):
    """The front page: latest stories per section; also serves ``/tags/<slug>/``."""

    intro = models.CharField(max_length=300, blank=True)
    stories_per_section = models.PositiveSmallIntegerField(default=4)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("stories_per_section")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["articles.SectionPage"]
    max_count = 1
    template = "articles/home_page.html"

    @method_decorator(require_safe)  # GET and HEAD only: 405 with Allow otherwise
    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Serve the front page (and tag pages); the same for every anonymous reader."""
        return mark_shared(super().serve(request, *args, **kwargs))

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        sections = list(SectionPage.objects.child_of(self).live().public().order_by("path"))
        blocks = []
        for section in sections:
            stories = list(
                StoryPage.objects.child_of(section)
                .live()
                .public()
                .order_by("-published_at", "-first_published_at")
                .select_related("lead_image")[: self.stories_per_section]
            )
            if stories:
                blocks.append({"section": section, "stories": stories})
        context["section_blocks"] = blocks
        context["sections"] = sections
        return context

    @path("tags/<slug:tag>/", name="tag")
    def tag_view(self, request: HttpRequest, tag: str) -> HttpResponse:
        """List live stories carrying ``tag``, newest first (404 for an unknown tag)."""
        tag_obj = Tag.objects.filter(slug=tag).first()
        if tag_obj is None:
            raise Http404("No such tag")
        stories = (
            StoryPage.objects.live()
            .public()
            .filter(tagged_items__tag=tag_obj)
            .order_by("-published_at")
            .select_related("lead_image")[:50]
        )
        return self.render(
            request,
            context_overrides={"tag": tag_obj, "stories": stories},
            template="articles/tag_page.html",
        )


class SectionPage(Page):
    """A section of the paper (World, India, Business…): lists its stories."""

    description = models.CharField(max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("description")]
    parent_page_types = ["articles.HomePage"]
    subpage_types = ["articles.StoryPage"]
    template = "articles/section_page.html"

    @method_decorator(require_safe)  # GET and HEAD only: 405 with Allow otherwise
    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Serve the section listing; the same for every anonymous reader."""
        return mark_shared(super().serve(request, *args, **kwargs))

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        qs = (
            StoryPage.objects.child_of(self)
            .live()
            .public()
            .order_by("-published_at", "-first_published_at")
            .select_related("lead_image")
        )
        context["stories"] = Paginator(qs, 20).get_page(request.GET.get("page"))
        return context


class StoryPage(Page):
    """A news story.

    The page ``title`` is the headline. ``published_at``/``updated_at`` are the
    times printed on the dateline; when empty, Wagtail's first and last publish
    times are used. ``access_level`` decides who reads the full body.
    """

    standfirst = models.TextField(
        blank=True, help_text="The sub-headline: one or two sentences under the headline."
    )
    dateline = models.CharField(max_length=120, blank=True, help_text="Place, e.g. Moscow")
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="Shown on the dateline; defaults to first publish.",
    )
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Shown as 'Updated …' on the dateline when set."
    )
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_image_alt = models.CharField(
        max_length=300, blank=True, help_text="Alt text for the lead image."
    )
    lead_image_caption = models.CharField(max_length=500, blank=True)
    lead_image_credit = models.CharField(max_length=200, blank=True)
    body = StreamField(StoryBodyBlock(), blank=True)
    authors = ParentalManyToManyField(Author, blank=True, related_name="stories")
    tags = ClusterTaggableManager(through=StoryTag, blank=True)
    access_level = models.CharField(
        max_length=20, choices=AccessLevel.choices, default=AccessLevel.METERED
    )
    comments_mode = models.CharField(
        "Comments",
        max_length=10,
        choices=CommentsMode.choices,
        default=CommentsMode.DEFAULT,
        help_text="Keep the thread open past the site's window, or close it early.",
    )
    comments_open_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="With 'Keep open': the thread closes at this time (empty: stays open).",
    )
    revised_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When an editorial change (headline, standfirst, body, lead photo, "
        "dateline place) was last published; drives 'Updated' on the dateline.",
    )
    external_id = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text="Key of the source this story was imported from; re-imports update it.",
    )

    content_panels = [
        FieldPanel("title", heading="Headline"),
        FieldPanel("standfirst"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("dateline"), FieldPanel("published_at"), FieldPanel("updated_at")]
                ),
                FieldPanel("authors"),
            ],
            heading="Dateline and byline",
        ),
        MultiFieldPanel(
            [
                FieldPanel("lead_image"),
                FieldPanel("lead_image_alt"),
                FieldPanel("lead_image_caption"),
                FieldPanel("lead_image_credit"),
            ],
            heading="Lead photo",
        ),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    settings_panels = [
        *Page.settings_panels,
        FieldPanel("access_level"),
        MultiFieldPanel(
            [FieldPanel("comments_mode"), FieldPanel("comments_open_until")],
            heading="Comment thread",
        ),
    ]
    search_fields = [
        *Page.search_fields,
        # Headline and standfirst only: indexing the body would let anyone probe a
        # paywalled story's text by searching for words in it.
        index.SearchField("standfirst"),
        index.FilterField("access_level"),
        index.FilterField("published_at"),
    ]
    parent_page_types = ["articles.SectionPage"]
    subpage_types: list[str] = []
    template = "articles/story_page.html"

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(access_level__in=AccessLevel.values),
                name="story_access_level_known",
            )
        ]

    # --- derived values ---------------------------------------------------------------
    @property
    def headline(self) -> str:
        """The headline (Wagtail's ``title``)."""
        return self.title

    @property
    def display_published(self):  # noqa: ANN201 - datetime | None
        """Aware datetime printed as the publication time."""
        return self.published_at or self.first_published_at

    @property
    def display_updated(self):  # noqa: ANN201 - datetime | None
        """Aware datetime printed as 'Updated', or ``None`` when there is none to show.

        An editor's explicit ``updated_at`` wins; otherwise the last published editorial
        change (``revised_at``). A publish that changes only the access level, comment
        settings or tags is not an update, so ``last_published_at`` is not used.
        """
        if self.updated_at:
            return self.updated_at
        published = self.display_published
        revised = self.revised_at
        if published and revised and revised - published > timedelta(minutes=1):
            return revised
        return None

    @property
    def dateline_line(self) -> str:
        """The full dateline line, e.g. ``October 07, 2021 09:31 pm | Updated 09:31 pm IST - Moscow``."""
        return dateline_text(self.display_published, self.display_updated, self.dateline)

    @property
    def section(self) -> SectionPage | None:
        """The section this story lives in (its parent page)."""
        parent = self.get_parent()
        return parent.specific if parent else None

    @property
    def effective_access_level(self) -> str:
        """The access level, with anything unknown read as ``metered``."""
        return effective_access_level(self.access_level)

    @cached_property
    def paragraphs_text(self) -> list[str]:
        """Plain text of each ``paragraph`` block, in order (for feeds, tests and search)."""
        return [
            strip_tags(str(block.value.source))
            for block in self.body
            if block.block_type == "paragraph"
        ]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Wagtail's context plus ``fragments``: this story's cached parts
        (:class:`masthead.core.fragments.FragmentStore`) under its stamps, read before
        the comments are. The comment thread is among them only for anonymous readers."""
        from masthead.comments.services import anonymous_thread_key
        from masthead.core.fragments import FragmentStore, story_stamps

        context = super().get_context(request, *args, **kwargs)
        stamps = story_stamps(self, request)
        keys = dict.fromkeys(
            ("meta", "header", "lead:0", "lead:1", "gated", "tags"), stamps.article
        )
        shared = stamps.page.rsplit(".", 1)[-1]  # the shared epoch: sections, site
        keys.update(nav=shared, head=shared, footer=shared)
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            keys["thread"] = stamps.comments + ":" + anonymous_thread_key(request, self)
        context["fragments"] = FragmentStore(keys)
        return context

    def get_view_restrictions(self) -> Any:
        """Wagtail's view restrictions of this story, from a cached list
        (:func:`masthead.core.routing.view_restrictions_for`); aliases as Wagtail does."""
        if self.alias_of_id:
            return super().get_view_restrictions()
        from masthead.core.routing import view_restrictions_for

        return view_restrictions_for(self)

    @method_decorator(require_safe)  # GET and HEAD only: 405 with Allow otherwise
    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Serve the story and fill the reader's meter line into its slot.

        Free stories are shared between anonymous readers as whole pages. A gated
        story rendered for an anonymous reader is offered to the cache as a
        :class:`~masthead.core.page_cache.StoryVariant` (the page with the meter slot
        still empty, named after the entitlement's shape), so the next reader with the
        same entitlement is served from the cache after their own meter decision.
        Methods other than GET and HEAD get 405 (Django's ``require_safe``).
        """
        from masthead.core.member_pages import eligible, shape_of
        from masthead.core.page_cache import StoryVariant
        from masthead.metering.purpose import declines_prefetch, prefetch_declined
        from masthead.metering.services import (
            ANONYMOUS,
            MEMBER,
            METER_SLOT,
            SUBSCRIBER,
            anonymous_limit,
            member_limit,
            meter_html,
            request_entitlement,
        )

        response = super().serve(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        entitlement = request_entitlement(request, self)
        if entitlement is not None and declines_prefetch(request, entitlement):
            return prefetch_declined()
        slot = METER_SLOT.encode()
        content = response.content
        # Behind a password or a group restriction, what one reader may see says nothing
        # about the next one: such pages are never offered to any cache. ("Signed in"
        # restrictions are passed by every member, so members may share those.)
        private = any(
            r.restriction_type != PageViewRestriction.LOGIN for r in self.get_view_restrictions()
        )
        if entitlement is not None and slot in content:
            from masthead.core.fragments import render_stamps
            from masthead.metering.services import Reason

            # A lead-in drawn for a request that never counts (HEAD, prefetch) is
            # never offered to a cache: no reading request would be served it.
            private = private or entitlement.reason == Reason.NOT_COUNTED

            level = self.effective_access_level
            stamps = render_stamps(self.pk, request)
            variant = None
            if not private and entitlement.reader_kind == ANONYMOUS and level != AccessLevel.FREE:
                variant = StoryVariant(
                    entitlement.cut, self.pk, level, anonymous_limit(request), content, stamps
                )
            elif (
                not private
                and entitlement.reader_kind in (MEMBER, SUBSCRIBER)
                and eligible(request.user, self.pk)
            ):
                variant = StoryVariant(
                    shape_of(entitlement), self.pk, level, member_limit(request), content, stamps
                )
            response._masthead_story_variant = variant  # noqa: SLF001
            response.content = content.replace(slot, meter_html(entitlement).encode())
        return response if private else mark_shared(response)

    def clean(self) -> None:
        super().clean()
        if self.access_level not in AccessLevel.values:
            raise ValidationError({"access_level": f"Unknown access level {self.access_level!r}."})
        if self.comments_open_until and self.comments_mode != CommentsMode.OPEN:
            raise ValidationError(
                {
                    "comments_open_until": "A closing time only applies with 'Keep open': "
                    "choose 'Keep open' or clear the time."
                }
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.access_level not in AccessLevel.values:
            raise ValidationError({"access_level": f"Unknown access level {self.access_level!r}."})
        if self.published_at is None and self.live:
            self.published_at = self.first_published_at or timezone.now()
        update_fields = kwargs.get("update_fields")
        revised_at = revised_at_for_save(self, update_fields)
        if revised_at != self.revised_at:
            self.revised_at = revised_at
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "revised_at"}
        super().save(*args, **kwargs)
