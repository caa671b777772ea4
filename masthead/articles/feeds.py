"""RSS 2.0 and Atom 1.0 feeds for the whole site and for each section.

Written as Django's ``syndication`` framework intends (subclass ``Feed``, override
``items``/``item_*``). Every item carries the headline and the standfirst only:
metered and subscriber stories must never put body text in a feed, and keeping all
items alike avoids a per-item leak by mistake.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from masthead.articles.models import SectionPage, StoryPage

FEED_SIZE = 30


class SiteFeed(Feed):
    """The newest stories of the whole site (RSS 2.0)."""

    feed_type = Rss201rev2Feed

    def get_object(
        self, request: HttpRequest, *args: object, **kwargs: object
    ) -> SectionPage | None:
        return None

    def title(self, obj: SectionPage | None) -> str:
        return (
            settings.MASTHEAD_SITE_NAME
            if obj is None
            else f"{obj.title} | {settings.MASTHEAD_SITE_NAME}"
        )

    def link(self, obj: SectionPage | None) -> str:
        """On ``SITE_URL``, never on the request's Host header."""
        return settings.SITE_URL + ("/" if obj is None else obj.url)

    def get_feed(self, obj: SectionPage | None, request: HttpRequest):  # noqa: ANN201
        """The feed's own address (Atom ``rel="self"``) on ``SITE_URL`` too."""
        feed = super().get_feed(obj, request)
        feed.feed["feed_url"] = settings.SITE_URL + request.path
        return feed

    def description(self, obj: SectionPage | None) -> str:
        return f"Latest stories from {self.title(obj)}"

    def items(self, obj: SectionPage | None):  # noqa: ANN201 - QuerySet[StoryPage]
        qs = StoryPage.objects.live().public()
        if obj is not None:
            qs = qs.child_of(obj)
        return qs.order_by("-published_at", "-first_published_at").only(
            "id",
            "title",
            "standfirst",
            "published_at",
            "first_published_at",
            "last_published_at",
            "updated_at",
            "url_path",
            "access_level",
            "path",
            "depth",
        )[:FEED_SIZE]

    def item_title(self, item: StoryPage) -> str:
        return item.title

    def item_description(self, item: StoryPage) -> str:
        return item.standfirst

    def item_link(self, item: StoryPage) -> str:
        return settings.SITE_URL + item.url

    def item_guid(self, item: StoryPage) -> str:
        return settings.SITE_URL + item.url

    item_guid_is_permalink = True

    def item_pubdate(self, item: StoryPage) -> datetime | None:
        return item.display_published

    def item_updateddate(self, item: StoryPage) -> datetime | None:
        return item.display_updated or item.display_published


class SiteAtomFeed(SiteFeed):
    """The newest stories of the whole site (Atom 1.0)."""

    feed_type = Atom1Feed

    def subtitle(self, obj: SectionPage | None) -> str:
        return self.description(obj)


class SectionFeed(SiteFeed):
    """The newest stories of one section (RSS 2.0); 404 for an unknown section."""

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> SectionPage:
        return get_object_or_404(SectionPage.objects.live().public(), slug=kwargs["slug"])


class SectionAtomFeed(SectionFeed):
    """The newest stories of one section (Atom 1.0)."""

    feed_type = Atom1Feed

    def subtitle(self, obj: SectionPage | None) -> str:
        return self.description(obj)
